package streaming_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// allOptions is one StandardStream with every option of issue 13 on, synthesized
// once and shared: a data model, a customer-managed key, an enhanced fan-out
// consumer, a Flink application, grants to two other accounts and GrantQuery.
// Its cdk-nag findings are read right after the synthesis, and cfn-lint starts
// on its template then and runs while the package's other tests synthesize
// (TestAllOptionsCfnLint, the package's last test, waits for it).
var allOptions struct {
	once sync.Once
	err  error
	nag  []string
	tpl  *cdktest.Template
	s    *streaming.StandardStream
	lint *cfnLintRun
	// invalid lists what CDK's template validation found.
	invalid error
}

// cfnLintRun is cfn-lint linting a template read from its standard input.
type cfnLintRun struct {
	out  bytes.Buffer
	done chan error
	once sync.Once
	err  error
}

// wait returns cfn-lint's result once it has ended.
func (r *cfnLintRun) wait() error {
	r.once.Do(func() { r.err = <-r.done })
	return r.err
}

func startCfnLint(template map[string]any) *cfnLintRun {
	r := &cfnLintRun{done: make(chan error, 1)}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		r.done <- fmt.Errorf("cfn-lint not found on PATH (%v); install it (pip install cfn-lint)", err)
		return r
	}
	b, err := json.Marshal(template)
	if err != nil {
		r.done <- err
		return r
	}
	cmd := exec.Command(bin, "--config-file", filepath.Join("..", "..", ".cfnlintrc"))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(b), &r.out, &r.out
	if err := cmd.Start(); err != nil {
		r.done <- err
		return r
	}
	go func() { r.done <- cmd.Wait() }()
	return r
}

