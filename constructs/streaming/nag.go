package streaming

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// The cdk-nag suppressions of a StandardStream. Each is attached to one
// resource, limited with appliesTo where the rule supports it, and says why
// the finding is safe; docs/security.md lists them.

// objectWildcard matches a policy resource "<Bucket.Arn>/*": services that
// write objects under keys they generate (Lambda's on-failure records,
// Firehose's time-partitioned archive) need every key of their one bucket.
var objectWildcard = &cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<[A-Za-z0-9]+\.Arn>\/\*$/g`)}

func suppress(c constructs.IConstruct, id, reason string, appliesTo ...any) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(false))
}

// suppressConsumerFindings is called once the consumer's role policy is complete.
func (s *StandardStream) suppressConsumerFindings(policy constructs.IConstruct) {
	suppress(policy, "AwsSolutions-IAM5",
		"X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so tracing needs Resource *.",
		"Resource::*")
	if s.FailureBucket != nil {
		suppress(policy, "AwsSolutions-IAM5",
			"Lambda writes each discarded batch to the failure bucket under a key it generates (aws/lambda/<mapping>/<shard>/<date>/...); s3:PutObject is granted on that one bucket's objects only.",
			objectWildcard)
	}
	suppress(s.Consumer, "Serverless-LambdaDLQ",
		"The event-source mapping invokes the consumer synchronously, so a function DLQ (for asynchronous invocations) never applies; the mapping's on-failure destination keeps discarded records with their payload.")
}

// suppressArchiveFindings is called once the archive exists.
func (s *StandardStream) suppressArchiveFindings(policy constructs.IConstruct) {
	suppress(policy, "AwsSolutions-IAM5",
		"Firehose writes time-partitioned objects under keys it generates; its writes are granted on the archive bucket's objects only.",
		objectWildcard)
	suppress(s.DeliveryStream, "AwsSolutions-KDF1",
		"Firehose cannot enable server-side encryption on a delivery stream whose source is a Kinesis data stream; the records are encrypted at rest by the stream's KMS key and by the archive bucket's encryption.")
}

// suppressQueueFindings is called when the failure destination is a queue.
func (s *StandardStream) suppressQueueFindings() {
	const reason = "This queue is the event-source mapping's on-failure destination, the end of the line for discarded records; an ESM on-failure destination is not a queue redrive policy, and a DLQ behind it would only move the same messages again."
	suppress(s.FailureQueue, "AwsSolutions-SQS3", reason)
	suppress(s.FailureQueue, "Serverless-SQSRedrivePolicy", reason)
}

// suppressStreamFindings is called when the stream uses the caller's key.
func (s *StandardStream) suppressStreamFindings() {
	if s.settings.key == nil {
		return
	}
	suppress(s.Stream, "AwsSolutions-KDS3",
		"The stream is encrypted with the customer-managed key the team passed as EncryptionKey (key policy and rotation under its control); KDS3 only prefers the AWS-managed key when none is given, which is the default.")
}
