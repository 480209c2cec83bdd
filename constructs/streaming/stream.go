package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisfirehose"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// StandardStream is a production-ready Kinesis data stream with a Go Lambda
// consumer, an S3 archive through Firehose, a dashboard and alarms.
//
// Its resources are read-only fields; use them to extend the pattern (for
// example s.AlarmTopic.AddSubscription) rather than to change it.
type StandardStream struct {
	constructs.Construct

	// Stream is the Kinesis data stream.
	Stream awskinesis.Stream
	// Consumer is the Lambda function that consumes the stream.
	Consumer awslambda.Function
	// EventSourceMapping connects Consumer to the stream.
	EventSourceMapping awslambda.IEventSourceMapping
	// FailureBucket receives discarded batches with their payload when the
	// failure destination is S3; nil otherwise.
	FailureBucket awss3.Bucket
	// FailureQueue receives discarded batches' metadata when the failure
	// destination is SQS; nil otherwise.
	FailureQueue awssqs.Queue
	// DeliveryStream is the Firehose delivery stream that archives the
	// stream; nil with ArchiveProps.Disabled.
	DeliveryStream awskinesisfirehose.DeliveryStream
	// Bucket is the archive bucket; nil with ArchiveProps.Disabled.
	Bucket awss3.Bucket
	// Dashboard shows producers, consumer, archive and failures.
	Dashboard awscloudwatch.Dashboard
	// IteratorAgeAlarm fires when the consumer falls behind.
	IteratorAgeAlarm awscloudwatch.Alarm
	// Alarms are all alarms of this StandardStream, IteratorAgeAlarm included.
	Alarms []awscloudwatch.Alarm
	// AlarmTopic receives every alarm.
	AlarmTopic awssns.ITopic
	// Query is the Glue table and Athena workgroup over the archive; its
	// fields are nil when QueryProps.Disabled is set.
	Query Query
	// Analytics is the Managed Flink application; nil unless
	// StandardStreamProps.Analytics is set.
	Analytics *Analytics

	settings   settings
	accessLogs awss3.Bucket
	writers    []string
	readers    []string
	queriers   []string
	fanOut     awskinesis.StreamConsumer
	alarmSpecs []AlarmSpec
}

// NewStandardStream provisions a StandardStream in scope.
//
// Invalid props do not panic: each problem becomes a synth error on this
// construct (CDK's error annotation) that names the field and the value, and
// the StandardStream is built from the defaults instead, so that every field
// and method stays usable and the app's other mistakes are reported too. The
// CDK CLI then fails `cdk synth` and `cdk deploy` listing every error with
// its construct path. Call Validate to get the same problems as an error.
func NewStandardStream(scope constructs.Construct, id string, props *StandardStreamProps) *StandardStream {
	s := &StandardStream{Construct: constructs.NewConstruct(scope, &id)}
	cfg, err := resolve(props)
	if err != nil {
		for _, e := range err.(*PropsError).Errs {
			s.addError("%v", e)
		}
		cfg = fallback(props)
	}
	s.settings = cfg
	if m := cfg.dataModel; m != nil {
		// Lets IAM conditions, cost reports and data inventories find
		// every resource that holds this stream's records by sensitivity.
		// Dashboards are left out: cfn-lint's CloudFormation schema has no
		// Tags on AWS::CloudWatch::Dashboard.
		awscdk.Tags_Of(s.Construct).Add(jsii.String("data-classification"), jsii.String(string(m.Classification)), &awscdk.TagProps{
			ExcludeResourceTypes: jsii.Strings("AWS::CloudWatch::Dashboard"),
		})
	}
	s.allowLogsToUseKey()
	s.newStream()
	s.newConsumer()
	if cfg.archive {
		s.newArchive()
		s.newQuery()
	}
	s.newAnalytics()
	s.suppressAutoDeleteFindings()
	s.newMonitoring()
	s.addSpecMetadata()
	return s
}

