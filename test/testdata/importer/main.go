// Command orders is a team's own CDK app that imports StandardStream, as
// `go get` gives it: no recover, nothing but CDK calls. TestImportingApp
// synthesizes it with the CDK CLI; every prop below is a mistake that synth
// must report with the construct path, the field and the value.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)

	stack := awscdk.NewStack(app, jsii.String("Orders"), nil)
	orders := streaming.NewStandardStream(stack, "Orders", &streaming.StandardStreamProps{
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(8761)),
		RemovalPolicy:   awscdk.RemovalPolicy_SNAPSHOT,
		Consumer: &streaming.ConsumerProps{
			Entry:             jsii.String("consumer"),
			BatchSize:         jsii.Number(20000),
			MaxBatchingWindow: awscdk.Duration_Millis(jsii.Number(500)),
		},
		Archive: &streaming.ArchiveProps{BufferingInterval: awscdk.Duration_Millis(jsii.Number(60500))},
	})
	orders.GrantWrite(nil)
	orders.AlarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String("oncall@example.com"), nil))

	// A second stack whose consumer does not compile.
	payments := awscdk.NewStack(app, jsii.String("Payments"), nil)
	streaming.NewStandardStream(payments, "Payments", &streaming.StandardStreamProps{
		Consumer: &streaming.ConsumerProps{Entry: jsii.String("broken")},
	})

	app.Synth(nil)
}
