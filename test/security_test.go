package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/stacks"
)

// Resource wildcards are allowed only where AWS offers nothing narrower;
// docs/security.md lists each with its reason.
var (
	// X-Ray's write APIs support no resource-level permissions.
	starActions = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
	// Services write objects under keys they generate, within one bucket.
	objectActions = []string{
		"s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload",
		"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetBucketTagging", "s3:GetBucketPolicy",
		"s3:ListBucket", "s3:ListBucketVersions", "s3:PutBucketPolicy",
	}
)

// statement is one policy statement with where it was found.
type statement struct {
	where     string
	keyPolicy bool // in a key policy, Resource "*" means the key itself
	effect    string
	actions   []string
	resources []any
}

// policyStatements returns every statement of every policy document in a template.
func policyStatements(t *testing.T, template map[string]any) []statement {
	var out []statement
	add := func(where string, doc any, keyPolicy bool) {
		d, _ := doc.(map[string]any)
		sts, _ := d["Statement"].([]any)
		for i, s := range sts {
			st := s.(map[string]any)
			out = append(out, statement{
				where:     fmt.Sprintf("%s statement %d", where, i),
				keyPolicy: keyPolicy,
				effect:    st["Effect"].(string),
				actions:   actionList(st["Action"]),
				resources: list(st["Resource"]),
			})
		}
	}
	for id, r := range template["Resources"].(map[string]any) {
		res := r.(map[string]any)
		props, _ := res["Properties"].(map[string]any)
		switch res["Type"] {
		case "AWS::IAM::Policy", "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy":
			add(id, props["PolicyDocument"], false)
		case "AWS::IAM::Role":
			policies, _ := props["Policies"].([]any)
			for _, p := range policies {
				add(id, p.(map[string]any)["PolicyDocument"], false)
			}
		case "AWS::KMS::Key":
			add(id, props["KeyPolicy"], true)
		}
	}
	return out
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func actionList(v any) []string {
	var out []string
	for _, x := range list(v) {
		out = append(out, x.(string))
	}
	return out
}

// isObjectWildcard reports whether r is "<bucket arn>/*".
func isObjectWildcard(r any) bool {
	j, _ := json.Marshal(r)
	return strings.HasSuffix(string(j), `"/*"]]}`)
}

func TestLeastPrivilege(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range append([]string{"Resource: *", "<bucket>/*"}, starActions...) {
		if !strings.Contains(string(doc), a) {
			t.Errorf("docs/security.md does not list the resource wildcard %q", a)
		}
	}
	for _, env := range stacks.Environments() {
		t.Run(env.Name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", env.StackName()+".template.json"))
			if err != nil {
				t.Fatal(err)
			}
			var template map[string]any
			if err := json.Unmarshal(raw, &template); err != nil {
				t.Fatal(err)
			}
			statements := policyStatements(t, template)
			if len(statements) < 10 {
				t.Fatalf("found only %d policy statements; the scan is broken", len(statements))
			}
			for _, s := range statements {
				if s.effect != "Allow" {
					continue
				}
				for _, a := range s.actions {
					if strings.Contains(a, "*") {
						t.Errorf("%s: Allow with wildcard action %q", s.where, a)
					}
				}
				for _, r := range s.resources {
					switch {
					case r == "*" && !s.keyPolicy:
						for _, a := range s.actions {
							if !slices.Contains(starActions, a) {
								t.Errorf("%s: %s on Resource * (only %v may be)", s.where, a, starActions)
							}
						}
					case isObjectWildcard(r):
						for _, a := range s.actions {
							if !slices.Contains(objectActions, a) {
								t.Errorf("%s: %s on a bucket's objects wildcard", s.where, a)
							}
						}
					}
				}
			}
		})
	}
}
