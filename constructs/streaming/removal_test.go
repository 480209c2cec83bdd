package streaming_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// Every resource that holds data or decrypts it gets the one removal policy
// the team chose: no log group, key or queue outlives (or dies before) the
// stream and the buckets.
func TestRemovalPolicyIsUniform(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	want := map[string][2]string{ // construct ID: DeletionPolicy, UpdateReplacePolicy
		"Retain":                 {"Retain", "Retain"},
		"Destroy":                {"Delete", "Delete"},
		"RetainOnUpdateOrDelete": {"RetainExceptOnCreate", "Retain"},
	}
	policies := map[string]awscdk.RemovalPolicy{
		"Retain": awscdk.RemovalPolicy_RETAIN, "Destroy": awscdk.RemovalPolicy_DESTROY,
		"RetainOnUpdateOrDelete": awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	}
	for name, p := range policies {
		streaming.NewStandardStream(stack, name, &streaming.StandardStreamProps{RemovalPolicy: p})
	}
	// The SQS failure destination is a data store too.
	streaming.NewStandardStream(stack, "RetainOnUpdateOrDeleteSqs", &streaming.StandardStreamProps{
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		Consumer:      &streaming.ConsumerProps{FailureDestination: streaming.FailureDestinationSQS},
	})
	want["RetainOnUpdateOrDeleteSqs"] = want["RetainOnUpdateOrDelete"]

	tpl := cdktest.FromStack(t, stack)
	seen := map[string]map[string]int{}
	for _, typ := range []string{"AWS::Kinesis::Stream", "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::SQS::Queue"} {
		for id, r := range tpl.Resources(typ) {
			md, _ := r["Metadata"].(map[string]any)
			path, _ := md["aws:cdk:path"].(string)
			owner := strings.Split(path, "/")[1]
			w, ok := want[owner]
			if !ok {
				t.Errorf("%s %s: unexpected owner %q", typ, id, path)
				continue
			}
			if r["DeletionPolicy"] != w[0] || r["UpdateReplacePolicy"] != w[1] {
				t.Errorf("%s: got DeletionPolicy %v, UpdateReplacePolicy %v; want %s, %s", path, r["DeletionPolicy"], r["UpdateReplacePolicy"], w[0], w[1])
			}
			if seen[owner] == nil {
				seen[owner] = map[string]int{}
			}
			seen[owner][typ]++
		}
	}
	// The scan covered what it claims: every StandardStream has a stream,
	// four buckets (archive, failures or the queue, access logs, query
	// results), two log groups and the alarm key.
	for owner := range want {
		got := seen[owner]
		if got["AWS::Kinesis::Stream"] != 1 || got["AWS::Logs::LogGroup"] != 2 || got["AWS::KMS::Key"] != 1 || got["AWS::S3::Bucket"]+got["AWS::SQS::Queue"] != 4 {
			t.Errorf("%s: got resources %v, want a stream, 2 log groups, the alarm key and 4 buckets or queues", owner, got)
		}
	}
}
