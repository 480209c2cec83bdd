// Package cdktest holds what CDK tests of this module share: an App with the
// same feature flags as cdk.json, template assertions that report through
// testing.T instead of panicking, cdk-nag findings, and synthesized
// templates shared between the tests of one test binary.
//
// A synthesis costs a test about half a second (building the constructs over
// jsii, resolving), so tests that only read a template should share it with
// Shared:
//
//	tpl, s := cdktest.Shared(t, "default", func(stack awscdk.Stack) *streaming.StandardStream {
//		return streaming.NewStandardStream(stack, "Events", nil)
//	})
//	tpl.HasResourceProperties("AWS::Kinesis::Stream", ...)
//
// The first test to ask for a key synthesizes; the others get the same
// template and value, which they must not modify. Use one key per distinct
// build function. A shared template is also checked by CDK's template
// validation (see NewValidatedApp). A template shared some other way (a
// sync.Once over an App with cdk-nag, or one made before t.Run) reports to
// the test that reads it through Template.For.
//
// jsii is not safe for concurrent use: tests that call CDK must not call
// t.Parallel.
package cdktest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/audit"
	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/cdkvalidate"
)

// Root returns the module's root directory (the one holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Context returns the context that `cdk synth` gives the app: cdk.json's
// feature flags and the CLI's settings (see cdkapp.AppContext).
func Context(t testing.TB, bundle bool) map[string]any {
	t.Helper()
	ctx, err := cdkapp.AppContext(Root(t), bundle)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// NewApp returns an App with the context of `cdk synth` that writes to a
// temporary directory. Unless bundle is true, assets are not bundled (CDK's
// bundling-stacks context), which keeps tests fast; asset hashes are custom,
// so templates are the same either way. Path metadata lets LogicalID find
// resources by their construct path. The App writes no tree.json, which no
// test reads.
//
// CDK's template validation is off. With the context of `cdk synth`
// (@aws-cdk/core:failSynthOnValidationErrors false) an App leaves its
// findings to the CLI: they would only be written to a report that no
// assertion reads, for about 0.8 s of CPU per test binary and more per
// template. Tests of templates that cover what ships use NewValidatedApp.
func NewApp(t testing.TB, bundle bool) awscdk.App {
	t.Helper()
	return newApp(t, bundle, false)
}

// NewValidatedApp is NewApp with CDK's template validation on: after a
// synthesis, Validation returns its findings.
func NewValidatedApp(t testing.TB, bundle bool) awscdk.App {
	t.Helper()
	return newApp(t, bundle, true)
}

func newApp(t testing.TB, bundle, validate bool) awscdk.App {
	t.Helper()
	ctx := Context(t, bundle)
	return awscdk.NewApp(&awscdk.AppProps{
		Context:                         &ctx,
		Outdir:                          jsii.String(t.TempDir()),
		TreeMetadata:                    jsii.Bool(false),
		BuiltinCloudFormationValidation: jsii.Bool(validate),
	})
}

// Validation returns an error listing every finding of CDK's template
// validation in app's last synthesis (an App from NewValidatedApp, or one
// with validation on), or nil if there is none. It is an error, too, if
// the App wrote no validation report.
func Validation(app awscdk.App) error {
	found, err := cdkvalidate.Violations(*app.Outdir())
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return nil
	}
	lines := make([]string, len(found))
	for i, v := range found {
		lines[i] = v.String()
	}
	return fmt.Errorf("CDK's template validation found problems (%d):\n%s", len(found), strings.Join(lines, "\n"))
}

// Template wraps assertions.Template so that failures are test errors.
type Template struct {
	t    testing.TB
	tpl  assertions.Template
	json *templateJSON
}

// templateJSON is a template as JSON, fetched over jsii once: a synthesized
// template does not change.
type templateJSON struct {
	once sync.Once
	tpl  assertions.Template
	m    map[string]any
}

func (j *templateJSON) get() map[string]any {
	j.once.Do(func() { j.m = *j.tpl.ToJSON() })
	return j.m
}

// FromStack synthesizes stack and returns its template.
func FromStack(t testing.TB, stack awscdk.Stack) *Template {
	t.Helper()
	tpl := assertions.Template_FromStack(stack, nil)
	return &Template{t: t, tpl: tpl, json: &templateJSON{tpl: tpl}}
}

// For returns the same template reporting failures to t: a template made
// once for several tests, or before t.Run, fails the test or subtest that
// reads it.
func (tp *Template) For(t testing.TB) *Template {
	return &Template{t: t, tpl: tp.tpl, json: tp.json}
}

// Shared returns the template of a stack named "Test" in a new App (as
// NewValidatedApp(t, false) makes it) after build has added constructs to
// it, and what build returned. It builds and synthesizes once per test
// binary and key; later calls with the same key share the result (see the
// package documentation). Each test that asks for a template that CDK's
// template validation finds problems in fails.
func Shared[T any](t testing.TB, key string, build func(stack awscdk.Stack) T) (*Template, T) {
	t.Helper()
	sharedMu.Lock()
	s := shared[key]
	if s == nil {
		s = new(sharedSynth)
		shared[key] = s
	}
	sharedMu.Unlock()

	s.once.Do(func() {
		s.err = catch(func() {
			// The output directory is the first test's: nothing reads it
			// once Validation has read the report.
			app := NewValidatedApp(t, false)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			s.value = build(stack)
			tpl := assertions.Template_FromStack(stack, nil)
			s.json = &templateJSON{tpl: tpl}
			s.invalid = Validation(app)
		})
	})
	if s.err != nil {
		t.Fatalf("shared synthesis %q: %v", key, s.err)
	}
	if s.invalid != nil {
		t.Errorf("shared synthesis %q: %v", key, s.invalid)
	}
	v, ok := s.value.(T)
	if !ok {
		t.Fatalf("shared synthesis %q: built a %T, want %T (one key per build function)", key, s.value, v)
	}
	return &Template{t: t, tpl: s.json.tpl, json: s.json}, v
}

