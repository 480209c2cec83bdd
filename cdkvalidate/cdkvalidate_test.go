package cdkvalidate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// synth synthesizes, with newApp, an app whose one template breaks two of
// CDK's validation rules (three with retention), into outdir, and returns
// its validation report.
func synth(t *testing.T, newApp func(*awscdk.AppProps) awscdk.App, outdir string, retention float64) string {
	t.Helper()
	app := newApp(&awscdk.AppProps{
		Outdir: jsii.String(outdir),
		Context: &map[string]any{
			// Errors stay errors, and the report is written, not thrown.
			"@aws-cdk/core:validateAgainstDefaultRules": true,
			"@aws-cdk/core:failSynthOnValidationErrors": false,
		},
	})
	stack := awscdk.NewStack(app, jsii.String("Checked"), nil)
	q := awssqs.NewCfnQueue(stack, jsii.String("Queue"), &awssqs.CfnQueueProps{MessageRetentionPeriod: jsii.Number(retention)})
	q.AddPropertyOverride(jsii.String("Bogus"), 1)
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
		builtin.report = synth(t, awscdk.NewApp, dir, 10)
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
	os.Exit(code)
}

// previousSynthesis returns a directory holding the manifest and template
// of the built-in synthesis, as a previous `cdk synth` leaves them.
func previousSynthesis(t *testing.T) string {
	t.Helper()
	_, from := builtinReport(t)
	dir := t.TempDir()
	for _, f := range []string{"manifest.json", "Checked.template.json"} {
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
			if got := synth(t, NewApp, c.outdir, 10); got != want {
				t.Errorf("validation report\n got %s\nwant %s", got, want)
			}
			if used := sideReports.Load() > before; used != c.side {
				t.Errorf("the side process's report was used: %v, want %v", used, c.side)
			}
		})
	}
}

// TestValidatedAhead drives the side process as NewApp's plugin does: a
// template written while it runs is validated at once, and the request
// reuses that answer only while the template is unchanged.
func TestValidatedAhead(t *testing.T) {
	_, from := builtinReport(t)
	good, err := os.ReadFile(filepath.Join(from, "Checked.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	other := []byte(strings.Replace(string(good), `"MessageRetentionPeriod": 10`, `"MessageRetentionPeriod": 20`, 1))
	if string(other) == string(good) {
		t.Fatalf("the template has no MessageRetentionPeriod 10:\n%s", good)
	}
	t.Setenv("CDKVALIDATE_TRACE", "1")
	for _, c := range []struct {
		name        string
		ahead, last []byte // written (and validated ahead), then before the request
		reused      int64  // engine answers given ahead, at least
		want, stale string // in the report, and not
	}{
		{"unchanged", good, nil, 1, "10 is less than the minimum of 60", "20 is less"},
		// The rewrite may be validated ahead as well, or not yet.
		{"rewritten after", good, other, 0, "20 is less than the minimum of 60", "10 is less"},
	} {
		t.Run(c.name, func(t *testing.T) {
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
			template := filepath.Join(dir, "Checked.template.json")
			if err := os.WriteFile(template, c.ahead, 0o644); err != nil {
				t.Fatal(err)
			}
			await("validated ahead: Checked.template.json")
			if c.last != nil {
				if err := os.WriteFile(template, c.last, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			report, _, reused, err := s.validate(&[]*awscdk.PolicyValidationStack{{StackConstructPath: jsii.String("Checked"), TemplatePath: jsii.String(template)}})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(report)
			if reused < c.reused || !strings.Contains(string(got), c.want) || strings.Contains(string(got), c.stale) || *report.Success {
				t.Errorf("reused %d engine answers (want at least %d), report %s; want one that fails with %q and not %q", reused, c.reused, got, c.want, c.stale)
			}
		})
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
