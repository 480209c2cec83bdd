//go:build fixture

package diagram_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// TestWriteTwoStreamsFixture synthesizes the two-stream fixture from the
// construct. It is behind a build tag so that the diagram's tests do not
// link the CDK:
//
//	go test -tags fixture -run TestWriteTwoStreamsFixture ./docgen/diagram/
func TestWriteTwoStreamsFixture(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Shop"), nil)
	orders := streaming.NewStandardStream(stack, "Orders", &streaming.StandardStreamProps{
		StreamName: jsii.String("orders"),
		Consumer:   &streaming.ConsumerProps{BatchSize: jsii.Number(500), ParallelizationFactor: jsii.Number(2)},
	})
	streaming.NewStandardStream(stack, "Clicks", &streaming.StandardStreamProps{
		StreamName:      jsii.String("clicks"),
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(48)),
		StreamMode:      awskinesis.StreamMode_PROVISIONED,
		ShardCount:      jsii.Number(4),
		Consumer: &streaming.ConsumerProps{
			FailureDestination: streaming.FailureDestinationSQS,
			EnhancedFanOut:     jsii.Bool(true),
		},
	})
	api := awsiam.NewRole(stack, jsii.String("OrderApi"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
	})
	orders.GrantWrite(api)
	tpl := cdktest.FromStack(t, stack).JSON()
	out, err := json.MarshalIndent(tpl, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "two-streams.template.json"), append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
