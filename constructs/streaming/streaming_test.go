package streaming_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/internal/jsiitest"
	"github.com/standardstream/standardstream/runbooks"
)

// TestMain stops jsii once the tests have run (package jsiitest says why).
func TestMain(m *testing.M) { jsiitest.Main(m) }

// synth builds one StandardStream with props in a fresh stack. With nil
// props, the tests share the policies stack's stream "Events", which has no
// options, and read its part of the template alone (synthPolicies): treat
// the result as read-only.
func synth(t *testing.T, props *streaming.StandardStreamProps) (*cdktest.Template, *streaming.StandardStream, awscdk.Stack) {
	t.Helper()
	if props == nil {
		tpl, o := synthPolicies(t)
		return tpl.Under(t, "Events"), o.streams["Events"], o.stack
	}
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	s := streaming.NewStandardStream(stack, "Events", props)
	return cdktest.FromStack(t, stack), s, stack
}

// defaultAlarms is the number of alarms of a StandardStream without options.
const defaultAlarms = 8

func obj(kv ...any) *map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return &m
}

func like(kv ...any) assertions.Matcher { return assertions.Match_ObjectLike(obj(kv...)) }

func arrayWith(items ...any) assertions.Matcher { return assertions.Match_ArrayWith(&items) }

func TestDefaults(t *testing.T) {
	tpl, _, _ := synth(t, nil)

	t.Run("stream", func(t *testing.T) {
		tpl.HasResourceProperties("AWS::Kinesis::Stream", obj(
			"RetentionPeriodHours", 24,
			"StreamModeDetails", obj("StreamMode", "ON_DEMAND"),
			"StreamEncryption", obj("EncryptionType", "KMS", "KeyId", "alias/aws/kinesis"),
			"ShardCount", assertions.Match_Absent(),
		))
	})
	t.Run("consumer", func(t *testing.T) {
		tpl.HasResourceProperties("AWS::Lambda::Function", obj(
			"Runtime", "provided.al2023",
			"Architectures", []any{"arm64"},
			"Handler", "bootstrap",
			"MemorySize", 512,
			"Timeout", 60,
			"TracingConfig", obj("Mode", "Active"),
			"LoggingConfig", like("LogFormat", "JSON"),
		))
		tpl.HasResourceProperties("AWS::Logs::LogGroup", obj("RetentionInDays", 30))
	})
	t.Run("event source mapping", func(t *testing.T) {
		tpl.HasResourceProperties("AWS::Lambda::EventSourceMapping", obj(
			"FunctionResponseTypes", []any{"ReportBatchItemFailures"},
			"BisectBatchOnFunctionError", true,
			"MaximumRetryAttempts", 3,
			"MaximumRecordAgeInSeconds", 6*3600,
			"StartingPosition", "TRIM_HORIZON",
			"BatchSize", 100,
			"ParallelizationFactor", 1,
			"MetricsConfig", obj("Metrics", []any{"EventCount"}),
			"DestinationConfig", obj("OnFailure", obj("Destination", obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::S3::Bucket", "Failures"), "Arn"}))),
		))
	})
	t.Run("archive", func(t *testing.T) {
		tpl.HasResourceProperties("AWS::KinesisFirehose::DeliveryStream", obj(
			"DeliveryStreamType", "KinesisStreamAsSource",
			"KinesisStreamSourceConfiguration", like("KinesisStreamARN", obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::Kinesis::Stream", "Stream"), "Arn"})),
			"ExtendedS3DestinationConfiguration", like(
				"BucketARN", obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::S3::Bucket", "Archive"), "Arn"}),
				"CompressionFormat", "GZIP",
				"Prefix", streaming.ArchivePrefix,
				"ErrorOutputPrefix", streaming.ArchiveErrorPrefix,
				"BufferingHints", obj("IntervalInSeconds", 300, "SizeInMBs", 64),
				"CloudWatchLoggingOptions", like("Enabled", true),
			),
		))
		if !strings.HasPrefix(streaming.ArchivePrefix, "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/") {
			t.Errorf("archive prefix %q is not Hive-style by time", streaming.ArchivePrefix)
		}
		if !strings.Contains(streaming.ArchiveErrorPrefix, "!{firehose:error-output-type}") {
			t.Errorf("error prefix %q lacks the error output type", streaming.ArchiveErrorPrefix)
		}
	})
	t.Run("buckets", func(t *testing.T) {
		buckets := tpl.Resources("AWS::S3::Bucket")
		if len(buckets) != 4 {
			t.Fatalf("got %d buckets, want 4 (archive, failures, query results, access logs)", len(buckets))
		}
		accessLogs := tpl.LogicalID("AWS::S3::Bucket", "AccessLogs")
		for _, data := range []string{"Archive", "Failures", "QueryResults"} {
			tpl.HasResourceProperties("AWS::S3::Bucket", like(
				"LoggingConfiguration", obj("DestinationBucketName", obj("Ref", accessLogs), "LogFilePrefix", data+"/"),
			))
		}
		tpl.HasResourceProperties("AWS::S3::Bucket", like(
			"BucketEncryption", like("ServerSideEncryptionConfiguration", arrayWith(like("ServerSideEncryptionByDefault", obj("SSEAlgorithm", "AES256")))),
			"PublicAccessBlockConfiguration", obj("BlockPublicAcls", true, "BlockPublicPolicy", true, "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
			"VersioningConfiguration", obj("Status", "Enabled"),
			"LifecycleConfiguration", obj("Rules", arrayWith(like(
				"ExpirationInDays", 365,
				"Transitions", arrayWith(obj("StorageClass", "STANDARD_IA", "TransitionInDays", 30)),
			))),
		))
		for id, b := range buckets {
			props := b["Properties"].(map[string]any)
			if props["PublicAccessBlockConfiguration"] == nil || props["BucketEncryption"] == nil || props["VersioningConfiguration"] == nil {
				t.Errorf("bucket %s is not hardened: %v", id, props)
			}
			if b["DeletionPolicy"] != "Retain" {
				t.Errorf("bucket %s: got DeletionPolicy %v, want Retain by default", id, b["DeletionPolicy"])
			}
		}
		policies := tpl.Resources("AWS::S3::BucketPolicy")
		if len(policies) != 4 {
			t.Fatalf("got %d bucket policies, want 4", len(policies))
		}
		for id := range policies {
			doc, _ := json.Marshal(policies[id])
			if !strings.Contains(string(doc), `"aws:SecureTransport":"false"`) || !strings.Contains(string(doc), `"Effect":"Deny"`) {
				t.Errorf("bucket policy %s does not deny non-TLS requests: %s", id, doc)
			}
		}
	})
	t.Run("stream retained", func(t *testing.T) {
		for id, r := range tpl.Resources("AWS::Kinesis::Stream") {
			if r["DeletionPolicy"] != "Retain" {
				t.Errorf("stream %s: got DeletionPolicy %v, want Retain", id, r["DeletionPolicy"])
			}
		}
	})
	t.Run("topic encrypted with a key CloudWatch may use", func(t *testing.T) {
		key := tpl.LogicalID("AWS::KMS::Key", "AlarmKey")
		tpl.HasResourceProperties("AWS::SNS::Topic", like("KmsMasterKeyId", obj("Fn::GetAtt", []any{key, "Arn"})))
		tpl.HasResourceProperties("AWS::KMS::Key", like(
			"EnableKeyRotation", true,
			"KeyPolicy", like("Statement", arrayWith(like(
				"Principal", obj("Service", "cloudwatch.amazonaws.com"),
				"Action", []any{"kms:Decrypt", "kms:GenerateDataKey"},
			))),
		))
	})
	t.Run("query over the archive", func(t *testing.T) {
		// No data model: one string column per archived line.
		tpl.HasResourceProperties("AWS::Glue::Table", like("TableInput", like(
			"Name", "records",
			"StorageDescriptor", like(
				"Columns", []any{obj("Name", "record", "Type", "string")},
				"SerdeInfo", obj("SerializationLibrary", "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", "Parameters", obj("serialization.format", "1")),
			),
		)))
		// No stream name: the database is named from the construct path.
		tpl.HasResourceProperties("AWS::Glue::Database", like("DatabaseInput", like("Name", assertions.Match_StringLikeRegexp(jsii.String("^test_?events_?[0-9a-f]{8}$")))))
		tpl.HasResourceProperties("AWS::Athena::WorkGroup", like(
			"RecursiveDeleteOption", false,
			"WorkGroupConfiguration", like("ResultConfiguration", like("EncryptionConfiguration", obj("EncryptionOption", "SSE_S3"))),
		))
	})
	t.Run("topic enforces TLS", func(t *testing.T) {
		tpl.HasResourceProperties("AWS::SNS::TopicPolicy", like("PolicyDocument", like("Statement", arrayWith(like(
			"Effect", "Deny",
			"Condition", obj("Bool", obj("aws:SecureTransport", "false")),
		)))))
	})
}

func TestAlarms(t *testing.T) {
	tpl, s, _ := synth(t, nil)
	alarms := tpl.Resources("AWS::CloudWatch::Alarm")
	// The first eight runbooks are those of the alarms every StandardStream has.
	if len(alarms) != len(s.Alarms) || len(alarms) != defaultAlarms {
		t.Fatalf("got %d alarms in the template, %d on the construct; want %d", len(alarms), len(s.Alarms), defaultAlarms)
	}
	topic := tpl.LogicalID("AWS::SNS::Topic", "AlarmTopic")
	seen := map[string]string{}
	metrics := map[string]bool{}
	for id, a := range alarms {
		p := a["Properties"].(map[string]any)
		dims, _ := p["Dimensions"].([]any)
		if len(dims) == 0 && p["Metrics"] == nil {
			t.Errorf("alarm %s has no dimensions", id)
		}
		// A metric-math alarm carries its dimensions on each metric it uses.
		for _, m := range asSlice(p["Metrics"]) {
			stat, _ := m.(map[string]any)["MetricStat"].(map[string]any)
			if stat == nil {
				continue // the expression itself
			}
			metric := stat["Metric"].(map[string]any)
			if d, _ := metric["Dimensions"].([]any); len(d) == 0 {
				t.Errorf("alarm %s: metric %v has no dimensions", id, metric["MetricName"])
			}
		}
		for _, key := range []string{"AlarmActions", "OKActions"} {
			actions, _ := json.Marshal(p[key])
			if !strings.Contains(string(actions), topic) {
				t.Errorf("alarm %s: %s %s do not notify the topic %s", id, key, actions, topic)
			}
		}
		if p["TreatMissingData"] != "notBreaching" {
			t.Errorf("alarm %s: got TreatMissingData %v, want notBreaching", id, p["TreatMissingData"])
		}
		desc, _ := p["AlarmDescription"].(string)
		i := strings.Index(desc, "Runbook: "+streaming.RunbookDir+"/")
		if i < 0 {
			t.Errorf("alarm %s: description %q names no runbook", id, desc)
			continue
		}
		// `standardstream docs` writes package runbooks into RunbookDir.
		runbook := strings.TrimPrefix(desc[i:], "Runbook: ")
		if _, err := runbooks.Read(strings.TrimPrefix(runbook, streaming.RunbookDir+"/")); err != nil {
			t.Errorf("alarm %s: runbook %s: %v", id, runbook, err)
		}
		if other, dup := seen[runbook]; dup {
			t.Errorf("alarms %s and %s share runbook %s", id, other, runbook)
		}
		seen[runbook] = id
		key, _ := json.Marshal([]any{p["Namespace"], p["MetricName"], dims, p["Metrics"]})
		if metrics[string(key)] {
			t.Errorf("alarm %s duplicates another alarm's metric %s", id, key)
		}
		metrics[string(key)] = true
	}

	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
		"Namespace", "AWS/Lambda", "MetricName", "IteratorAge", "Statistic", "Maximum",
		"Threshold", 3600*1000,
		"Dimensions", []any{obj("Name", "FunctionName", "Value", obj("Ref", tpl.LogicalID("AWS::Lambda::Function", "Consumer")))},
	))
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
		"Namespace", "AWS/Kinesis", "MetricName", "GetRecords.IteratorAgeMilliseconds", "Threshold", 3600*1000,
		"Dimensions", []any{obj("Name", "StreamName", "Value", obj("Ref", tpl.LogicalID("AWS::Kinesis::Stream", "Stream")))},
	))
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like("Namespace", "AWS/Kinesis", "MetricName", "WriteProvisionedThroughputExceeded"))
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like("Namespace", "AWS/Lambda", "MetricName", "Errors"))
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
		"Namespace", "AWS/Lambda", "MetricName", "OnFailureDestinationDeliveredEventCount",
		"Dimensions", []any{obj("Name", "EventSourceMappingUUID", "Value", obj("Ref", tpl.LogicalID("AWS::Lambda::EventSourceMapping", "")))},
	))
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
		"Namespace", "AWS/Firehose", "MetricName", "DeliveryToS3.DataFreshness", "Threshold", 900,
	))
	if s.IteratorAgeAlarm == nil || *s.IteratorAgeAlarm.Node().Id() != "IteratorAgeAlarm" {
		t.Errorf("IteratorAgeAlarm is not the consumer IteratorAge alarm")
	}
}

