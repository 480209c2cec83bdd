package cdkvalidate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// stackNames are the stacks of the app synth makes.
var stackNames = []string{"Checked", "Other"}

// synth synthesizes, with newApp, an app of two stacks whose templates
// each break two of CDK's validation rules, into outdir, and returns its
// validation report.
func synth(t *testing.T, newApp func(*awscdk.AppProps) awscdk.App, outdir string) string {
	t.Helper()
	app := newApp(&awscdk.AppProps{
		Outdir: jsii.String(outdir),
		Context: &map[string]any{
			// Errors stay errors, and the report is written, not thrown.
			"@aws-cdk/core:validateAgainstDefaultRules": true,
			"@aws-cdk/core:failSynthOnValidationErrors": false,
		},
	})
	for _, name := range stackNames {
		stack := awscdk.NewStack(app, jsii.String(name), nil)
		q := awssqs.NewCfnQueue(stack, jsii.String("Queue"), &awssqs.CfnQueueProps{MessageRetentionPeriod: jsii.Number(10)})
		q.AddPropertyOverride(jsii.String("Bogus"), 1)
	}
	app.Synth(nil)
	raw, err := os.ReadFile(filepath.Join(outdir, "validation-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// builtin is the report of CDK's own, in-process validation, and the
// directory that synthesis wrote (a previous synthesis for NewApp).
var builtin struct {
	once   sync.Once
	report string
	dir    string
}

func builtinReport(t *testing.T) (report, dir string) {
	builtin.once.Do(func() {
		dir, err := os.MkdirTemp("", "cdkvalidate-builtin-")
		if err != nil {
			t.Fatal(err)
		}
		builtin.dir = dir
		builtin.report = synth(t, awscdk.NewApp, dir)
	})
	for _, rule := range []string{`"ruleName": "F3002"`, `"ruleName": "F3034"`, `"pluginName": "CloudFormation Validate"`} {
		if !strings.Contains(builtin.report, rule) {
			t.Fatalf("the built-in validation's report lacks %s:\n%s", rule, builtin.report)
		}
	}
	return builtin.report, builtin.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtin.dir != "" {
		os.RemoveAll(builtin.dir)
	}
	// jsii's Node.js stops, and the runtime it unpacked goes with it.
	jsii.Close()
	os.Exit(code)
}

// previousSynthesis returns a directory holding the manifest and templates
// of the built-in synthesis, as a previous `cdk synth` leaves them.
func previousSynthesis(t *testing.T) string {
	t.Helper()
	_, from := builtinReport(t)
	dir := t.TempDir()
	for _, f := range []string{"manifest.json", "Checked.template.json", "Other.template.json"} {
		raw, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSameReport: CDK writes the same validation report whether its
// built-in plugin validates in the app's process or NewApp's side process
// does, starting from a previous synthesis (the engine built ahead, each
// template validated as it is written) or from none; and when the side
// process fails, CDK's own plugin takes over.
func TestSameReport(t *testing.T) {
	want, _ := builtinReport(t)
	for _, c := range []struct {
		name, outdir, node string
		side               bool
	}{
		{"previous synthesis", previousSynthesis(t), os.Getenv("JSII_NODE"), true},
		{"no previous synthesis", t.TempDir(), os.Getenv("JSII_NODE"), true},
		{"side process fails", t.TempDir(), "false", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("JSII_NODE", c.node)
			before := sideReports.Load()
			if got := synth(t, NewApp, c.outdir); got != want {
				t.Errorf("validation report\n got %s\nwant %s", got, want)
			}
			if used := sideReports.Load() > before; used != c.side {
				t.Errorf("the side process's report was used: %v, want %v", used, c.side)
			}
		})
	}
}

// TestValidatedAhead drives the side process as NewApp's plugin does: the
// templates written while it runs are validated at once, and the request
// reuses an answer only for a template that is unchanged since: here one
// stack's template is rewritten before the request, and its report is the
// rewritten one's.
func TestValidatedAhead(t *testing.T) {
	_, from := builtinReport(t)
	good, err := os.ReadFile(filepath.Join(from, "Other.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	rewritten := []byte(strings.Replace(string(good), `"MessageRetentionPeriod": 10`, `"MessageRetentionPeriod": 20`, 1))
	if string(rewritten) == string(good) {
		t.Fatalf("the template has no MessageRetentionPeriod 10:\n%s", good)
	}
	t.Setenv("CDKVALIDATE_TRACE", "1")
	dir := previousSynthesis(t)
	s, err := start(dir)
	if err != nil {
		t.Fatal(err)
	}
	// await waits until the side process has written line.
	await := func(line string) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !strings.Contains(s.stderr.String(), line+"\n"); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the side process did not write %q:\n%s", line, s.stderr.String())
			}
		}
	}
	await("watching")
	var stacks []*awscdk.PolicyValidationStack
	paths := map[string]string{}
	for _, name := range stackNames {
		paths[name] = filepath.Join(dir, name+".template.json")
		raw, err := os.ReadFile(paths[name])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(paths[name], raw, 0o644); err != nil { // as the app writes it
			t.Fatal(err)
		}
		stacks = append(stacks, &awscdk.PolicyValidationStack{StackConstructPath: jsii.String(name), TemplatePath: jsii.String(paths[name])})
	}
	for _, name := range stackNames {
		await("validated ahead: " + name + ".template.json")
	}
	if err := os.WriteFile(paths["Other"], rewritten, 0o644); err != nil {
		t.Fatal(err)
	}
	report, _, reused, err := s.validate(&stacks)
	if err != nil {
		t.Fatal(err)
	}
	// Each retention finding names exactly the templates that have it.
	where := map[string][]string{}
	for _, v := range *report.Violations {
		for _, r := range *v.ViolatingResources {
			where[*v.Description] = append(where[*v.Description], *r.TemplatePath)
		}
	}
	got, _ := json.Marshal(report)
	if reused < 1 || *report.Success ||
		!slices.Equal(where["MessageRetentionPeriod: 10 is less than the minimum of 60"], []string{paths["Checked"]}) ||
		!slices.Equal(where["MessageRetentionPeriod: 20 is less than the minimum of 60"], []string{paths["Other"]}) {
		t.Errorf("reused %d engine answers (want at least 1, for the unchanged template); report %s;\nwant retention 10 found in %s only and 20 in %s only",
			reused, got, paths["Checked"], paths["Other"])
	}
}

// TestOff: with validation turned off, by the App's props or for the
// process (as `cdk synth --no-validation` does), NewApp starts no process,
// and CDK validates nothing.
func TestOff(t *testing.T) {
	before := sideStarts.Load()
	dir := t.TempDir()
	NewApp(&awscdk.AppProps{Outdir: jsii.String(dir), BuiltinCloudFormationValidation: jsii.Bool(false)}).Synth(nil)
	raw, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var report struct{ PluginReports []any }
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &report); err != nil {
			t.Fatal(err)
		}
	}
	if len(report.PluginReports) != 0 {
		t.Errorf("BuiltinCloudFormationValidation false: %d plugin reports", len(report.PluginReports))
	}
	// jsii's Node.js has the environment it started with, so only the
	// side of this decision is visible here.
	t.Setenv("CDK_VALIDATION", "false")
	NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	if n := sideStarts.Load() - before; n != 0 {
		t.Errorf("validation off: %d side processes started", n)
	}
}

// TestViolations reads the findings of a validation report: each rule the
// test app's stacks break, once per stack, with its construct path,
// template and logical ID; a directory without a report is an error, not
// "no findings".
func TestViolations(t *testing.T) {
	_, dir := builtinReport(t)
	got, err := Violations(dir)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, v := range got {
		if v.Plugin != "CloudFormation Validate" || v.Severity != "error" || v.Description == "" {
			t.Errorf("got %+v, want an error of CloudFormation Validate with a description", v)
		}
		for _, p := range v.Paths {
			found = append(found, v.Rule+" "+p)
		}
	}
	slices.Sort(found)
	want := []string{
		"F3002 Checked/Queue (Checked.template.json Queue)",
		"F3002 Other/Queue (Other.template.json Queue)",
		"F3034 Checked/Queue (Checked.template.json Queue)",
		"F3034 Other/Queue (Other.template.json Queue)",
	}
	if !slices.Equal(found, want) {
		t.Errorf("got %q, want %q", found, want)
	}
	if s := got[0].String(); !strings.Contains(s, got[0].Rule) || !strings.Contains(s, got[0].Description) || !strings.Contains(s, "/Queue") {
		t.Errorf("String() = %q, want the rule, description and path", s)
	}

	if _, err := Violations(t.TempDir()); err == nil || !strings.Contains(err.Error(), ReportFile) {
		t.Errorf("no report: got %v, want an error naming %s", err, ReportFile)
	}
}