func synthAllOptions(t *testing.T) (*cdktest.Template, *streaming.StandardStream) {
	t.Helper()
	allOptions.once.Do(func() {
		entry, err := streaming.ReferenceConsumerEntry()
		if err != nil {
			allOptions.err = err
			return
		}
		allOptions.err = cdktest.Catch(func() {
			// The output directory is the first test's: the nag reports
			// are read before it ends.
			app := cdktest.NewValidatedApp(t, false)
			nag := cdktest.Nag(app)
			stack := awscdk.NewStack(app, jsii.String("All"), nil)
			key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
			s := streaming.NewStandardStream(stack, "Events", &streaming.StandardStreamProps{
				StreamName:         jsii.String("orders-events"),
				EncryptionKey:      key,
				MaxRecordSizeInKiB: jsii.Number(1024),
				Consumer:           &streaming.ConsumerProps{EnhancedFanOut: jsii.Bool(true)},
				DataModel: &streaming.DataModel{
					Schema: jsii.String(filepath.Join(entry, "event.schema.json")), Owner: jsii.String("team"),
					Description: jsii.String("d"), PartitionKey: jsii.String("k"), PartitionKeyRationale: jsii.String("r"),
					Classification: streaming.ClassificationInternal,
				},
				Analytics: &streaming.AnalyticsProps{
					Code:       streaming.FlinkCodeFromAsset(filepath.Join("testdata", "flink-app.zip")),
					Properties: &map[string]*string{"sink.table": jsii.String("orders")},
				},
			})
			s.GrantWrite(awsiam.NewAccountPrincipal(jsii.String("111122223333")))
			s.GrantRead(awsiam.NewArnPrincipal(jsii.String("arn:aws:iam::444455556666:role/consumer")))
			analyst := awsiam.NewRole(stack, jsii.String("Analyst"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
			s.GrantQuery(analyst)
			tpl := cdktest.FromStack(t, stack)
			allOptions.lint = startCfnLint(tpl.JSON())
			allOptions.nag = nag()
			allOptions.invalid = cdktest.Validation(app)
			allOptions.tpl, allOptions.s = tpl, s
		})
	})
	if allOptions.err != nil {
		t.Fatalf("synthesizing the stream with every option: %v", allOptions.err)
	}
	return allOptions.tpl.For(t), allOptions.s
}

func getAtt(id, attr string) any { return obj("Fn::GetAtt", []any{id, attr}) }

// The table's location template is the archive's Firehose prefix with each
// timestamp replaced by its partition, character for character, and each
// partition's projection range and width cover the values Firehose writes.
func TestArchiveProjectionMatchesPrefix(t *testing.T) {
	firehose := map[string]string{"yyyy": "2006", "MM": "01", "dd": "02", "HH": "15"} // Java to Go layouts
	timestamp := regexp.MustCompile(`!\{timestamp:([A-Za-z]+)\}`)
	for _, at := range []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC),
		time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		want := "s3://bucket/" + timestamp.ReplaceAllStringFunc(streaming.ArchivePrefix, func(m string) string {
			return at.Format(firehose[timestamp.FindStringSubmatch(m)[1]])
		})
		got := streaming.LocationTemplate("bucket")
		for _, p := range streaming.ArchivePartitions {
			value := at.Format(firehose[p.Format])
			got = strings.ReplaceAll(got, "${"+p.Name+"}", value)

			// The projection must enumerate the value Firehose writes.
			var lo, hi int
			switch p.Projection["type"] {
			case "integer":
				fmt.Sscanf(p.Projection["range"], "%d,%d", &lo, &hi)
				if d := p.Projection["digits"]; d != fmt.Sprint(len(p.Format)) {
					t.Errorf("partition %s: projection digits %s, want %d (Firehose writes %s)", p.Name, d, len(p.Format), p.Format)
				}
			case "date":
				fmt.Sscanf(p.Projection["range"], "%d,NOW", &lo)
				hi = at.Year()
				if p.Projection["format"] != p.Format {
					t.Errorf("partition %s: projection format %s, want %s", p.Name, p.Projection["format"], p.Format)
				}
			}
			var n int
			fmt.Sscanf(value, "%d", &n)
			if n < lo || n > hi {
				t.Errorf("partition %s: value %s at %v outside projection range %s", p.Name, value, at, p.Projection["range"])
			}
		}
		if got != want {
			t.Errorf("at %v: location template gives %q, Firehose writes %q", at, got, want)
		}
	}
	if streaming.ArchiveRoot != "data/" || len(streaming.ArchivePartitions) != 4 {
		t.Errorf("got root %q and %d partitions from %q", streaming.ArchiveRoot, len(streaming.ArchivePartitions), streaming.ArchivePrefix)
	}
}