func TestDashboard(t *testing.T) {
	tpl, _, _ := synth(t, nil)
	body, _ := json.Marshal(tpl.Only("AWS::CloudWatch::Dashboard")["DashboardBody"])
	for _, m := range []string{
		"IncomingRecords", "IncomingBytes", "WriteProvisionedThroughputExceeded", // producers
		"Invocations", "Errors", "Throttles", "Duration", "IteratorAge", "ConcurrentExecutions", // consumer
		"DeliveryToS3.DataFreshness", "DeliveryToS3.Success", // archive
		"OnFailureDestinationDeliveredEventCount", "DestinationDeliveryFailures", // failures
	} {
		if !strings.Contains(string(body), `\"`+m+`\"`) {
			t.Errorf("dashboard lacks metric %s", m)
		}
	}
}

// options is a shared stack and its StandardStreams by construct ID.
type options struct {
	stack   awscdk.Stack
	streams map[string]*streaming.StandardStream
}

// sharedStreams returns a stack of several StandardStreams that build adds
// with add, synthesized once per test binary and key (cdktest.Shared).
// Building a StandardStream is most of a synthesis' cost, so cases with the
// same props share one stream, and a stream alone in its stack would cost a
// synthesis more. Each case reads its own streams' part of the template
// (Template.Under), so its assertions see no other stream, as if its
// streams were alone in their stack. A stack holds at most 500 resources,
// about a dozen StandardStreams.
func sharedStreams(t *testing.T, key string, build func(stack awscdk.Stack, add func(id string, props *streaming.StandardStreamProps) *streaming.StandardStream)) (*cdktest.Template, *options) {
	t.Helper()
	return cdktest.Shared(t, key, func(stack awscdk.Stack) *options {
		o := &options{stack: stack, streams: map[string]*streaming.StandardStream{}}
		build(stack, func(id string, props *streaming.StandardStreamProps) *streaming.StandardStream {
			o.streams[id] = streaming.NewStandardStream(stack, id, props)
			return o.streams[id]
		})
		return o
	})
}