func (s *StandardStream) newStream() {
	cfg := s.settings
	props := &awskinesis.StreamProps{
		StreamName:      cfg.streamName,
		RetentionPeriod: cfg.retention,
		StreamMode:      cfg.streamMode,
		ShardCount:      cfg.shardCount,
		RemovalPolicy:   cfg.removalPolicy,
		Encryption:      awskinesis.StreamEncryption_MANAGED,
	}
	if cfg.key != nil {
		props.Encryption = awskinesis.StreamEncryption_KMS
		props.EncryptionKey = cfg.key
	}
	s.Stream = awskinesis.NewStream(s.Construct, id("Stream"), props)
	s.applyMaxRecordSize()
	s.suppressStreamFindings()
}

// GrantWrite lets grantee put records: kinesis:PutRecord, kinesis:PutRecords,
// kinesis:ListShards and kinesis:DescribeStreamSummary on this stream, and
// kms:GenerateDataKey on a customer-managed key. A nil grantee is a synth
// error; the returned grant then grants nothing.
//
// A principal of another account (awsiam.NewAccountPrincipal("111122223333"),
// or awsiam.NewArnPrincipal with an account root, role or user ARN) gets the
// same actions through the stream's resource policy and the key's policy;
// an invalid account ID or ARN stops synthesis with an error naming it.
func (s *StandardStream) GrantWrite(grantee awsiam.IGrantable) awsiam.Grant {
	if grantee == nil {
		return s.nilGrantee("GrantWrite")
	}
	keyActions := []string{"kms:GenerateDataKey"}
	if ext, ok := s.externalPrincipal("GrantWrite", grantee); ok {
		if ext == nil {
			return awsiam.Grant_Drop(grantee, jsii.String("invalid principal"))
		}
		s.writers = append(s.writers, ext.label+" (resource policy)")
		return s.grantExternal("GrantWrite", grantee, ext, keyActions, writeActions...)
	}
	s.writers = append(s.writers, principal(grantee))
	return s.grant(grantee, keyActions, writeActions...)
}

var writeActions = []string{"kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards", "kinesis:DescribeStreamSummary"}

// GrantRead lets grantee read records with the standard (shared-throughput)
// API: kinesis:GetRecords, kinesis:GetShardIterator, kinesis:ListShards,
// kinesis:DescribeStream and kinesis:DescribeStreamSummary on this stream,
// and kms:Decrypt on a customer-managed key. These are the actions a Lambda
// event-source mapping needs (DescribeStream included). A nil grantee is a
// synth error; the returned grant then grants nothing.
//
// A principal of another account gets them through the stream's resource
// policy and the key's policy, as with GrantWrite: a Lambda function in
// that account can then map this stream by its ARN.
func (s *StandardStream) GrantRead(grantee awsiam.IGrantable) awsiam.Grant {
	if grantee == nil {
		return s.nilGrantee("GrantRead")
	}
	keyActions := []string{"kms:Decrypt"}
	if ext, ok := s.externalPrincipal("GrantRead", grantee); ok {
		if ext == nil {
			return awsiam.Grant_Drop(grantee, jsii.String("invalid principal"))
		}
		s.readers = append(s.readers, ext.label+" (resource policy)")
		return s.grantExternal("GrantRead", grantee, ext, keyActions, readActions...)
	}
	s.readers = append(s.readers, principal(grantee))
	return s.grant(grantee, keyActions, readActions...)
}

var readActions = []string{
	"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards",
	"kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
}

// grant is the one primitive behind GrantWrite and GrantRead: stream actions
// on this stream, and keyActions on its customer-managed key if it has one.
// The AWS-managed key needs no grant.
func (s *StandardStream) grant(grantee awsiam.IGrantable, keyActions []string, actions ...string) awsiam.Grant {
	g := s.Stream.Grant(grantee, *jsii.Strings(actions...)...)
	if s.settings.key != nil {
		g = g.Combine(s.settings.key.Grant(grantee, *jsii.Strings(keyActions...)...))
	}
	return g
}

// id returns a construct ID for use inside this StandardStream; it exists so
// that every child ID is a short, fixed noun.
func id(noun string) *string { return jsii.String(noun) }

// removeWithStack reports whether data should be destroyed with the stack.
func (s *StandardStream) removeWithStack() bool {
	return s.settings.removalPolicy == awscdk.RemovalPolicy_DESTROY
}
