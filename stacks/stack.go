// Package stacks composes the reference app: one stack per environment, each
// holding a StandardStream configured from typed Go config.
package stacks

import (
	"fmt"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/golambda"
	"github.com/standardstream/standardstream/constructs/streaming"
)

// Deployment is one environment's stack and the streams in it.
type Deployment struct {
	Env     Environment
	Stack   awscdk.Stack
	Streams []*streaming.StandardStream
}

// NewStreamStack creates the stack of one environment. An invalid
// environment returns an error naming the field and the value; props the
// construct rejects are synth errors on the construct (see
// streaming.NewStandardStream), which the CDK CLI reports with their path.
func NewStreamStack(scope constructs.Construct, env Environment) (*Deployment, error) {
	if err := env.Validate(); err != nil {
		return nil, err
	}

	props := &awscdk.StackProps{
		Description:           jsii.String(fmt.Sprintf("StandardStream reference app (%s)", env.Name)),
		TerminationProtection: jsii.Bool(env.TerminationProtection),
	}
	if env.Account != "" {
		props.Env = &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)}
	}
	stack := awscdk.NewStack(scope, jsii.String(env.StackName()), props)
	// The reference app's stream has its own typed consumer, the template
	// teams copy; a stream that names no Entry gets the default consumer.
	entry, err := streaming.ReferenceConsumerEntry()
	if err != nil {
		return nil, err
	}

	events := streaming.NewStandardStream(stack, "Events", &streaming.StandardStreamProps{
		StreamName:      jsii.String("standardstream-events-" + env.Name),
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(env.Retention.Hours())),
		RemovalPolicy:   env.RemovalPolicy,
		LogRetention:    env.LogRetention,
		Consumer:        &streaming.ConsumerProps{Entry: jsii.String(entry)},
		Archive: &streaming.ArchiveProps{
			BufferingInterval: awscdk.Duration_Seconds(jsii.Number(env.ArchiveBufferInterval.Seconds())),
			BufferingSize:     awscdk.Size_Mebibytes(jsii.Number(float64(env.ArchiveBufferMiB))),
		},
		Alarms: &streaming.AlarmProps{
			IteratorAgeThreshold: awscdk.Duration_Seconds(jsii.Number(env.IteratorAgeThreshold.Seconds())),
		},
		DataModel: &streaming.DataModel{
			// The reference consumer's Event and its validating decoder are
			// generated from the same file (go generate ./lambda).
			Schema:                jsii.String(filepath.Join(entry, "event.schema.json")),
			Owner:                 jsii.String("Platform team (#standardstream)"),
			Description:           jsii.String("Order lifecycle events (created, paid, shipped, cancelled) from the order service, consumed by the reference consumer and archived for analytics."),
			PartitionKey:          jsii.String("payload.customer, the customer ID"),
			PartitionKeyRationale: jsii.String("Customers number in the hundreds of thousands, so keys spread evenly over any number of shards, and one customer's events stay in order. Order status or event type would put most traffic on a handful of keys (hot shards)."),
			Classification:        streaming.ClassificationConfidential,
		},
	})
	for _, addr := range env.AlarmEmails {
		events.AlarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(addr), nil))
	}

	output(stack, "StreamName", events.Stream.StreamName(), "Kinesis stream that producers write to")
	output(stack, "StreamArn", events.Stream.StreamArn(), "ARN for producer IAM policies")
	output(stack, "ArchiveBucket", events.Bucket.BucketName(), "S3 bucket holding the archive")
	output(stack, "AlarmTopicArn", events.AlarmTopic.TopicArn(), "SNS topic receiving every alarm")
	return &Deployment{Env: env, Stack: stack, Streams: []*streaming.StandardStream{events}}, nil
}

func output(stack awscdk.Stack, name string, value *string, description string) {
	awscdk.NewCfnOutput(stack, jsii.String(name), &awscdk.CfnOutputProps{
		Value:       value,
		Description: jsii.String(description),
	})
}

// Prepare starts, in the background, the work of building the stacks that
// needs no CDK: checking and hashing the reference consumer's Go sources
// (golambda.Prepare). Called before the app's first CDK call, it overlaps
// jsii's start-up.
func Prepare() {
	if entry, err := streaming.ReferenceConsumerEntry(); err == nil {
		golambda.Prepare(entry)
	}
}

// Build creates the stack of every environment in app.
func Build(app constructs.Construct, envs []Environment) ([]*Deployment, error) {
	var out []*Deployment
	for _, env := range envs {
		d, err := NewStreamStack(app, env)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