// synthOptions returns the options stack: one StandardStream per case of
// TestOptions, TestGrants and TestReliabilityRelations (see sharedStreams).
func synthOptions(t *testing.T) (*cdktest.Template, *options) {
	t.Helper()
	return sharedStreams(t, "options", func(stack awscdk.Stack, add func(string, *streaming.StandardStreamProps) *streaming.StandardStream) {
		add("Provisioned", &streaming.StandardStreamProps{StreamMode: awskinesis.StreamMode_PROVISIONED, ShardCount: jsii.Number(4)})
		add("ShortAge", &streaming.StandardStreamProps{Consumer: &streaming.ConsumerProps{MaxRecordAge: awscdk.Duration_Minutes(jsii.Number(10))}})
		add("Mapping", &streaming.StandardStreamProps{Consumer: &streaming.ConsumerProps{
			BatchSize: jsii.Number(10000), MaxBatchingWindow: awscdk.Duration_Seconds(jsii.Number(300)),
			ParallelizationFactor: jsii.Number(10), RetryAttempts: jsii.Number(5),
			MemorySize: jsii.Number(1024), Timeout: awscdk.Duration_Seconds(jsii.Number(120)),
		}})
		cmkKey := awskms.NewKey(stack, jsii.String("CmkKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		add("Cmk", &streaming.StandardStreamProps{EncryptionKey: cmkKey}).
			GrantWrite(awsiam.NewRole(stack, jsii.String("CmkWriter"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()}))
		add("Sqs", &streaming.StandardStreamProps{Consumer: &streaming.ConsumerProps{FailureDestination: streaming.FailureDestinationSQS}})
		add("FanOut", &streaming.StandardStreamProps{Consumer: &streaming.ConsumerProps{EnhancedFanOut: jsii.Bool(true)}})
		granted := add("Granted", nil)
		granted.GrantWrite(awsiam.NewRole(stack, jsii.String("Writer"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()}))
		granted.GrantRead(awsiam.NewRole(stack, jsii.String("Reader"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()}))
		for _, h := range reliabilityHours {
			add(retentionID(h), &streaming.StandardStreamProps{RetentionPeriod: hours(h)})
		}
	})
}

// synthPolicies returns the policies stack (see sharedStreams): a
// StandardStream without options ("Events", the defaults), one per removal
// policy, and one with its own key ("Key") and a 90-day Object Lock
// ("Keyed"), for the tests of the defaults, TestControls,
// TestRemovalPolicyIsUniform and the DESTROY case of TestOptions.
func synthPolicies(t *testing.T) (*cdktest.Template, *options) {
	t.Helper()
	return sharedStreams(t, "policies", func(stack awscdk.Stack, add func(string, *streaming.StandardStreamProps) *streaming.StandardStream) {
		add("Events", nil)
		key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		add("Keyed", &streaming.StandardStreamProps{
			EncryptionKey: key,
			Archive:       &streaming.ArchiveProps{ObjectLockRetention: days(90)},
		})
		add("Destroy", &streaming.StandardStreamProps{RemovalPolicy: awscdk.RemovalPolicy_DESTROY})
		add("Retain", &streaming.StandardStreamProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN})
		add("RetainOnUpdateOrDelete", &streaming.StandardStreamProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE})
		// The SQS failure destination is a data store too.
		add("RetainOnUpdateOrDeleteSqs", &streaming.StandardStreamProps{
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
			Consumer:      &streaming.ConsumerProps{FailureDestination: streaming.FailureDestinationSQS},
		})
	})
}

