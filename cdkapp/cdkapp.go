// Package cdkapp synthesizes a CDK app the way the CDK CLI does and reads
// the cloud assembly it writes: the stacks, their templates and the Spec
// that every StandardStream records in its metadata.
//
// It needs no CDK CLI: [Synth] runs the "app" command of the app's cdk.json
// with the context that `cdk synth` would pass (cdk.json's feature flags,
// path and asset metadata), so the templates it reads are those that
// deploy. `standardstream docs`, `standardstream new` and
// `standardstream local` are built on it, and so are snapshot tests:
// [AppContext] gives an in-process App the same context, and
// [NormalizeTemplate] makes templates comparable across machines.
package cdkapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// ConfigFile is the CDK app's configuration, at the root of the app.
const ConfigFile = "cdk.json"

// Context keys that the CDK CLI sets (aws-cdk-lib cx-api).
const (
	pathMetadataKey     = "aws:cdk:enable-path-metadata"
	assetMetadataKey    = "aws:cdk:enable-asset-metadata"
	noVersionReportKey  = "aws:cdk:disable-version-reporting"
	bundlingStacksKey   = "aws:cdk:bundling-stacks"
	failOnValidationKey = "@aws-cdk/core:failSynthOnValidationErrors"
)

// validationEnv turns CDK's built-in template validation off when "false"
// (aws-cdk-lib core reads it in the app's process; `cdk synth
// --no-validation` sets it).
const validationEnv = "CDK_VALIDATION"

// errorMetadata is the type of an error annotation (Annotations.addError).
const errorMetadata = "aws:cdk:error"

// Config is the part of cdk.json that synthesis needs.
type Config struct {
	// App is the command that runs the app, e.g. "go run .".
	App string `json:"app"`
	// Context holds the feature flags and other context values.
	Context map[string]any `json:"context"`
}

// ReadConfig reads dir/cdk.json.
func ReadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, ConfigFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("cdkapp: no %s in %s: run this at the root of a CDK app", ConfigFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("cdkapp: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("cdkapp: %s: %w", path, err)
	}
	if strings.TrimSpace(cfg.App) == "" {
		return nil, fmt.Errorf("cdkapp: %s: \"app\" is empty; it must be the command that runs the app, such as \"go run .\"", path)
	}
	if cfg.Context == nil {
		cfg.Context = map[string]any{}
	}
	return &cfg, nil
}

// AppContext returns the context that `cdk synth --no-version-reporting`
// gives the app in dir: cdk.json's context plus path and asset metadata, and
// error annotations left in the assembly rather than thrown by Synth (the
// CLI, and Synth here, report them all at once).
// Unless bundle is true, no stack bundles its assets, which is faster and,
// with custom asset hashes (as StandardStream's consumer has), gives the
// same templates.
func AppContext(dir string, bundle bool) (map[string]any, error) {
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	ctx := cfg.Context
	ctx[pathMetadataKey] = true
	ctx[assetMetadataKey] = true
	ctx[noVersionReportKey] = true
	ctx[failOnValidationKey] = false
	if !bundle {
		ctx[bundlingStacksKey] = []any{}
	}
	return ctx, nil
}

// Options configure Synth.
type Options struct {
	// Outdir receives the cloud assembly. It must be empty or absent.
	//
	// Default: a new temporary directory, which the caller removes
	// (Assembly.Dir).
	Outdir string
	// Bundle builds assets (the consumers' binaries) as `cdk synth` does.
	//
	// Default: false; see AppContext.
	Bundle bool
	// Stderr receives the app's output.
	//
	// Default: kept, and shown in the error if the app fails.
	Stderr io.Writer
}

