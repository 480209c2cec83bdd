package test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/stacks"
)

// The tests of package stacks, the reference app's environments, are here
// rather than beside it: they share this package's test binary and jsii
// process instead of linking aws-cdk-go and starting Node.js for their own.

func valid() stacks.Environment {
	e, _ := stacks.Lookup("dev")
	return e
}

func TestEnvironmentsAreValid(t *testing.T) {
	names := map[string]bool{}
	for _, e := range stacks.Environments() {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
		names[e.Name] = true
	}
	for _, want := range []string{"dev", "staging", "prod"} {
		if !names[want] {
			t.Errorf("environment %q missing", want)
		}
	}
}

func TestEnvironmentRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*stacks.Environment)
		want   []string
	}{
		{"empty name", func(e *stacks.Environment) { e.Name = "" }, []string{"name", `""`}},
		{"name with capitals", func(e *stacks.Environment) { e.Name = "Dev" }, []string{"name", `"Dev"`}},
		{"short account", func(e *stacks.Environment) { e.Account, e.Region = "1234", "eu-west-1" }, []string{"account", `"1234"`}},
		{"bad region", func(e *stacks.Environment) { e.Account, e.Region = "123456789012", "europe" }, []string{"region", `"europe"`}},
		{"account without region", func(e *stacks.Environment) { e.Account = "123456789012" }, []string{"account and region", `"123456789012"`}},
		{"zero retention", func(e *stacks.Environment) { e.Retention = 0 }, []string{"retention", "0s"}},
		{"retention not whole hours", func(e *stacks.Environment) { e.Retention = 90 * time.Minute }, []string{"retention", "1h30m0s"}},
		{"no log retention", func(e *stacks.Environment) { e.LogRetention = "" }, []string{"logRetention"}},
		{"negative iterator-age threshold", func(e *stacks.Environment) { e.IteratorAgeThreshold = -time.Minute }, []string{"iteratorAgeThreshold", "-1m0s"}},
		{"fractional buffer interval", func(e *stacks.Environment) { e.ArchiveBufferInterval = 1500 * time.Millisecond }, []string{"archiveBufferInterval", "1.5s"}},
		{"zero buffer size", func(e *stacks.Environment) { e.ArchiveBufferMiB = 0 }, []string{"archiveBufferMiB", "got 0"}},
		{"unknown removal policy", func(e *stacks.Environment) { e.RemovalPolicy = "snapshot" }, []string{"removalPolicy", `"snapshot"`}},
		{"bad email", func(e *stacks.Environment) { e.AlarmEmails = []string{"ops-at-example.com"} }, []string{"alarmEmails", `"ops-at-example.com"`}},
		{"prod without termination protection", func(e *stacks.Environment) {
			e.Name, e.RemovalPolicy, e.TerminationProtection = "prod", awscdk.RemovalPolicy_RETAIN, false
		}, []string{"terminationProtection", "prod"}},
		{"prod destroys data", func(e *stacks.Environment) {
			e.Name, e.TerminationProtection, e.RemovalPolicy = "prod", true, awscdk.RemovalPolicy_DESTROY
		}, []string{"removalPolicy", "prod", "DESTROY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid()
			tt.mutate(&e)
			err := e.Validate()
			if err == nil {
				t.Fatal("got no error")
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
				t.Errorf("got %d errors, want 1: %v", n, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// Values that are valid Go config but that the construct rejects are synth
// errors on the stream's construct, which `cdk synth` reports with its path.
func TestConstructErrorsAreSynthErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*stacks.Environment)
		want   []string
	}{
		{"retention above a year", func(e *stacks.Environment) { e.Retention = 8761 * time.Hour }, []string{"retentionPeriod", "8761"}},
		{"threshold not below retention", func(e *stacks.Environment) { e.IteratorAgeThreshold = 24 * time.Hour }, []string{"alarms.iteratorAgeThreshold", "1 day"}},
		{"buffer over 128 MiB", func(e *stacks.Environment) { e.ArchiveBufferMiB = 256 }, []string{"archive.bufferingSize", "256"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid()
			tt.mutate(&e)
			app := cdktest.NewApp(t, false)
			d, err := stacks.NewStreamStack(app, e)
			if err != nil {
				t.Fatalf("got error %v, want synth errors on the construct", err)
			}
			errs := cdktest.Errors(d.Stack)
			if len(errs) != 1 {
				t.Fatalf("got %d synth errors, want 1: %q", len(errs), errs)
			}
			for _, w := range append(tt.want, "StandardStream-dev/Events: ") {
				if !strings.Contains(errs[0], w) {
					t.Errorf("got %q, want it to contain %q", errs[0], w)
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	if e, err := stacks.Lookup("prod"); err != nil || e.StackName() != "StandardStream-prod" {
		t.Errorf("got %q, %v; want StandardStream-prod", e.StackName(), err)
	}
	if _, err := stacks.Lookup("qa"); err == nil || !strings.Contains(err.Error(), `"qa"`) {
		t.Errorf("got %v, want an error naming qa", err)
	}
}

func TestPerEnvironment(t *testing.T) {
	// Every stack is built before the first synthesis, as in the app.
	app := cdktest.NewApp(t, false)
	envs := map[string]stacks.Environment{}
	built := map[string]awscdk.Stack{}
	for _, name := range []string{"dev", "prod"} {
		e, _ := stacks.Lookup(name)
		if name == "dev" {
			e.AlarmEmails = []string{"oncall@example.com"}
		}
		d, err := stacks.NewStreamStack(app, e)
		if err != nil {
			t.Fatal(err)
		}
		envs[name], built[name] = e, d.Stack
	}
	for name, e := range envs {
		stack := built[name]
		t.Run(name, func(t *testing.T) {
			if got := *stack.TerminationProtection(); got != e.TerminationProtection {
				t.Errorf("termination protection: got %v, want %v", got, e.TerminationProtection)
			}
			tpl := cdktest.FromStack(t, stack)
			tpl.HasResourceProperties("AWS::Kinesis::Stream", map[string]any{
				"Name":                 "standardstream-events-" + name,
				"RetentionPeriodHours": e.Retention.Hours(),
			})
			tpl.HasResourceProperties("AWS::Logs::LogGroup", map[string]any{"RetentionInDays": retentionDays(e.LogRetention)})
			want := map[awscdk.RemovalPolicy]string{awscdk.RemovalPolicy_DESTROY: "Delete", awscdk.RemovalPolicy_RETAIN: "Retain"}[e.RemovalPolicy]
			for _, typ := range []string{"AWS::Kinesis::Stream", "AWS::S3::Bucket"} {
				for id, r := range tpl.Resources(typ) {
					if r["DeletionPolicy"] != want {
						t.Errorf("%s: got DeletionPolicy %v, want %s", id, r["DeletionPolicy"], want)
					}
				}
			}
			tpl.HasResourceProperties("AWS::KinesisFirehose::DeliveryStream", map[string]any{
				"ExtendedS3DestinationConfiguration": map[string]any{"BufferingHints": map[string]any{
					"IntervalInSeconds": e.ArchiveBufferInterval.Seconds(), "SizeInMBs": e.ArchiveBufferMiB,
				}},
			})
			tpl.HasResourceProperties("AWS::CloudWatch::Alarm", map[string]any{
				"MetricName": "IteratorAge", "Threshold": float64(e.IteratorAgeThreshold.Milliseconds()),
			})
			if len(e.AlarmEmails) > 0 {
				tpl.HasResourceProperties("AWS::SNS::Subscription", map[string]any{"Protocol": "email", "Endpoint": e.AlarmEmails[0]})
			} else {
				tpl.ResourceCountIs("AWS::SNS::Subscription", 0)
			}
		})
	}
}

func retentionDays(r awslogs.RetentionDays) int {
	return map[awslogs.RetentionDays]int{
		awslogs.RetentionDays_ONE_WEEK: 7, awslogs.RetentionDays_ONE_MONTH: 30, awslogs.RetentionDays_THREE_MONTHS: 90,
	}[r]
}
