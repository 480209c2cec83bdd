package streaming_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

func hours(n float64) awscdk.Duration  { return awscdk.Duration_Hours(jsii.Number(n)) }
func secs(n float64) awscdk.Duration   { return awscdk.Duration_Seconds(jsii.Number(n)) }
func days(n float64) awscdk.Duration   { return awscdk.Duration_Days(jsii.Number(n)) }
func millis(n float64) awscdk.Duration { return awscdk.Duration_Millis(jsii.Number(n)) }
func consumer(c streaming.ConsumerProps) *streaming.StandardStreamProps {
	return &streaming.StandardStreamProps{Consumer: &c}
}
func archive(a streaming.ArchiveProps) *streaming.StandardStreamProps {
	return &streaming.StandardStreamProps{Archive: &a}
}
func alarms(a streaming.AlarmProps) *streaming.StandardStreamProps {
	return &streaming.StandardStreamProps{Alarms: &a}
}

func query(q streaming.QueryProps) *streaming.StandardStreamProps {
	return &streaming.StandardStreamProps{Query: &q}
}
func analytics(a streaming.AnalyticsProps) *streaming.StandardStreamProps {
	return &streaming.StandardStreamProps{Analytics: &a}
}

func TestValidateRejects(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(t, false), jsii.String("Imports"), nil)
	code := streaming.FlinkCodeFromAsset(filepath.Join("testdata", "flink-app.zip"))
	tests := []struct {
		name  string
		props *streaming.StandardStreamProps
		want  []string // the field and the value, in the one error
	}{
		{"retention below 24h", &streaming.StandardStreamProps{RetentionPeriod: hours(23)}, []string{"retentionPeriod", "got 23 hours"}},
		{"retention above 8760h", &streaming.StandardStreamProps{RetentionPeriod: hours(8761)}, []string{"retentionPeriod", "got 8761 hours"}},
		{"retention not whole hours", &streaming.StandardStreamProps{RetentionPeriod: awscdk.Duration_Minutes(jsii.Number(24*60 + 30))}, []string{"retentionPeriod", "24.5 hours"}},
		{"shard count with on-demand", &streaming.StandardStreamProps{ShardCount: jsii.Number(2)}, []string{"shardCount", "ON_DEMAND", "got 2"}},
		{"zero shards", &streaming.StandardStreamProps{StreamMode: awskinesis.StreamMode_PROVISIONED, ShardCount: jsii.Number(0)}, []string{"shardCount", "got 0"}},
		{"unknown stream mode", &streaming.StandardStreamProps{StreamMode: "SERVERLESS"}, []string{"streamMode", `"SERVERLESS"`}},
		{"invalid stream name", &streaming.StandardStreamProps{StreamName: jsii.String("orders stream!")}, []string{"streamName", `"orders stream!"`}},
		{"stream name too long", &streaming.StandardStreamProps{StreamName: jsii.String(strings.Repeat("a", 129))}, []string{"streamName", strings.Repeat("a", 129)}},
		{"unknown removal policy", &streaming.StandardStreamProps{RemovalPolicy: "KEEP"}, []string{"removalPolicy", `"KEEP"`}},
		{"snapshot removal policy", &streaming.StandardStreamProps{RemovalPolicy: awscdk.RemovalPolicy_SNAPSHOT}, []string{"removalPolicy", `"SNAPSHOT"`, "cannot be snapshotted"}},
		{"batch size over 10000", consumer(streaming.ConsumerProps{BatchSize: jsii.Number(10001)}), []string{"consumer.batchSize", "got 10001"}},
		{"batch size zero", consumer(streaming.ConsumerProps{BatchSize: jsii.Number(0)}), []string{"consumer.batchSize", "got 0"}},
		{"parallelization 0", consumer(streaming.ConsumerProps{ParallelizationFactor: jsii.Number(0)}), []string{"consumer.parallelizationFactor", "got 0"}},
		{"parallelization 11", consumer(streaming.ConsumerProps{ParallelizationFactor: jsii.Number(11)}), []string{"consumer.parallelizationFactor", "got 11"}},
		{"batching window over 300s", consumer(streaming.ConsumerProps{MaxBatchingWindow: secs(301)}), []string{"consumer.maxBatchingWindow", "5 minutes 1 second"}},
		{"batching window not whole seconds", consumer(streaming.ConsumerProps{MaxBatchingWindow: millis(500)}), []string{"consumer.maxBatchingWindow", "whole number of seconds", "got 0.5 seconds"}},
		{"timeout not whole seconds", consumer(streaming.ConsumerProps{Timeout: millis(30500)}), []string{"consumer.timeout", "whole number of seconds", "got 30.5 seconds"}},
		{"record age not whole seconds", consumer(streaming.ConsumerProps{MaxRecordAge: millis(90500)}), []string{"consumer.maxRecordAge", "whole number of seconds", "got 90.5 seconds"}},
		{"infinite retries", consumer(streaming.ConsumerProps{RetryAttempts: jsii.Number(-1)}), []string{"consumer.retryAttempts", "got -1"}},
		{"memory too small", consumer(streaming.ConsumerProps{MemorySize: jsii.Number(64)}), []string{"consumer.memorySize", "got 64"}},
		{"timeout over 900s", consumer(streaming.ConsumerProps{Timeout: secs(901)}), []string{"consumer.timeout", "15 minutes 1 second"}},
		{"record age above retention", consumer(streaming.ConsumerProps{MaxRecordAge: hours(25)}), []string{"consumer.maxRecordAge", "retentionPeriod", "1 day 1 hour"}},
		{"record age below 60s", consumer(streaming.ConsumerProps{MaxRecordAge: secs(30)}), []string{"consumer.maxRecordAge", "30 seconds"}},
		{"record age above 7 days", &streaming.StandardStreamProps{RetentionPeriod: days(30), Consumer: &streaming.ConsumerProps{MaxRecordAge: days(8)}}, []string{"consumer.maxRecordAge", "8 days"}},
		{"unknown failure destination", consumer(streaming.ConsumerProps{FailureDestination: "SNS"}), []string{"consumer.failureDestination", `"SNS"`}},
		{"empty entry", consumer(streaming.ConsumerProps{Entry: jsii.String("")}), []string{"consumer.entry", "empty"}},
		{"buffering interval over 900s", archive(streaming.ArchiveProps{BufferingInterval: secs(901)}), []string{"archive.bufferingInterval", "15 minutes 1 second"}},
		{"buffering interval not whole seconds", archive(streaming.ArchiveProps{BufferingInterval: millis(60500)}), []string{"archive.bufferingInterval", "whole number of seconds", "got 60.5 seconds"}},
		{"buffering size over 128 MiB", archive(streaming.ArchiveProps{BufferingSize: awscdk.Size_Mebibytes(jsii.Number(129))}), []string{"archive.bufferingSize", "129 MiB"}},
		{"transition before 30 days", archive(streaming.ArchiveProps{TransitionAfter: days(7)}), []string{"archive.transitionAfter", "7 days"}},
		{"transition not whole days", archive(streaming.ArchiveProps{TransitionAfter: hours(45*24 + 12)}), []string{"archive.transitionAfter", "whole number of days", "got 45.5 days"}},
		{"expiration not whole days", archive(streaming.ArchiveProps{Expiration: hours(400*24 + 1)}), []string{"archive.expiration", "whole number of days", "got 400.041"}},
		{"object lock with DESTROY", &streaming.StandardStreamProps{RemovalPolicy: awscdk.RemovalPolicy_DESTROY, Archive: &streaming.ArchiveProps{ObjectLockRetention: days(30)}}, []string{"archive.objectLockRetention", "DESTROY", "got 30 days"}},
		{"object lock longer than expiration", archive(streaming.ArchiveProps{Expiration: days(60), ObjectLockRetention: days(61)}), []string{"archive.objectLockRetention", "archive.expiration (60 days)", "got 61 days"}},
		{"object lock under a day", archive(streaming.ArchiveProps{ObjectLockRetention: days(0)}), []string{"archive.objectLockRetention", "at least 1 day", "got 0 days"}},
		{"object lock not whole days", archive(streaming.ArchiveProps{ObjectLockRetention: hours(36)}), []string{"archive.objectLockRetention", "whole number of days", "got 1.5 days"}},
		{"expiration before transition", archive(streaming.ArchiveProps{TransitionAfter: days(90), Expiration: days(60)}), []string{"archive.expiration", "60 days"}},
		{"iterator-age threshold not below retention", &streaming.StandardStreamProps{
			Consumer: &streaming.ConsumerProps{MaxRecordAge: hours(24)},
			Alarms:   &streaming.AlarmProps{IteratorAgeThreshold: hours(24)},
		}, []string{"alarms.iteratorAgeThreshold", "retentionPeriod", "1 day"}},
		{"iterator-age threshold not below record age", alarms(streaming.AlarmProps{IteratorAgeThreshold: hours(7)}), []string{"alarms.iteratorAgeThreshold", "consumer.maxRecordAge", "7 hours"}},
		{"iterator-age threshold zero", alarms(streaming.AlarmProps{IteratorAgeThreshold: secs(0)}), []string{"alarms.iteratorAgeThreshold", "0 seconds"}},
		{"freshness threshold not below retention", alarms(streaming.AlarmProps{ArchiveFreshnessThreshold: hours(24)}), []string{"alarms.archiveFreshnessThreshold", "1 day"}},
		{"iterator-age threshold not whole milliseconds", alarms(streaming.AlarmProps{IteratorAgeThreshold: awscdk.Duration_Seconds(jsii.Number(60.0005))}), []string{"alarms.iteratorAgeThreshold", "whole number of milliseconds", "got 60000.5 milliseconds"}},
		{"freshness threshold not whole seconds", alarms(streaming.AlarmProps{ArchiveFreshnessThreshold: millis(1200500)}), []string{"alarms.archiveFreshnessThreshold", "whole number of seconds", "got 1200.5 seconds"}},
		{"freshness threshold within buffering", alarms(streaming.AlarmProps{ArchiveFreshnessThreshold: secs(120)}), []string{"alarms.archiveFreshnessThreshold", "2 minutes"}},
		{"max record size below 1024 KiB", &streaming.StandardStreamProps{MaxRecordSizeInKiB: jsii.Number(1000)}, []string{"maxRecordSizeInKiB", "got 1000"}},
		{"max record size above 10 MiB", &streaming.StandardStreamProps{MaxRecordSizeInKiB: jsii.Number(10241)}, []string{"maxRecordSizeInKiB", "got 10241"}},
		{"max record size the archive cannot take", &streaming.StandardStreamProps{MaxRecordSizeInKiB: jsii.Number(2048)}, []string{"maxRecordSizeInKiB", "archive (Firehose takes records up to 1024 KB", "archive.disabled", "got 2048"}},
		{"max record size the Lambda consumer cannot take, no archive", &streaming.StandardStreamProps{MaxRecordSizeInKiB: jsii.Number(4608), Archive: &streaming.ArchiveProps{Disabled: jsii.Bool(true)}}, []string{"maxRecordSizeInKiB", "Lambda consumer", "4096 KiB", "got 4608"}},
		{"archive setting with the archive disabled", archive(streaming.ArchiveProps{Disabled: jsii.Bool(true), BufferingInterval: secs(60)}), []string{"archive.bufferingInterval", "archive.disabled", "1 minute"}},
		{"freshness threshold with the archive disabled", &streaming.StandardStreamProps{Archive: &streaming.ArchiveProps{Disabled: jsii.Bool(true)}, Alarms: &streaming.AlarmProps{ArchiveFreshnessThreshold: secs(1800)}}, []string{"alarms.archiveFreshnessThreshold", "archive.disabled", "30 minutes"}},
		{"query settings with the archive disabled", &streaming.StandardStreamProps{Archive: &streaming.ArchiveProps{Disabled: jsii.Bool(true)}, Query: &streaming.QueryProps{TableName: jsii.String("events")}}, []string{"query needs the archive", "query.disabled"}},
		{"max record size the Lambda consumer cannot take", &streaming.StandardStreamProps{MaxRecordSizeInKiB: jsii.Number(5000)}, []string{"maxRecordSizeInKiB", "Lambda consumer", "4096 KiB", "got 5000"}},
		{"database name with capitals", query(streaming.QueryProps{DatabaseName: jsii.String("Orders-DB")}), []string{"query.databaseName", `"Orders-DB"`}},
		{"table name with a space", query(streaming.QueryProps{TableName: jsii.String("my table")}), []string{"query.tableName", `"my table"`}},
		{"results expiration over a year", query(streaming.QueryProps{ResultsExpiration: days(400)}), []string{"query.resultsExpiration", "400 days"}},
		{"results expiration with a bucket passed in", query(streaming.QueryProps{ResultsExpiration: days(7), ResultsBucket: awss3.Bucket_FromBucketName(stack, jsii.String("Results"), jsii.String("results"))}), []string{"query.resultsExpiration", "query.resultsBucket", "7 days"}},
		{"bytes scanned cutoff below 10 MB", query(streaming.QueryProps{BytesScannedCutoff: awscdk.Size_Mebibytes(jsii.Number(1))}), []string{"query.bytesScannedCutoff", "10 MB", "1048576 bytes"}},
		{"analytics without code", analytics(streaming.AnalyticsProps{}), []string{"analytics.code", "required"}},
		{"analytics code file missing", analytics(streaming.AnalyticsProps{Code: streaming.FlinkCodeFromAsset("testdata/nope.jar")}), []string{"analytics.code", "testdata/nope.jar"}},
		{"analytics code a directory", analytics(streaming.AnalyticsProps{Code: streaming.FlinkCodeFromAsset("testdata")}), []string{"analytics.code", `directory "testdata"`}},
		{"analytics code with an empty key", analytics(streaming.AnalyticsProps{Code: streaming.FlinkCodeFromBucket(awss3.Bucket_FromBucketName(stack, jsii.String("Code"), jsii.String("code")), "")}), []string{"analytics.code", "key", `""`}},
		{"analytics unknown runtime", analytics(streaming.AnalyticsProps{Code: code, Runtime: "FLINK-1_11"}), []string{"analytics.runtime", `"FLINK-1_11"`}},
		{"analytics parallelism 0", analytics(streaming.AnalyticsProps{Code: code, Parallelism: jsii.Number(0)}), []string{"analytics.parallelism", "got 0"}},
		{"analytics 9 tasks per KPU", analytics(streaming.AnalyticsProps{Code: code, ParallelismPerKpu: jsii.Number(9)}), []string{"analytics.parallelismPerKpu", "got 9"}},
		{"analytics checkpoint interval under a second", analytics(streaming.AnalyticsProps{Code: code, CheckpointInterval: awscdk.Duration_Millis(jsii.Number(500))}), []string{"analytics.checkpointInterval", "500 millis"}},
		{"analytics pause above the interval", analytics(streaming.AnalyticsProps{Code: code, CheckpointInterval: secs(10), MinPauseBetweenCheckpoints: secs(20)}), []string{"analytics.minPauseBetweenCheckpoints", "10 seconds", "20 seconds"}},
		{"analytics property the construct sets", analytics(streaming.AnalyticsProps{Code: code, Properties: &map[string]*string{"stream.arn": jsii.String("x")}}), []string{"analytics.properties", `"stream.arn"`, `"x"`}},
		{"analytics backpressure threshold 0", analytics(streaming.AnalyticsProps{Code: code, BackpressureThreshold: jsii.Number(0)}), []string{"analytics.backpressureThreshold", "got 0"}},
		{"runbook base URL relative", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("docs/runbooks")}), []string{"alarms.runbookBaseURL", "absolute http or https URL", `"docs/runbooks"`}},
		{"runbook base URL other scheme", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("ftp://wiki.example.com/runbooks")}), []string{"alarms.runbookBaseURL", `"ftp://wiki.example.com/runbooks"`}},
		{"runbook base URL with query", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("https://wiki.example.com/page?id=1")}), []string{"alarms.runbookBaseURL", "query or fragment", `"https://wiki.example.com/page?id=1"`}},
		{"runbook base URL with fragment", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("https://wiki.example.com/runbooks#top")}), []string{"alarms.runbookBaseURL", "query or fragment"}},
		{"runbook base URL with credentials", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("https://user:pw@wiki.example.com/runbooks")}), []string{"alarms.runbookBaseURL", "credentials"}},
		{"runbook base URL too long", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("https://wiki.example.com/" + strings.Repeat("a", 240))}), []string{"alarms.runbookBaseURL", "at most 256 characters", "got 265"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := streaming.Validate(tt.props)
			var pe *streaming.PropsError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *PropsError", err)
			}
			if len(pe.Errs) != 1 {
				t.Errorf("got %d errors, want 1: %v", len(pe.Errs), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Tokens"), nil)
	param := awscdk.NewCfnParameter(stack, jsii.String("Hours"), &awscdk.CfnParameterProps{Type: jsii.String("Number")})
	tests := []struct {
		name  string
		props *streaming.StandardStreamProps
	}{
		{"nil", nil},
		{"zero value", &streaming.StandardStreamProps{}},
		{"limits", &streaming.StandardStreamProps{
			StreamName: jsii.String("orders_v2.events-prod"), RetentionPeriod: hours(8760),
			StreamMode: awskinesis.StreamMode_PROVISIONED, ShardCount: jsii.Number(1),
			Consumer: &streaming.ConsumerProps{BatchSize: jsii.Number(10000), ParallelizationFactor: jsii.Number(10),
				MaxBatchingWindow: secs(300), RetryAttempts: jsii.Number(0), MaxRecordAge: days(7), Timeout: secs(900)},
			Archive: &streaming.ArchiveProps{BufferingInterval: secs(0), BufferingSize: awscdk.Size_Mebibytes(jsii.Number(128)),
				Expiration: days(45), ObjectLockRetention: days(45)},
		}},
		{"large records without an archive", &streaming.StandardStreamProps{
			MaxRecordSizeInKiB: jsii.Number(4096),
			Archive:            &streaming.ArchiveProps{Disabled: jsii.Bool(true)},
			Query:              &streaming.QueryProps{Disabled: jsii.Bool(true)},
		}},
		{"runbook base URL", alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String("https://github.com/acme/orders/blob/main/docs/runbooks/")})},
		{"unresolved tokens", &streaming.StandardStreamProps{
			RetentionPeriod: awscdk.Duration_Hours(param.ValueAsNumber()),
			StreamName:      param.ValueAsString(),
			Consumer:        &streaming.ConsumerProps{BatchSize: param.ValueAsNumber()},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := streaming.Validate(tt.props); err != nil {
				t.Errorf("got %v, want no error", err)
			}
		})
	}
}