// Synth runs the app in dir (the "app" command of its cdk.json, through
// sh, in dir) with the context of AppContext and returns the cloud assembly
// it wrote.
//
// The app runs with CDK_VALIDATION=false, which turns off CDK's
// CloudFormation template validation (its WebAssembly engine costs about
// 0.8 s of CPU per synth): Synth's callers only read templates and
// metadata, and the gates that must validate, `cdk synth` and the app's
// tests (which synthesize in process), still do. Synth errors
// (Annotations errors) are still reported.
func Synth(ctx context.Context, dir string, opts Options) (*Assembly, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cdkapp: %w", err)
	}
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	appCtx, err := AppContext(dir, opts.Bundle)
	if err != nil {
		return nil, err
	}
	contextJSON, err := json.Marshal(appCtx)
	if err != nil {
		return nil, fmt.Errorf("cdkapp: context: %w", err)
	}
	out := opts.Outdir
	if out == "" {
		if out, err = os.MkdirTemp("", "cdkapp-"); err != nil {
			return nil, fmt.Errorf("cdkapp: %w", err)
		}
	}
	if out, err = filepath.Abs(out); err != nil {
		return nil, fmt.Errorf("cdkapp: %w", err)
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", cfg.App)
	cmd.Dir = dir
	// The CDK CLI passes context and output directory this way (cx-api
	// CONTEXT_ENV and OUTDIR_ENV).
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(contextJSON), "CDK_OUTDIR="+out, validationEnv+"=false")
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if opts.Stderr != nil {
		cmd.Stdout, cmd.Stderr = opts.Stderr, opts.Stderr
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("cdkapp: app %q in %s failed: %v\n%s", cfg.App, dir, err, strings.TrimSpace(output.String()))
	}
	a, err := ReadAssembly(out)
	if err != nil {
		return nil, err
	}
	if errs := a.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("cdkapp: the app in %s has %d synth errors:\n%s", dir, len(errs), strings.Join(errs, "\n"))
	}
	return a, nil
}

