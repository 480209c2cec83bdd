package streaming_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// The full policies of the consumer's and Firehose's roles: any added
// permission fails here first.
func TestLeastPrivilegePolicies(t *testing.T) {
	tpl, _, _ := synth(t, nil)
	stream := obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::Kinesis::Stream", "Stream"), "Arn"})
	failures := tpl.LogicalID("AWS::S3::Bucket", "Failures")
	archive := tpl.LogicalID("AWS::S3::Bucket", "Archive")
	objects := func(bucket string) any {
		return obj("Fn::Join", []any{"", []any{obj("Fn::GetAtt", []any{bucket, "Arn"}), "/*"}})
	}
	assertPolicy(t, tpl, "ConsumerRole", []any{
		obj("Action", []any{"logs:CreateLogStream", "logs:PutLogEvents"}, "Effect", "Allow",
			"Resource", obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::Logs::LogGroup", "ConsumerLogs"), "Arn"})),
		obj("Action", []any{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}, "Effect", "Allow", "Resource", "*"),
		obj("Action", "s3:PutObject", "Effect", "Allow", "Resource", objects(failures)),
		obj("Action", "s3:ListBucket", "Effect", "Allow", "Resource", obj("Fn::GetAtt", []any{failures, "Arn"})),
		obj("Action", []any{
			"kinesis:DescribeStream", "kinesis:DescribeStreamConsumer", "kinesis:DescribeStreamSummary",
			"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
			"kinesis:SubscribeToShard",
		}, "Effect", "Allow", "Resource", stream),
	})
	tpl.HasResourceProperties("AWS::IAM::Role", obj(
		"AssumeRolePolicyDocument", like("Statement", []any{like("Principal", obj("Service", "lambda.amazonaws.com"))}),
		"ManagedPolicyArns", assertions.Match_Absent(),
	))
	tpl.HasResourceProperties("AWS::IAM::Policy", obj(
		"Roles", []any{obj("Ref", tpl.LogicalID("AWS::IAM::Role", "DeliveryRole"))},
		"PolicyName", assertions.Match_AnyValue(),
		"PolicyDocument", obj("Version", "2012-10-17", "Statement", []any{
			obj("Action", []any{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
				"Effect", "Allow", "Resource", stream),
			obj("Action", []any{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"},
				"Effect", "Allow", "Resource", obj("Fn::GetAtt", []any{archive, "Arn"})),
			obj("Action", []any{"s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"}, "Effect", "Allow", "Resource", objects(archive)),
			obj("Action", "logs:PutLogEvents", "Effect", "Allow",
				"Resource", obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::Logs::LogGroup", "DeliveryLogs"), "Arn"})),
		}),
	))
	// Firehose's L2 would otherwise add its own default policy to the role.
	if n := len(tpl.Resources("AWS::IAM::Policy")); n != 2 {
		t.Errorf("got %d IAM policies, want 2 (consumer, delivery)", n)
	}
}