func TestValidateDoesNotWriteProps(t *testing.T) {
	c := &streaming.ConsumerProps{}
	props := &streaming.StandardStreamProps{Consumer: c}
	if err := streaming.Validate(props); err != nil {
		t.Fatal(err)
	}
	if props.RetentionPeriod != nil || c.BatchSize != nil || c.MaxRecordAge != nil || props.Alarms != nil {
		t.Errorf("Validate wrote defaults into the caller's props: %+v %+v", props, c)
	}
}

// A bad prop, a consumer that does not build and a nil grantee are synth
// errors on the construct, all of them at once, each naming the field and the
// value; the construct is still complete, so the app's code goes on.
func TestNewStandardStreamReportsSynthErrors(t *testing.T) {
	// The construct package itself is a Go package, but not a main one.
	notMain, _ := os.Getwd()
	missing := filepath.Join(t.TempDir(), "nope")
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	bad := streaming.NewStandardStream(stack, "Bad", &streaming.StandardStreamProps{
		RetentionPeriod: hours(8761),
		RemovalPolicy:   awscdk.RemovalPolicy_SNAPSHOT,
		Consumer:        &streaming.ConsumerProps{Entry: jsii.String(notMain), MaxBatchingWindow: millis(500)},
	})
	missingEntry := streaming.NewStandardStream(stack, "Missing", consumer(streaming.ConsumerProps{Entry: jsii.String(missing)}))
	writer := awsiam.NewRole(stack, jsii.String("Writer"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	bad.GrantWrite(writer)
	if g := missingEntry.GrantWrite(nil); g == nil || *g.Success() {
		t.Errorf("GrantWrite(nil): got grant %v, want a grant that did not succeed", g)
	}
	missingEntry.GrantRead(nil)
	bad.AlarmTopic.TopicArn()

	want := [][]string{
		{"Test/Bad: ", "retentionPeriod", "8761 hours"},
		{"Test/Bad: ", "removalPolicy", `"SNAPSHOT"`},
		{"Test/Bad: ", "consumer.maxBatchingWindow", "0.5 seconds"},
		{"Test/Bad: ", "consumer.entry", notMain, "not a main package"},
		{"Test/Missing: ", "consumer.entry", missing},
		{"Test/Missing: ", "GrantWrite", "grantee", "nil"},
		{"Test/Missing: ", "GrantRead", "grantee", "nil"},
	}
	got := cdktest.Errors(stack)
	if len(got) != len(want) {
		t.Fatalf("got %d synth errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		for _, part := range w {
			if !strings.Contains(got[i], part) {
				t.Errorf("error %d: got %q, want it to contain %q", i, got[i], part)
			}
		}
	}
	// The stream was built from the defaults, and the grant to the real
	// writer is in place.
	tpl := cdktest.FromStack(t, stack)
	tpl.HasResourceProperties("AWS::Kinesis::Stream", obj("RetentionPeriodHours", 24))
	tpl.HasResourceProperties("AWS::IAM::Policy", like(
		"Roles", []any{obj("Ref", tpl.LogicalID("AWS::IAM::Role", "Writer"))},
	))
}

func TestTimeoutCoversABatch(t *testing.T) {
	err := streaming.Validate(consumer(streaming.ConsumerProps{BatchSize: jsii.Number(10000), Timeout: secs(60)}))
	if err == nil || !strings.Contains(err.Error(), "consumer.timeout must be at least 105 seconds for a batch of 10000 records") || !strings.Contains(err.Error(), "1 minute") {
		t.Errorf("got %v, want the timeout rejected for a 10,000-record batch", err)
	}
	// The construct's margin is the consumer library's.
	if margin := fmt.Sprintf("consumer's %v s checkpoint margin", kinesisbatch.DefaultDeadlineMargin.Seconds()); !strings.Contains(fmt.Sprint(err), margin) {
		t.Errorf("got %v, want it to use the library's margin (%q)", err, margin)
	}
	if err := streaming.Validate(consumer(streaming.ConsumerProps{BatchSize: jsii.Number(10000), Timeout: secs(105)})); err != nil {
		t.Errorf("got %v, want 105 s accepted for 10,000 records", err)
	}
}

func TestDataModel(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"type":"object","required":["id"],"properties":{"id":{"type":"string"}},"examples":[{"id":"a"}]}`)
	model := func(mutate func(*streaming.DataModel)) *streaming.StandardStreamProps {
		m := &streaming.DataModel{
			Schema: jsii.String(good), Owner: jsii.String("team"), Description: jsii.String("d"),
			PartitionKey: jsii.String("id"), PartitionKeyRationale: jsii.String("unique"),
			Classification: streaming.ClassificationInternal,
		}
		mutate(m)
		return &streaming.StandardStreamProps{DataModel: m}
	}
	if err := streaming.Validate(model(func(*streaming.DataModel) {})); err != nil {
		t.Fatalf("valid data model: got %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*streaming.DataModel)
		want   []string
	}{
		{"missing schema file", func(m *streaming.DataModel) { m.Schema = jsii.String(filepath.Join(dir, "nope.json")) }, []string{"dataModel.schema", "nope.json"}},
		{"no schema", func(m *streaming.DataModel) { m.Schema = nil }, []string{"dataModel.schema", "required"}},
		{"schema not JSON", func(m *streaming.DataModel) { m.Schema = jsii.String(write("bad.json", `{"type":`)) }, []string{"dataModel.schema", "bad.json", "not valid JSON"}},
		{"schema not a JSON Schema", func(m *streaming.DataModel) { m.Schema = jsii.String(write("wrong.json", `{"type": 5}`)) }, []string{"dataModel.schema", "wrong.json", "not a valid JSON Schema"}},
		{"example does not validate", func(m *streaming.DataModel) {
			m.Schema = jsii.String(write("ex.json", `{"type":"object","required":["id"],"examples":[{"name":"x"}]}`))
		}, []string{"dataModel.schema", "examples[0]", "id"}},
		{"no owner", func(m *streaming.DataModel) { m.Owner = jsii.String("") }, []string{"dataModel.owner"}},
		{"no partition key", func(m *streaming.DataModel) { m.PartitionKey = nil }, []string{"dataModel.partitionKey"}},
		{"unknown classification", func(m *streaming.DataModel) { m.Classification = "SECRET" }, []string{"dataModel.classification", `"SECRET"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := streaming.Validate(model(tt.mutate))
			var pe *streaming.PropsError
			if !errors.As(err, &pe) || len(pe.Errs) != 1 {
				t.Fatalf("got %v, want one *PropsError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestAllOptionsCfnLint checks the template of the stream with every option
// with CDK's template validation and lints it with cfn-lint
// (test/lint_test.go lints the environments). It is the package's last test:
// cfn-lint started when TestQueryAndAnalytics synthesized that template, and
// its seconds of Python ran while the tests in between kept jsii busy.
func TestAllOptionsCfnLint(t *testing.T) {
	synthAllOptions(t)
	if allOptions.invalid != nil {
		t.Errorf("the template with every option: %v", allOptions.invalid)
	}
	if err := allOptions.lint.wait(); err != nil {
		t.Errorf("cfn-lint found problems in the template with every option (%v):\n%s", err, allOptions.lint.out.String())
	}
}