func TestOptions(t *testing.T) {
	opts, o := synthOptions(t)
	t.Run("provisioned", func(t *testing.T) {
		tpl := opts.Under(t, "Provisioned")
		tpl.HasResourceProperties("AWS::Kinesis::Stream", obj("ShardCount", 4, "StreamModeDetails", obj("StreamMode", "PROVISIONED")))
	})
	t.Run("retention drives record age and thresholds", func(t *testing.T) {
		tpl := opts.Under(t, retentionID(48))
		tpl.HasResourceProperties("AWS::Kinesis::Stream", obj("RetentionPeriodHours", 48))
		tpl.HasResourceProperties("AWS::Lambda::EventSourceMapping", obj("MaximumRecordAgeInSeconds", 12*3600))
	})
	t.Run("short record age lowers the iterator-age threshold", func(t *testing.T) {
		tpl := opts.Under(t, "ShortAge")
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like("MetricName", "IteratorAge", "Threshold", 5*60*1000))
	})
	t.Run("mapping settings", func(t *testing.T) {
		tpl := opts.Under(t, "Mapping")
		tpl.HasResourceProperties("AWS::Lambda::EventSourceMapping", obj(
			"BatchSize", 10000, "MaximumBatchingWindowInSeconds", 300, "ParallelizationFactor", 10, "MaximumRetryAttempts", 5,
		))
		tpl.HasResourceProperties("AWS::Lambda::Function", obj("MemorySize", 1024, "Timeout", 120))
	})
	t.Run("customer-managed key", func(t *testing.T) {
		tpl := opts.Under(t, "Cmk", "CmkKey")
		keyArn := obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::KMS::Key", "CmkKey"), "Arn"})
		tpl.HasResourceProperties("AWS::Kinesis::Stream", obj("StreamEncryption", obj("EncryptionType", "KMS", "KeyId", keyArn)))
		tpl.HasResourceProperties("AWS::S3::Bucket", like("BucketEncryption", like("ServerSideEncryptionConfiguration",
			arrayWith(like("ServerSideEncryptionByDefault", obj("SSEAlgorithm", "aws:kms", "KMSMasterKeyID", keyArn))))))
	})
	t.Run("SQS failure destination", func(t *testing.T) {
		tpl, s := opts.Under(t, "Sqs"), o.streams["Sqs"]
		queue := tpl.LogicalID("AWS::SQS::Queue", "FailureQueue")
		tpl.HasResourceProperties("AWS::SQS::Queue", obj("SqsManagedSseEnabled", true, "MessageRetentionPeriod", 14*86400))
		tpl.HasResourceProperties("AWS::Lambda::EventSourceMapping", like(
			"DestinationConfig", obj("OnFailure", obj("Destination", obj("Fn::GetAtt", []any{queue, "Arn"}))),
		))
		tpl.HasResourceProperties("AWS::SQS::QueuePolicy", like("PolicyDocument", like("Statement", arrayWith(like(
			"Effect", "Deny", "Condition", obj("Bool", obj("aws:SecureTransport", "false")),
		)))))
		if s.FailureBucket != nil || s.FailureQueue == nil {
			t.Errorf("got FailureBucket %v, FailureQueue %v; want only the queue", s.FailureBucket, s.FailureQueue)
		}
	})
	t.Run("enhanced fan-out", func(t *testing.T) {
		tpl := opts.Under(t, "FanOut")
		consumer := tpl.LogicalID("AWS::Kinesis::StreamConsumer", "FanOut")
		tpl.HasResourceProperties("AWS::Lambda::EventSourceMapping", like(
			"EventSourceArn", obj("Fn::GetAtt", []any{consumer, "ConsumerARN"}),
		))
	})
	t.Run("destroy empties buckets", func(t *testing.T) {
		policies, _ := synthPolicies(t)
		tpl := policies.Under(t, "Destroy")
		for id, r := range tpl.Resources("AWS::Kinesis::Stream") {
			if r["DeletionPolicy"] != "Delete" {
				t.Errorf("stream %s: got DeletionPolicy %v, want Delete", id, r["DeletionPolicy"])
			}
		}
		if n := len(tpl.Resources("Custom::S3AutoDeleteObjects")); n != 4 {
			t.Errorf("got %d auto-delete custom resources, want 4 (one per bucket)", n)
		}
		tpl.HasResourceProperties("AWS::Athena::WorkGroup", like("RecursiveDeleteOption", true))
	})
}