func TestQueryAndAnalytics(t *testing.T) {
	tpl, s := synthAllOptions(t)
	archive := tpl.LogicalID("AWS::S3::Bucket", "Archive")
	results := tpl.LogicalID("AWS::S3::Bucket", "QueryResults")
	keyArn := getAtt(tpl.LogicalID("AWS::KMS::Key", "Key"), "Arn")
	stream := getAtt(tpl.LogicalID("AWS::Kinesis::Stream", "Stream"), "Arn")
	join := func(parts ...any) any { return obj("Fn::Join", []any{"", parts}) }

	t.Run("table from the data model with projection on the archive prefix", func(t *testing.T) {
		tpl := tpl.For(t)
		params := map[string]any{"projection.enabled": "true", "storage.location.template": join("s3://", obj("Ref", archive), "/data/year=${year}/month=${month}/day=${day}/hour=${hour}/")}
		for _, p := range streaming.ArchivePartitions {
			for k, v := range p.Projection {
				params["projection."+p.Name+"."+k] = v
			}
		}
		tpl.HasResourceProperties("AWS::Glue::Table", obj(
			"CatalogId", obj("Ref", "AWS::AccountId"),
			"DatabaseName", "orders_events",
			"TableInput", like(
				"Name", "records",
				"TableType", "EXTERNAL_TABLE",
				"Parameters", assertions.Match_ObjectLike(&params),
				"PartitionKeys", []any{obj("Name", "year", "Type", "string"), obj("Name", "month", "Type", "string"), obj("Name", "day", "Type", "string"), obj("Name", "hour", "Type", "string")},
				"StorageDescriptor", like(
					"Location", join("s3://", obj("Ref", archive), "/data/"),
					"Compressed", true,
					"SerdeInfo", like("SerializationLibrary", "org.openx.data.jsonserde.JsonSerDe"),
					// lambda/event.schema.json's top-level properties, sorted.
					"Columns", []any{
						obj("Name", "id", "Type", "string"), obj("Name", "occurredat", "Type", "string"),
						like("Name", "payload"), obj("Name", "type", "Type", "string"),
					},
				),
			),
		))
		tpl.HasResourceProperties("AWS::Glue::Database", obj("CatalogId", obj("Ref", "AWS::AccountId"), "DatabaseInput", like("Name", "orders_events")))
	})
	t.Run("workgroup encrypts results with the key and enforces it", func(t *testing.T) {
		tpl := tpl.For(t)
		tpl.HasResourceProperties("AWS::Athena::WorkGroup", like(
			"Name", "orders_events",
			"WorkGroupConfiguration", like(
				"EnforceWorkGroupConfiguration", true,
				"BytesScannedCutoffPerQuery", 100*1024*1024*1024,
				"ResultConfiguration", obj(
					"OutputLocation", join("s3://", obj("Ref", results), "/athena-results/orders_events/"),
					"EncryptionConfiguration", obj("EncryptionOption", "SSE_KMS", "KmsKey", keyArn),
				),
			),
		))
		tpl.HasResourceProperties("AWS::S3::Bucket", like(
			"LoggingConfiguration", like("LogFilePrefix", "QueryResults/"),
			"LifecycleConfiguration", obj("Rules", arrayWith(like("ExpirationInDays", 30))),
		))
	})
	t.Run("GrantQuery is the table, the archive prefix and the workgroup", func(t *testing.T) {
		tpl := tpl.For(t)
		arn := func(service, resource string) any {
			return join("arn:", obj("Ref", "AWS::Partition"), ":"+service+":", obj("Ref", "AWS::Region"), ":", obj("Ref", "AWS::AccountId"), ":"+resource)
		}
		assertPolicy(t, tpl, "Analyst", []any{
			obj("Action", []any{"athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup", "athena:StartQueryExecution", "athena:StopQueryExecution"},
				"Effect", "Allow", "Resource", arn("athena", "workgroup/orders_events")),
			obj("Action", []any{"glue:GetDatabase", "glue:GetTable", "glue:GetTables"}, "Effect", "Allow",
				"Resource", []any{arn("glue", "catalog"), arn("glue", "database/orders_events"), arn("glue", "table/orders_events/records")}),
			obj("Action", "s3:GetObject", "Effect", "Allow", "Resource", join(getAtt(archive, "Arn"), "/data/*")),
			obj("Action", "s3:ListBucket", "Effect", "Allow", "Resource", getAtt(archive, "Arn"),
				"Condition", obj("StringLike", obj("s3:prefix", []any{"data/", "data/*"}))),
			obj("Action", "s3:GetBucketLocation", "Effect", "Allow", "Resource", []any{getAtt(archive, "Arn"), getAtt(results, "Arn")}),
			obj("Action", []any{"s3:ListBucket", "s3:ListBucketMultipartUploads"}, "Effect", "Allow", "Resource", getAtt(results, "Arn"),
				"Condition", obj("StringLike", obj("s3:prefix", []any{"athena-results/orders_events/", "athena-results/orders_events/*"}))),
			obj("Action", []any{"s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"}, "Effect", "Allow",
				"Resource", join(getAtt(results, "Arn"), "/athena-results/orders_events/*")),
			obj("Action", []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Effect", "Allow", "Resource", keyArn),
		})
		if q := s.Spec().Query; q == nil || len(q.Queriers) != 1 || q.Queriers[0] != "All/Analyst" {
			t.Errorf("Spec().Query = %+v, want the analyst among the queriers", q)
		}
	})
	t.Run("other accounts are granted on the stream and key policies", func(t *testing.T) {
		tpl := tpl.For(t)
		root := join("arn:", obj("Ref", "AWS::Partition"), ":iam::111122223333:root")
		role := "arn:aws:iam::444455556666:role/consumer"
		tpl.HasResourceProperties("AWS::Kinesis::ResourcePolicy", obj(
			"ResourceArn", stream,
			"ResourcePolicy", obj("Version", "2012-10-17", "Statement", []any{
				obj("Action", []any{"kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"},
					"Effect", "Allow", "Principal", obj("AWS", root), "Resource", stream),
				obj("Action", []any{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
					"Effect", "Allow", "Principal", obj("AWS", role), "Resource", stream),
			}),
		))
		tpl.HasResourceProperties("AWS::KMS::Key", like("KeyPolicy", like("Statement", arrayWith(
			obj("Action", "kms:GenerateDataKey", "Effect", "Allow", "Principal", obj("AWS", root), "Resource", "*"),
			obj("Action", "kms:Decrypt", "Effect", "Allow", "Principal", obj("AWS", role), "Resource", "*"),
		))))
		spec := s.Spec()
		if fmt.Sprint(spec.Writers) != "[account 111122223333 (resource policy)]" || fmt.Sprint(spec.Readers) != "["+role+" (resource policy)]" {
			t.Errorf("got writers %v, readers %v; want the other accounts named for the docs", spec.Writers, spec.Readers)
		}
	})
	t.Run("max record size on the stream", func(t *testing.T) {
		tpl := tpl.For(t)
		tpl.HasResourceProperties("AWS::Kinesis::Stream", like("MaxRecordSizeInKiB", 1024))
		if s.MaxRecordSize() != 1<<20 {
			t.Errorf("MaxRecordSize() = %d, want %d", s.MaxRecordSize(), 1<<20)
		}
	})
	t.Run("fan-out lag alarm on the consumer's own subscription", func(t *testing.T) {
		tpl := tpl.For(t)
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
			"Namespace", "AWS/Kinesis", "MetricName", "SubscribeToShardEvent.MillisBehindLatest", "Statistic", "Maximum",
			"Threshold", 3600*1000, "EvaluationPeriods", 5,
			"Dimensions", []any{
				obj("Name", "ConsumerName", "Value", getAtt(tpl.LogicalID("AWS::Kinesis::StreamConsumer", "FanOut"), "ConsumerName")),
				obj("Name", "StreamName", "Value", obj("Ref", tpl.LogicalID("AWS::Kinesis::Stream", "Stream"))),
			},
			"AlarmDescription", assertions.Match_StringLikeRegexp(jsii.String("Runbook: docs/runbooks/fan-out-lag.md$")),
		))
	})
	t.Run("flink application", func(t *testing.T) {
		tpl := tpl.For(t)
		app := s.Analytics.ApplicationName
		fanOut := tpl.LogicalID("AWS::Kinesis::StreamConsumer", "AnalyticsFanOut")
		tpl.HasResourceProperties("AWS::KinesisAnalyticsV2::Application", like(
			"ApplicationName", app,
			"RuntimeEnvironment", "FLINK-1_20",
			"ServiceExecutionRole", getAtt(tpl.LogicalID("AWS::IAM::Role", "AnalyticsRole"), "Arn"),
			"ApplicationConfiguration", like(
				"EnvironmentProperties", obj("PropertyGroups", []any{obj("PropertyGroupId", "StandardStream", "PropertyMap", obj(
					"stream.arn", stream,
					"stream.name", obj("Ref", tpl.LogicalID("AWS::Kinesis::Stream", "Stream")),
					"aws.region", obj("Ref", "AWS::Region"),
					"source.reader.type", "EFO",
					"source.efo.consumer.name", getAtt(fanOut, "ConsumerName"),
					"source.efo.consumer.arn", getAtt(fanOut, "ConsumerARN"),
					"source.efo.lifecycle", "SELF_MANAGED",
					"sink.table", "orders",
				))}),
				"FlinkApplicationConfiguration", obj(
					"CheckpointConfiguration", obj("ConfigurationType", "CUSTOM", "CheckpointingEnabled", true, "CheckpointInterval", 60000, "MinPauseBetweenCheckpoints", 5000),
					"MonitoringConfiguration", obj("ConfigurationType", "CUSTOM", "LogLevel", "INFO", "MetricsLevel", "TASK"),
					"ParallelismConfiguration", obj("ConfigurationType", "CUSTOM", "Parallelism", 1, "ParallelismPerKPU", 1, "AutoScalingEnabled", true),
				),
			),
		))
		tpl.HasResourceProperties("AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption", like("ApplicationName", app))
		tpl.HasResourceProperties("AWS::Logs::LogGroup", obj("RetentionInDays", 30))
		// Least privilege: the code object, the stream, its own fan-out
		// consumer, the key and its own logs.
		logs := tpl.LogicalID("AWS::Logs::LogGroup", "AnalyticsLogs")
		tpl.HasResourceProperties("AWS::IAM::Policy", like(
			"Roles", []any{obj("Ref", tpl.LogicalID("AWS::IAM::Role", "AnalyticsRole"))},
			"PolicyDocument", obj("Version", "2012-10-17", "Statement", []any{
				like("Action", []any{"s3:GetObject", "s3:GetObjectVersion"}, "Effect", "Allow"),
				obj("Action", []any{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
					"Effect", "Allow", "Resource", stream),
				like("Action", "logs:DescribeLogGroups", "Effect", "Allow"),
				obj("Action", "logs:DescribeLogStreams", "Effect", "Allow", "Resource", getAtt(logs, "Arn")),
				like("Action", "logs:PutLogEvents", "Effect", "Allow"),
				obj("Action", []any{"kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"}, "Effect", "Allow", "Resource", getAtt(fanOut, "ConsumerARN")),
				obj("Action", "kms:Decrypt", "Effect", "Allow", "Resource", keyArn),
			}),
		))
	})
	t.Run("flink alarms, each with its runbook", func(t *testing.T) {
		tpl := tpl.For(t)
		app := s.Analytics.ApplicationName
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
			"Namespace", "AWS/KinesisAnalytics", "MetricName", "downtime", "Threshold", 1,
			"Dimensions", []any{obj("Name", "Application", "Value", app)},
			"AlarmDescription", assertions.Match_StringLikeRegexp(jsii.String("Runbook: docs/runbooks/analytics-downtime.md$")),
		))
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
			"Metrics", arrayWith(
				like("Expression", "IF(RATE(failed) > 0, 1, 0)"),
				like("Id", "failed", "MetricStat", like("Stat", "Maximum", "Period", 300, "Metric", like(
					"Namespace", "AWS/KinesisAnalytics", "MetricName", "numberOfFailedCheckpoints",
					"Dimensions", []any{obj("Name", "Application", "Value", app)}))),
			),
			"AlarmDescription", assertions.Match_StringLikeRegexp(jsii.String("Runbook: docs/runbooks/analytics-checkpoints.md$")),
		))
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
			"Namespace", "AWS/Kinesis", "MetricName", "SubscribeToShardEvent.MillisBehindLatest",
			"Dimensions", arrayWith(obj("Name", "ConsumerName", "Value", getAtt(tpl.LogicalID("AWS::Kinesis::StreamConsumer", "AnalyticsFanOut"), "ConsumerName"))),
			"AlarmDescription", assertions.Match_StringLikeRegexp(jsii.String("Runbook: docs/runbooks/analytics-lag.md$")),
		))
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
			"Threshold", 800,
			// Task-level series carry the dimensions Application and Task.
			"Metrics", []any{like("Expression", fmt.Sprintf(`SELECT MAX(backPressuredTimeMsPerSecond) FROM SCHEMA("AWS/KinesisAnalytics", Application, Task) WHERE Application = '%s'`, app), "Period", 60)},
			"AlarmDescription", assertions.Match_StringLikeRegexp(jsii.String("Runbook: docs/runbooks/analytics-backpressure.md$")),
		))
		if n := len(tpl.Resources("AWS::CloudWatch::Alarm")); n != len(streaming.Runbooks) {
			t.Errorf("got %d alarms with every option on, want one per runbook (%d)", n, len(streaming.Runbooks))
		}
		body, _ := json.Marshal(tpl.Only("AWS::CloudWatch::Dashboard")["DashboardBody"])
		for _, m := range []string{"downtime", "numberOfFailedCheckpoints", "containerCPUUtilization", "SubscribeToShardEvent.MillisBehindLatest", "Analytics (Managed Service for Apache Flink)"} {
			if !strings.Contains(string(body), m) {
				t.Errorf("dashboard lacks %s", m)
			}
		}
	})
	t.Run("cdk-nag", func(t *testing.T) {
		if f := allOptions.nag; len(f) > 0 {
			t.Errorf("%d unsuppressed cdk-nag findings:\n%s", len(f), strings.Join(f, "\n"))
		}
	})
	t.Run("started once after creation", func(t *testing.T) {
		tpl := tpl.For(t)
		app := s.Analytics.ApplicationName
		res := tpl.Only("Custom::AWS")
		var create map[string]any
		if err := json.Unmarshal([]byte(res["Create"].(string)), &create); err != nil {
			t.Fatal(err)
		}
		if create["action"] != "startApplication" || create["service"] != "KinesisAnalyticsV2" || fmt.Sprint(create["parameters"].(map[string]any)["ApplicationName"]) != app {
			t.Errorf("got %v, want StartApplication of %s", create, app)
		}
		// A new application has no snapshot to restore from.
		run, _ := json.Marshal(create["parameters"].(map[string]any)["RunConfiguration"])
		if want := `{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"SKIP_RESTORE_FROM_SNAPSHOT"}}`; string(run) != want {
			t.Errorf("first start's RunConfiguration = %s, want %s", run, want)
		}
		// Restarts by the service on update keep the state.
		tpl.HasResourceProperties("AWS::KinesisAnalyticsV2::Application", like(
			"RunConfiguration", obj("ApplicationRestoreConfiguration", obj("ApplicationRestoreType", "RESTORE_FROM_LATEST_SNAPSHOT")),
		))
		if res["Update"] != nil || res["Delete"] != nil {
			t.Errorf("the start resource must act on create only, got update %v delete %v", res["Update"], res["Delete"])
		}
	})
}

