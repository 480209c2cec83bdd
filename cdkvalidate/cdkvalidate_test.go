package cdkvalidate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// synth synthesizes, with newApp, an app whose one template breaks two of
// CDK's validation rules, into outdir, and returns its validation report.
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
	stack := awscdk.NewStack(app, jsii.String("Checked"), nil)
	q := awssqs.NewCfnQueue(stack, jsii.String("Queue"), &awssqs.CfnQueueProps{MessageRetentionPeriod: jsii.Number(10)})
	q.AddPropertyOverride(jsii.String("Bogus"), 1)
	app.Synth(nil)
	raw, err := os.ReadFile(filepath.Join(outdir, "validation-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestSameReport: CDK writes the same validation report whether its
// built-in plugin validates in the app's process or NewApp's side process
// does, starting from a previous synthesis's templates (the engine built
// ahead) or from none; and when the side process fails, CDK's own plugin
// takes over.
func TestSameReport(t *testing.T) {
	builtinDir := t.TempDir()
	want := synth(t, awscdk.NewApp, builtinDir)
	for _, rule := range []string{`"ruleName": "F3002"`, `"ruleName": "F3034"`, `"pluginName": "CloudFormation Validate"`} {
		if !strings.Contains(want, rule) {
			t.Fatalf("the built-in validation's report lacks %s:\n%s", rule, want)
		}
	}

	warm := t.TempDir()
	tpl, err := os.ReadFile(filepath.Join(builtinDir, "Checked.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(warm, "Checked.template.json"), tpl, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := resourceTypes(warm); len(got) != 1 || got[0] != "AWS::SQS::Queue" {
		t.Fatalf("resourceTypes of the previous synthesis: %q", got)
	}
	for _, c := range []struct {
		name, outdir, node string
		side               bool
	}{
		{"engine built ahead", warm, os.Getenv("JSII_NODE"), true},
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
