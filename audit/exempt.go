package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/standardstream/standardstream/constructs/streaming"
)

// stream is a StandardStream found in a template, with what decides which
// exemptions apply to it.
type stream struct {
	path    string // construct path, "<stack>/<id>"
	key     bool   // EncryptionKey is set
	destroy bool   // RemovalPolicy DESTROY
}

// Exempt returns the findings that streaming.ControlTowerExemptions does
// not cover, and the indexes of the exemptions that covered some finding
// (so a caller can flag one that is no longer needed). templates are the
// files the findings came from: Exempt reads in them each StandardStream
// (a Kinesis stream at "<path>/Stream/Resource") and its configuration:
// whether its stream uses a customer-managed key (EncryptionKey) and
// whether it is deleted with the stack (RemovalPolicy DESTROY).
//
// A finding on a StandardStream's child is covered by the exemption for
// that child's construct ID; a finding on a stack-level singleton that CDK
// adds for streams (CDK's bucket auto-delete provider) by the exemption for
// its ID, when the stack has a stream it applies to. Anything else, a
// team's own resources included, is returned.
func Exempt(findings []Finding, templates ...string) (rest []Finding, used []int, err error) {
	streams := map[string][]stream{} // by template base name
	for _, t := range templates {
		s, err := templateStreams(t)
		if err != nil {
			return nil, nil, err
		}
		streams[filepath.Base(t)] = append(streams[filepath.Base(t)], s...)
	}
	seen := map[int]bool{}
	for _, f := range findings {
		i, ok := exemption(f, streams[f.Template])
		if !ok {
			rest = append(rest, f)
			continue
		}
		if !seen[i] {
			seen[i] = true
			used = append(used, i)
		}
	}
	return rest, used, nil
}

// exemption returns the index in streaming.ControlTowerExemptions of the
// exemption that covers f, given the streams of f's template.
func exemption(f Finding, streams []stream) (int, bool) {
	if f.Path == "" {
		return -1, false
	}
	var in *stream
	for i, s := range streams {
		if strings.HasPrefix(f.Path, s.path+"/") {
			in = &streams[i]
		}
	}
	var resource string
	if in != nil {
		resource, _, _ = strings.Cut(strings.TrimPrefix(f.Path, in.path+"/"), "/")
	} else {
		// A stack-level singleton: "<stack>/<id>/...".
		parts := strings.Split(f.Path, "/")
		if len(parts) < 2 {
			return -1, false
		}
		resource = parts[1]
	}
	for i, e := range streaming.ControlTowerExemptions {
		if e.Control != f.Control || e.Resource != resource {
			continue
		}
		switch e.When {
		case streaming.Always:
			if in != nil || len(streams) > 0 {
				return i, true
			}
		case streaming.WithoutEncryptionKey:
			if in != nil && !in.key {
				return i, true
			}
		case streaming.WithRemovalPolicyDestroy:
			if in != nil && in.destroy {
				return i, true
			}
			if in == nil {
				// The singleton exists for a DESTROY stream of its stack.
				stack, _, _ := strings.Cut(f.Path, "/")
				for _, s := range streams {
					if s.destroy && strings.HasPrefix(s.path, stack+"/") {
						return i, true
					}
				}
			}
		}
	}
	return -1, false
}

// templateStreams reads the StandardStreams of a template.
func templateStreams(template string) ([]stream, error) {
	raw, err := os.ReadFile(template)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var t struct {
		Resources map[string]struct {
			Type           string
			DeletionPolicy string
			Metadata       map[string]any
			Properties     struct {
				StreamEncryption struct{ KeyId any }
			}
		}
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("audit: %s: %w", template, err)
	}
	var streams []stream
	for _, r := range t.Resources {
		p, _ := r.Metadata["aws:cdk:path"].(string)
		if r.Type != "AWS::Kinesis::Stream" || !strings.HasSuffix(p, "/Stream/Resource") {
			continue
		}
		// Without EncryptionKey the stream uses the AWS-managed key.
		managed := r.Properties.StreamEncryption.KeyId == "alias/aws/kinesis"
		streams = append(streams, stream{
			path:    strings.TrimSuffix(p, "/Stream/Resource"),
			key:     !managed,
			destroy: r.DeletionPolicy == "Delete",
		})
	}
	return streams, nil
}