func TestTwoStreamsInOneStack(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	a := streaming.NewStandardStream(stack, "Orders", nil)
	b := streaming.NewStandardStream(stack, "Payments", nil)
	tpl := cdktest.FromStack(t, stack)
	for typ, want := range map[string]int{
		"AWS::Kinesis::Stream": 2, "AWS::Lambda::Function": 2, "AWS::KinesisFirehose::DeliveryStream": 2,
		"AWS::S3::Bucket": 8, "AWS::CloudWatch::Dashboard": 2, "AWS::SNS::Topic": 2,
		"AWS::CloudWatch::Alarm": 2 * defaultAlarms, "AWS::Glue::Table": 2, "AWS::Athena::WorkGroup": 2,
	} {
		tpl.ResourceCountIs(typ, want)
	}
	if *a.Stream.Node().Path() == *b.Stream.Node().Path() {
		t.Errorf("both streams at %s", *a.Stream.Node().Path())
	}
	// Nothing is created in the parent scope but the stack-wide singletons CDK
	// shares (the bucket auto-delete provider, when buckets are destroyed).
	for _, child := range *stack.Node().Children() {
		id := *child.Node().Id()
		if !slices.Contains([]string{"Orders", "Payments"}, id) && !strings.HasPrefix(id, "CDK") && !strings.Contains(id, "Bootstrap") {
			t.Errorf("unexpected construct %q in the parent scope", id)
		}
	}
}