var (
	sharedMu sync.Mutex
	shared   = map[string]*sharedSynth{}
)

type sharedSynth struct {
	once    sync.Once
	value   any
	json    *templateJSON
	err     error // the synthesis failed
	invalid error // CDK's template validation found problems
}

// Under returns the part of the template that the constructs with the given
// IDs, children of the stack, made: the resources whose construct path starts
// with the stack's name and one of ids, every other section unchanged. It
// reports to t. One stack with several StandardStreams then serves tests
// that each read one of them as if it were alone in its stack: its
// assertions (HasResourceProperties, Only, counts) see no other stream's
// resources, nor stack-wide singletons unless ids names them. The template
// is built from the shared JSON without another synthesis.
func (tp *Template) Under(t testing.TB, ids ...string) *Template {
	t.Helper()
	full := tp.JSON()
	part := make(map[string]any, len(full))
	for k, v := range full {
		part[k] = v
	}
	resources := map[string]any{}
	for id, r := range full["Resources"].(map[string]any) {
		md, _ := r.(map[string]any)["Metadata"].(map[string]any)
		path, _ := md["aws:cdk:path"].(string)
		// stack/<id>/...: the stack's own name is the first segment.
		if segs := strings.SplitN(path, "/", 3); len(segs) >= 2 && slices.Contains(ids, segs[1]) {
			resources[id] = r
		}
	}
	if len(resources) == 0 {
		t.Fatalf("no resources under %v: path metadata is off or no such construct", ids)
	}
	part["Resources"] = resources
	var tpl assertions.Template
	if err := catch(func() { tpl = assertions.Template_FromJSON(&part, nil) }); err != nil {
		t.Fatalf("template under %v: %v", ids, err)
	}
	j := &templateJSON{tpl: tpl}
	j.once.Do(func() { j.m = part })
	return &Template{t: t, tpl: tpl, json: j}
}

// HasResourceProperties fails the test unless a resource of type typ
// matches props (a Match pattern or an object-like map).
func (tp *Template) HasResourceProperties(typ string, props any) {
	tp.t.Helper()
	if err := catch(func() { tp.tpl.HasResourceProperties(jsii.String(typ), props) }); err != nil {
		tp.t.Errorf("%s: %v", typ, err)
	}
}

// ResourceCountIs fails the test unless the template has n resources of type typ.
func (tp *Template) ResourceCountIs(typ string, n int) {
	tp.t.Helper()
	if got := len(tp.Resources(typ)); got != n {
		tp.t.Errorf("%s: got %d resources, want %d", typ, got, n)
	}
}

// Resources returns the resources of type typ by logical ID.
func (tp *Template) Resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tp.JSON()["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// Only returns the properties of the one resource of type typ.
func (tp *Template) Only(typ string) map[string]any {
	tp.t.Helper()
	rs := tp.Resources(typ)
	if len(rs) != 1 {
		tp.t.Fatalf("%s: got %d resources, want 1", typ, len(rs))
	}
	for _, r := range rs {
		props, _ := r["Properties"].(map[string]any)
		return props
	}
	return nil
}

// JSON returns the whole template. It is shared: do not modify it.
func (tp *Template) JSON() map[string]any {
	return tp.json.get()
}

// catch runs f and returns a panic (a jsii error from an assertion) as an error.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

// Catch runs f and returns what it panicked with, as an error; nil if it
// returned normally. Use it to test that a construct rejects its props.
func Catch(f func()) error { return catch(f) }

// LogicalID returns the logical ID of the resource of type typ whose
// construct path has a segment named name; with name "", of the only
// resource of that type.
func (tp *Template) LogicalID(typ, name string) string {
	tp.t.Helper()
	var found []string
	for id, r := range tp.Resources(typ) {
		md, _ := r["Metadata"].(map[string]any)
		path, _ := md["aws:cdk:path"].(string)
		if name == "" || slices.Contains(strings.Split(path, "/"), name) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		tp.t.Fatalf("%s named %q: got %d resources %v, want 1", typ, name, len(found), found)
	}
	return found[0]
}

// Nag adds the AwsSolutions and Serverless cdk-nag packs to app. The
// returned function synthesizes app and returns every unsuppressed error and
// warning as "<rule> <construct path>: <info>", sorted. It audits the
// constructs of the app; audit.Nag audits templates as an outside auditor
// does, CDK's own providers included.
//
// The findings are read from the packs' CSV reports in app's output
// directory rather than collected by a Go logger: a Go logger is called back
// over jsii for every rule on every resource, thousands of round trips that
// made a nag test take seconds per stack.
func Nag(app awscdk.App) func() []string {
	audit.AddNagPacks(app)
	return func() []string {
		// Unsuppressed errors also fail synthesis; the reports have them all.
		synthErr := catch(func() { app.Synth(nil) })
		findings, err := audit.NagReports(*app.Outdir())
		if err != nil {
			return []string{err.Error()}
		}
		if len(findings) == 0 && synthErr != nil {
			return []string{fmt.Sprintf("synthesis failed: %v", synthErr)}
		}
		return findings
	}
}