// Errors returns the error annotations of every stack, as
// "<construct path>: <message>", sorted: what `cdk synth` reports and
// stops on.
func (a *Assembly) Errors() []string {
	var out []string
	for _, st := range a.Stacks {
		for path, entries := range st.Metadata {
			for _, e := range entries {
				if e.Type != errorMetadata {
					continue
				}
				var msg string
				if json.Unmarshal(e.Data, &msg) != nil {
					msg = string(e.Data)
				}
				out = append(out, path+": "+msg)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Assembly is a synthesized cloud assembly.
type Assembly struct {
	// Dir is the assembly's directory (the app's cdk.out).
	Dir string
	// Stacks are the assembly's CloudFormation stacks in the order of its
	// manifest, which is the order the app created them in.
	Stacks []Stack
}

// Stack is one stack of an Assembly.
type Stack struct {
	// Name is the stack's artifact ID, its name unless the app set another.
	Name string
	// TemplateFile is the template's path relative to Assembly.Dir.
	TemplateFile string
	// Metadata maps construct paths ("/Stack/Orders") to their entries.
	Metadata map[string][]Metadata
}

// Metadata is one metadata entry of a construct.
type Metadata struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// ReadAssembly reads the cloud assembly in dir. Nested assemblies (CDK
// Stages) are not read.
func ReadAssembly(dir string) (*Assembly, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("cdkapp: read cloud assembly: %w", err)
	}
	var manifest struct {
		Artifacts orderedArtifacts `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("cdkapp: %s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	a := &Assembly{Dir: dir}
	for _, art := range manifest.Artifacts {
		if art.Type != "aws:cloudformation:stack" {
			continue
		}
		st := Stack{Name: art.id, TemplateFile: art.Properties.TemplateFile, Metadata: art.Metadata}
		// Recent CDK versions write a stack's metadata to its own file.
		if art.AdditionalMetadataFile != "" {
			more, err := os.ReadFile(filepath.Join(dir, art.AdditionalMetadataFile))
			if err != nil {
				return nil, fmt.Errorf("cdkapp: metadata of %s: %w", art.id, err)
			}
			var md map[string][]Metadata
			if err := json.Unmarshal(more, &md); err != nil {
				return nil, fmt.Errorf("cdkapp: %s: %w", art.AdditionalMetadataFile, err)
			}
			if st.Metadata == nil {
				st.Metadata = map[string][]Metadata{}
			}
			for path, entries := range md {
				st.Metadata[path] = append(st.Metadata[path], entries...)
			}
		}
		a.Stacks = append(a.Stacks, st)
	}
	return a, nil
}

type artifact struct {
	id         string
	Type       string `json:"type"`
	Properties struct {
		TemplateFile string `json:"templateFile"`
	} `json:"properties"`
	Metadata               map[string][]Metadata `json:"metadata"`
	AdditionalMetadataFile string                `json:"additionalMetadataFile"`
}

// orderedArtifacts decodes the manifest's artifacts object keeping its
// order, which encoding/json's maps would lose.
type orderedArtifacts []artifact

func (o *orderedArtifacts) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("artifacts: not an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var art artifact
		if err := dec.Decode(&art); err != nil {
			return fmt.Errorf("artifact %v: %w", t, err)
		}
		art.id, _ = t.(string)
		*o = append(*o, art)
	}
	return nil
}

// Stack returns the stack called name.
func (a *Assembly) Stack(name string) (Stack, bool) {
	for _, s := range a.Stacks {
		if s.Name == name {
			return s, true
		}
	}
	return Stack{}, false
}

// Template returns the stack's template as synthesized.
func (a *Assembly) Template(stack Stack) ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join(a.Dir, stack.TemplateFile))
	if err != nil {
		return nil, fmt.Errorf("cdkapp: template of %s: %w", stack.Name, err)
	}
	return raw, nil
}

// Stream is one StandardStream of an Assembly.
type Stream struct {
	// Stack is the name of the stack that holds it.
	Stack string
	// ID is its construct path inside the stack, e.g. "Orders"; streams of
	// different stacks with the same ID are one stream deployed to several
	// environments.
	ID string
	// Spec is what it deploys.
	Spec spec.Stream
}

// Streams returns every StandardStream of the assembly, stack by stack in
// manifest order and by construct path within a stack.
func (a *Assembly) Streams() ([]Stream, error) {
	var out []Stream
	for _, st := range a.Stacks {
		var found []Stream
		for path, entries := range st.Metadata {
			for _, e := range entries {
				if e.Type != spec.MetadataType {
					continue
				}
				// The Spec is a JSON string (a Lazy string) inside the entry.
				var doc string
				if err := json.Unmarshal(e.Data, &doc); err != nil {
					return nil, fmt.Errorf("cdkapp: %s%s: %s metadata: %w", st.Name, path, e.Type, err)
				}
				var s spec.Stream
				if err := json.Unmarshal([]byte(doc), &s); err != nil {
					return nil, fmt.Errorf("cdkapp: %s%s: %s metadata: %w", st.Name, path, e.Type, err)
				}
				id := strings.TrimPrefix(strings.TrimPrefix(path, "/"), st.Name+"/")
				found = append(found, Stream{Stack: st.Name, ID: id, Spec: s})
			}
		}
		slices.SortFunc(found, func(a, b Stream) int { return strings.Compare(a.ID, b.ID) })
		out = append(out, found...)
	}
	return out, nil
}

// assetHash matches asset hashes (SHA-256 hex), which depend on the Go
// toolchain and the consumer's source, not on the infrastructure.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// NormalizeTemplate returns a template as a golden file holds it: indented
// JSON with every asset hash replaced by "<asset-hash>" and a final newline,
// so it is the same on every machine.
func NormalizeTemplate(raw []byte) ([]byte, error) {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		return nil, fmt.Errorf("cdkapp: template: %w", err)
	}
	return append(assetHash.ReplaceAll(bytes.TrimSpace(pretty.Bytes()), []byte("<asset-hash>")), '\n'), nil
}
