package streaming_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// The Spec recorded in the cloud assembly is the construct's Spec at synth
// time, grants made after NewStandardStream included: what
// `standardstream docs` and `local` read.
func TestSpecMetadata(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Meta"), nil)
	s := streaming.NewStandardStream(stack, "Orders", &streaming.StandardStreamProps{StreamName: jsii.String("orders")})
	role := awsiam.NewRole(stack, jsii.String("Producer"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil)})
	s.GrantWrite(role)
	a, err := cdkapp.ReadAssembly(*app.Synth(nil).Directory())
	if err != nil {
		t.Fatal(err)
	}
	streams, err := a.Streams()
	if err != nil {
		t.Fatal(err)
	}
	if len(streams) != 1 || streams[0].ID != "Orders" || streams[0].Stack != "Meta" {
		t.Fatalf("got streams %+v, want Meta/Orders", streams)
	}
	got, want := streams[0].Spec, s.Spec()
	if !slices.Contains(got.Writers, "Meta/Producer") {
		t.Errorf("got writers %v, want Meta/Producer (granted after construction)", got.Writers)
	}
	if got.StreamName != "orders" || len(got.Alarms) != len(want.Alarms) || got.Consumer.BatchSize != want.Consumer.BatchSize {
		t.Errorf("got spec %+v, want %+v", got, want)
	}
}
