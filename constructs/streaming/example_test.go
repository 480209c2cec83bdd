package streaming_test

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
)

// A team adds its stream to its own stack and grants its producer write
// access, KMS included, in one line.
func Example() {
	out, _ := os.MkdirTemp("", "example-")
	defer os.RemoveAll(out)
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(out),
		// Only to keep this example fast: a real app bundles the consumer.
		Context: &map[string]any{"aws:cdk:bundling-stacks": []any{}},
	})
	stack := awscdk.NewStack(app, jsii.String("OrdersStack"), nil)

	orders := streaming.NewStandardStream(stack, "Orders", &streaming.StandardStreamProps{
		StreamName:      jsii.String("orders"),
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(72)),
		Consumer: &streaming.ConsumerProps{
			BatchSize:             jsii.Number(500),
			ParallelizationFactor: jsii.Number(2),
		},
	})
	api := awsiam.NewRole(stack, jsii.String("OrderApi"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
	})
	orders.GrantWrite(api)
	// A producer in another account: granted on the stream's resource policy.
	orders.GrantWrite(awsiam.NewAccountPrincipal(jsii.String("111122223333")))
	analysts := awsiam.NewRole(stack, jsii.String("Analysts"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	orders.GrantQuery(analysts)

	spec := orders.Spec()
	fmt.Println(spec.StreamName, spec.RetentionHours, "hours")
	fmt.Println("max record age:", spec.Consumer.MaxRecordAgeSec/3600, "hours")
	fmt.Println("writers:", spec.Writers)
	fmt.Println(len(orders.Alarms), "alarms, first:", *orders.IteratorAgeAlarm.Node().Id())
	fmt.Printf("query: %s.%s in workgroup %s by %v\n", spec.Query.Database, spec.Query.Table, spec.Query.Workgroup, spec.Query.Queriers)
	fmt.Println("largest record:", orders.MaxRecordSize(), "bytes") // for producer.WithMaxRecordSize
	// Output:
	// orders 72 hours
	// max record age: 18 hours
	// writers: [OrdersStack/OrderApi account 111122223333 (resource policy)]
	// 8 alarms, first: IteratorAgeAlarm
	// query: orders.records in workgroup orders by [OrdersStack/Analysts]
	// largest record: 1048576 bytes
}

// Bad props are reported with the field and the value before anything is
// created.
func ExampleValidate() {
	err := streaming.Validate(&streaming.StandardStreamProps{
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(8761)),
		Consumer:        &streaming.ConsumerProps{ParallelizationFactor: jsii.Number(11)},
	})
	fmt.Println(err)
	// Output:
	// invalid StandardStreamProps: retentionPeriod must be a whole number of hours between 24 and 8760, got 8761 hours
	// consumer.parallelizationFactor must be a whole number between 1 and 10, got 11
}
