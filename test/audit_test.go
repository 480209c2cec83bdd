package test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/audit"
	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/stacks"
)

// audited is a set of templates.
type audited struct {
	templates []string
	// teams are resources the test creates for the streams (a team's own
	// key), which are not the construct's to audit.
	teams []string
}

// auditedTemplates returns every environment's template (the goldens, which
// TestSnapshots keeps equal to synth) and a template with one StandardStream
// per other option combination, synthesized here.
func auditedTemplates(t *testing.T) audited {
	var a audited
	for _, env := range stacks.Environments() {
		a.templates = append(a.templates, filepath.Join("testdata", env.StackName()+".template.json"))
	}

	app := cdktest.NewValidatedApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Options"), nil)
	key := awskms.NewKey(stack, jsii.String("TeamKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	a.teams = append(a.teams, "Options/TeamKey", "Options/Analyst")
	// Few streams, each with several options, keep the audit fast; the
	// environments cover the defaults, RETAIN and DESTROY without a key.
	flink := func() *streaming.AnalyticsProps {
		return &streaming.AnalyticsProps{Code: streaming.FlinkCodeFromAsset(filepath.Join("..", "constructs", "streaming", "testdata", "flink-app.zip"))}
	}
	for id, props := range map[string]*streaming.StandardStreamProps{
		"Sqs": {RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, Analytics: flink(), Consumer: &streaming.ConsumerProps{
			FailureDestination: streaming.FailureDestinationSQS, EnhancedFanOut: jsii.Bool(true),
		}},
		"Keyed": {EncryptionKey: key, StreamMode: awskinesis.StreamMode_PROVISIONED, ShardCount: jsii.Number(2),
			Archive:   &streaming.ArchiveProps{ObjectLockRetention: awscdk.Duration_Days(jsii.Number(90))},
			Analytics: flink()},
		"LargeRecords": {MaxRecordSizeInKiB: jsii.Number(4096), Archive: &streaming.ArchiveProps{Disabled: jsii.Bool(true)}},
		"KeyedDestroySqs": {EncryptionKey: key, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
			Consumer: &streaming.ConsumerProps{FailureDestination: streaming.FailureDestinationSQS}},
	} {
		s := streaming.NewStandardStream(stack, id, props)
		if id == "Keyed" {
			s.GrantWrite(awsiam.NewAccountPrincipal(jsii.String("111122223333")))
			s.GrantQuery(awsiam.NewRole(stack, jsii.String("Analyst"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()}))
		}
	}
	if errs := cdktest.Errors(stack); len(errs) > 0 {
		t.Fatalf("the options stack has synth errors:\n%s", strings.Join(errs, "\n"))
	}
	a.templates = append(a.templates, filepath.Join(*app.Synth(nil).Directory(), "Options.template.json"))
	if err := cdktest.Validation(app); err != nil {
		t.Errorf("the options stack: %v", err)
	}
	return a
}

// TestAudits runs the two outside audits over every environment's template
// and every option: cdk-nag's AwsSolutions and Serverless packs at template
// level, and AWS Control Tower's proactive controls with cfn-guard. Any
// unsuppressed cdk-nag finding, or Control Tower finding not exempted in
// streaming.ControlTowerExemptions, fails the test.
func TestAudits(t *testing.T) {
	a := auditedTemplates(t)
	// cfn-guard is a separate process; it runs while cdk-nag runs in jsii.
	t.Run("cdk-nag", func(t *testing.T) {
		t.Parallel()
		f, err := audit.Nag(a.templates...)
		if err != nil {
			t.Fatal(err)
		}
		if len(f) > 0 {
			t.Errorf("%d unsuppressed cdk-nag findings:\n%s", len(f), strings.Join(f, "\n"))
		}
	})
	t.Run("control tower", func(t *testing.T) {
		t.Parallel()
		findings, err := audit.ControlTower(cdktest.Root(t), a.templates...)
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) == 0 {
			t.Fatal("no findings at all; the audit is not running (every template has exempted ones)")
		}
		// The team's own resources the test adds are not the construct's.
		findings = slices.DeleteFunc(findings, func(f audit.Finding) bool {
			parts := strings.Split(f.Path, "/")
			return len(parts) >= 2 && slices.Contains(a.teams, strings.Join(parts[:2], "/"))
		})
		rest, used, err := audit.Exempt(findings, a.templates...)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rest {
			t.Errorf("not exempted: %s", f)
		}
		for i, e := range streaming.ControlTowerExemptions {
			if !slices.Contains(used, i) {
				t.Errorf("exemption %s on %s (%s) is not needed any more; remove it", e.Control, e.Resource, e.When)
			}
		}
	})
}

// docs/security.md lists every Control Tower exemption with its reason.
func TestControlTowerExemptionsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(doc), "\n")
	for _, e := range streaming.ControlTowerExemptions {
		row := fmt.Sprintf("| %s | `%s` |", e.Control, e.Resource)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, row) }) {
			t.Errorf("docs/security.md has no row starting %q", row)
		}
	}
}