func TestGrantErrors(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	s := streaming.NewStandardStream(stack, "Events", &streaming.StandardStreamProps{Query: &streaming.QueryProps{Disabled: jsii.Bool(true)}})
	s.GrantWrite(awsiam.NewAccountPrincipal(jsii.String("12345")))
	s.GrantRead(awsiam.NewArnPrincipal(jsii.String("arn:aws:sts::444455556666:assumed-role/x/y")))
	s.GrantQuery(awsiam.NewAccountRootPrincipal())
	var errs []string
	for _, md := range *s.Node().Metadata() {
		if *md.Type == "aws:cdk:error" {
			errs = append(errs, fmt.Sprint(md.Data))
		}
	}
	for _, want := range []string{
		`GrantWrite: an account principal needs a 12-digit account ID, got "12345"`,
		`GrantRead: a principal of another account must be an account root or a role or user ARN (arn:aws:iam::<12-digit account>:root, :role/<name> or :user/<name>), got "arn:aws:sts::444455556666:assumed-role/x/y"`,
		`GrantQuery: there is no table or workgroup to grant: query.disabled or archive.disabled is set`,
	} {
		if !slices.Contains(errs, want) {
			t.Errorf("got errors %q on the construct, want %q", errs, want)
		}
	}
	// Synth leaves the errors to the CDK CLI, which fails on them (see
	// test/importer_test.go); they are in the cloud assembly it reads.
	reported := 0
	for _, m := range *app.Synth(nil).GetStackByName(jsii.String("Test")).Messages() {
		if m.Level == cxapi.SynthesisMessageLevel_ERROR {
			reported++
		}
	}
	if reported != len(errs) {
		t.Errorf("got %d errors in the cloud assembly, want the construct's %d", reported, len(errs))
	}
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if strings.HasSuffix(*c.Node().Path(), "/Table") {
			t.Errorf("got %s with query disabled", *c.Node().Path())
		}
	}
}

