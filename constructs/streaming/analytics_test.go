package streaming_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

func TestSmokeAllOptions(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	s := streaming.NewStandardStream(stack, "Events", &streaming.StandardStreamProps{
		StreamName: jsii.String("orders-events"), EncryptionKey: key,
		Consumer:  &streaming.ConsumerProps{EnhancedFanOut: jsii.Bool(true)},
		Analytics: &streaming.AnalyticsProps{Code: streaming.FlinkCodeFromAsset("testdata/flink-app.zip")},
	})
	s.GrantWrite(awsiam.NewAccountPrincipal(jsii.String("111122223333")))
	s.GrantRead(awsiam.NewArnPrincipal(jsii.String("arn:aws:iam::444455556666:role/consumer")))
	analyst := awsiam.NewRole(stack, jsii.String("Analyst"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	s.GrantQuery(analyst)
	tpl := cdktest.FromStack(t, stack)
	b, _ := json.MarshalIndent(tpl.JSON(), "", " ")
	os.WriteFile("/tmp/an/all.json", b, 0o644)
}