func TestGrants(t *testing.T) {
	opts, _ := synthOptions(t)
	t.Run("AWS-managed key", func(t *testing.T) {
		tpl := opts.Under(t, "Granted", "Writer", "Reader")
		streamArn := obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::Kinesis::Stream", "Stream"), "Arn"})
		assertPolicy(t, tpl, "Writer", []any{obj(
			"Action", []any{"kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"},
			"Effect", "Allow", "Resource", streamArn)})
		assertPolicy(t, tpl, "Reader", []any{obj(
			"Action", []any{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
			"Effect", "Allow", "Resource", streamArn)})
	})
	t.Run("customer-managed key", func(t *testing.T) {
		tpl := opts.Under(t, "Cmk", "CmkKey", "CmkWriter")
		assertPolicy(t, tpl, "CmkWriter", []any{
			like("Action", []any{"kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"}),
			obj("Action", "kms:GenerateDataKey", "Effect", "Allow", "Resource", obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::KMS::Key", "CmkKey"), "Arn"})),
		})
	})
}

// assertPolicy checks the exact statements of the default policy of the role
// with construct ID role.
func assertPolicy(t *testing.T, tpl *cdktest.Template, role string, statements []any) {
	t.Helper()
	tpl.HasResourceProperties("AWS::IAM::Policy", obj(
		"Roles", []any{obj("Ref", tpl.LogicalID("AWS::IAM::Role", role))},
		"PolicyDocument", obj("Version", "2012-10-17", "Statement", statements),
		"PolicyName", assertions.Match_AnyValue(),
	))
}

func asSlice(v any) []any { l, _ := v.([]any); return l }

func TestStalledConsumerAlarm(t *testing.T) {
	tpl, _, _ := synth(t, nil)
	stream := tpl.LogicalID("AWS::Kinesis::Stream", "Stream")
	fn := tpl.LogicalID("AWS::Lambda::Function", "Consumer")
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", like(
		"EvaluationPeriods", 3, "DatapointsToAlarm", 3, "Threshold", 1, "TreatMissingData", "notBreaching",
		"Metrics", arrayWith(
			like("Expression", "IF(FILL(incoming, 0) > 0 AND FILL(invocations, 0) == 0, 1, 0)", "ReturnData", true),
			like("Id", "incoming", "MetricStat", like("Period", 300, "Stat", "Sum", "Metric", like(
				"Namespace", "AWS/Kinesis", "MetricName", "IncomingRecords",
				"Dimensions", []any{obj("Name", "StreamName", "Value", obj("Ref", stream))}))),
			like("Id", "invocations", "MetricStat", like("Period", 300, "Stat", "Sum", "Metric", like(
				"Namespace", "AWS/Lambda", "MetricName", "Invocations",
				"Dimensions", []any{obj("Name", "FunctionName", "Value", obj("Ref", fn))}))),
		),
	))
}
