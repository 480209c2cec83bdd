package streaming

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/golambda"
	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// ConsumerSchemaFile is the name under which the stream's schema file
// (DataModel.Schema) is bundled next to the consumer's binary, in
// $LAMBDA_TASK_ROOT. The default consumer validates every record against it;
// any consumer may load it.
const ConsumerSchemaFile = spec.ConsumerSchemaFile

// DefaultConsumerEntry returns the directory of the default consumer, the
// default ConsumerProps.Entry (lambda/defaultconsumer of this module). It
// fits any stream: it accepts every record, or, when the stream has a
// DataModel, every record that validates against its schema (formats
// asserted), and it logs, counts and reports failures like any kinesisbatch
// consumer.
func DefaultConsumerEntry() (string, error) { return spec.DefaultConsumerEntry() }

// ReferenceConsumerEntry returns the directory of the reference consumer
// (lambda/ of this module): the typed consumer of the reference app's
// stream, whose Event and one-pass validating decoder schemagen generates
// from lambda/event.schema.json. It is the template a team copies; the
// reference app names it as its ConsumerProps.Entry.
func ReferenceConsumerEntry() (string, error) { return spec.ReferenceConsumerEntry() }

func (s *StandardStream) newConsumer() {
	cfg := s.settings
	entry := ""
	if cfg.entry != nil {
		entry = *cfg.entry
	}
	var code awslambda.Code
	var err error
	if entry == "" {
		entry, err = DefaultConsumerEntry()
	}
	if err == nil {
		// The schema travels with the code, so the default consumer enforces
		// exactly the file that synth validated and the docs render, and an
		// edit to it redeploys the function.
		var opts []golambda.Option
		if cfg.schema != nil {
			opts = append(opts, golambda.WithFile(ConsumerSchemaFile, cfg.schema.Path))
		}
		code, err = golambda.Code(entry, opts...)
		if err != nil {
			err = fmt.Errorf("consumer.entry %q: %v", entry, err)
		}
	}
	if err != nil {
		s.addError("%v", err)
		code = s.unbuiltCode()
	}

	// The role starts empty: no managed policies, only the grants below, each
	// scoped to this StandardStream's resources.
	role := awsiam.NewRole(s.Construct, id("ConsumerRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Execution role of a StandardStream consumer"),
	})
	logs := awslogs.NewLogGroup(s.Construct, id("ConsumerLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.logRetention,
		RemovalPolicy: cfg.removalPolicy,
		EncryptionKey: cfg.key,
	})
	logs.GrantWrite(role)

	s.Consumer = awslambda.NewFunction(s.Construct, id("Consumer"), &awslambda.FunctionProps{
		Description:   jsii.String("StandardStream consumer"),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          code,
		MemorySize:    cfg.memorySize,
		Timeout:       cfg.timeout,
		Role:          role,
		Tracing:       awslambda.Tracing_ACTIVE,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		LogGroup:      logs,
	})

	source := &awslambdaeventsources.KinesisEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               cfg.batchSize,
		MaxBatchingWindow:       cfg.batchingWindow,
		ParallelizationFactor:   cfg.parallelization,
		RetryAttempts:           cfg.retryAttempts,
		MaxRecordAge:            cfg.maxRecordAge,
		BisectBatchOnError:      jsii.Bool(true),
		ReportBatchItemFailures: jsii.Bool(true),
		OnFailure:               s.newFailureDestination(),
		MetricsConfig: &awslambda.MetricsConfig{
			Metrics: &[]awslambda.MetricType{awslambda.MetricType_EVENT_COUNT},
		},
	}
	if cfg.enhancedFanOut {
		fanOut := awskinesis.NewStreamConsumer(s.Construct, id("FanOut"), &awskinesis.StreamConsumerProps{
			Stream:             s.Stream,
			StreamConsumerName: awscdk.Names_UniqueResourceName(s.Construct, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(128)}),
		})
		s.fanOut = fanOut
		es := awslambdaeventsources.NewKinesisConsumerEventSource(fanOut, source)
		s.Consumer.AddEventSource(es)
		s.EventSourceMapping = awslambda.EventSourceMapping_FromEventSourceMappingId(s.Construct, id("Mapping"), es.EventSourceMappingId())
	} else {
		es := awslambdaeventsources.NewKinesisEventSource(s.Stream, source)
		s.Consumer.AddEventSource(es)
		s.EventSourceMapping = awslambda.EventSourceMapping_FromEventSourceMappingId(s.Construct, id("Mapping"), es.EventSourceMappingId())
	}
	s.suppressConsumerFindings(role.Node().FindChild(jsii.String("DefaultPolicy")))
}

// newFailureDestination creates the bucket or queue that keeps discarded
// batches. An S3 destination receives the whole invocation record, payload
// included, so nothing is lost when a batch is given up on.
func (s *StandardStream) newFailureDestination() awslambda.IEventSourceDlq {
	cfg := s.settings
	if cfg.failureDestination == FailureDestinationSQS {
		props := &awssqs.QueueProps{
			Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
			EnforceSSL:      jsii.Bool(true),
			RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)), // SQS maximum
			RemovalPolicy:   cfg.removalPolicy,
		}
		if cfg.key != nil {
			props.Encryption = awssqs.QueueEncryption_KMS
			props.EncryptionMasterKey = cfg.key
		}
		s.FailureQueue = awssqs.NewQueue(s.Construct, id("FailureQueue"), props)
		s.suppressQueueFindings()
		queue := s.FailureQueue
		return &failureDestination{arn: queue.QueueArn(), grant: func(fn awslambda.IFunction) {
			queue.Grant(fn, jsii.String("sqs:SendMessage"))
			if cfg.key != nil {
				cfg.key.Grant(fn, jsii.String("kms:GenerateDataKey"), jsii.String("kms:Decrypt"))
			}
		}}
	}
	s.FailureBucket = s.newBucket("Failures", nil)
	bucket := s.FailureBucket
	return &failureDestination{arn: bucket.BucketArn(), grant: func(fn awslambda.IFunction) {
		// Lambda needs exactly these two actions for an S3 destination.
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("s3:PutObject"),
			Resources: jsii.Strings(*bucket.ArnForObjects(jsii.String("*"))),
		}))
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("s3:ListBucket"),
			Resources: jsii.Strings(*bucket.BucketArn()),
		}))
		if cfg.key != nil {
			cfg.key.Grant(fn, jsii.String("kms:GenerateDataKey"))
		}
	}}
}

// failureDestination is an on-failure destination whose grant is exactly
// what Lambda needs. CDK's own S3OnFailureDestination grants read-write on the
// bucket, wildcard actions included.
type failureDestination struct {
	arn   *string
	grant func(fn awslambda.IFunction)
}

// Bind implements awslambda.IEventSourceDlq.
func (d *failureDestination) Bind(_ awslambda.IEventSourceMapping, fn awslambda.IFunction) *awslambda.DlqDestinationConfig {
	d.grant(fn)
	return &awslambda.DlqDestinationConfig{Destination: d.arn}
}