// Large records need a stream without the archive (Firehose takes 1024 KB
// from a Kinesis source); the Lambda consumer takes up to 4096 KiB. The
// stream also has a polling Flink application (which takes any record size),
// so this synth covers that variant too.
func TestLargeRecordsWithoutArchive(t *testing.T) {
	tpl, s, _ := synth(t, &streaming.StandardStreamProps{
		MaxRecordSizeInKiB: jsii.Number(4096),
		Archive:            &streaming.ArchiveProps{Disabled: jsii.Bool(true)},
		Analytics: &streaming.AnalyticsProps{
			Code:             streaming.FlinkCodeFromAsset(filepath.Join("testdata", "flink-app.zip")),
			EnhancedFanOut:   jsii.Bool(false),
			StartAfterDeploy: jsii.Bool(false),
		},
	})
	t.Run("a polling Flink application's lag", func(t *testing.T) {
		tpl.ResourceCountIs("AWS::Kinesis::StreamConsumer", 0)
		tpl.ResourceCountIs("Custom::AWS", 0)
		tpl.HasResourceProperties("AWS::KinesisAnalyticsV2::Application", like("ApplicationConfiguration", like(
			"EnvironmentProperties", obj("PropertyGroups", []any{like("PropertyMap", like("source.reader.type", "POLLING"))}),
		)))
		// Not a guessed dimension set (which, if wrong, never alarms): every
		// millisBehindLatest series of the application.
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
			"Metrics", []any{like("Expression", fmt.Sprintf(`SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = '%s'`, s.Analytics.ApplicationName), "Period", 60)},
			"AlarmDescription", assertions.Match_StringLikeRegexp(jsii.String("Runbook: docs/runbooks/analytics-lag.md$")),
		))
	})
	tpl.HasResourceProperties("AWS::Kinesis::Stream", like("MaxRecordSizeInKiB", 4096))
	for typ, want := range map[string]int{
		"AWS::KinesisFirehose::DeliveryStream": 0, "AWS::Glue::Table": 0, "AWS::Athena::WorkGroup": 0,
		"AWS::S3::Bucket":        2,                     // failures and their access logs
		"AWS::CloudWatch::Alarm": defaultAlarms - 1 + 4, // no freshness alarm; four Flink alarms
	} {
		tpl.ResourceCountIs(typ, want)
	}
	body, _ := json.Marshal(tpl.Only("AWS::CloudWatch::Dashboard")["DashboardBody"])
	if strings.Contains(string(body), "AWS/Firehose") {
		t.Error("dashboard shows the archive, which is disabled")
	}
	if got := s.MaxRecordSize(); got != 4096*1024 {
		t.Errorf("MaxRecordSize() = %d, want %d", got, 4096*1024)
	}
	if spec := s.Spec(); !spec.Archive.Disabled || spec.Query != nil || spec.MaxRecordSizeKiB != 4096 {
		t.Errorf("Spec() = archive %+v, query %v, max record %v; want disabled, none, 4096", spec.Archive, spec.Query, spec.MaxRecordSizeKiB)
	}
}
