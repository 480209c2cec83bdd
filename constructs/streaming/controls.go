package streaming

import "fmt"

// A ControlExemption is an AWS Control Tower proactive control that a
// resource of a StandardStream does not meet, where and why. The test suite
// runs Control Tower's rules (cfn-guard) over every environment's template
// and every option, and fails on any finding not exempted here;
// docs/security.md lists each exemption.
type ControlExemption struct {
	// Control is the control's ID, such as "CT.S3.PR.9".
	Control string
	// Resource is the construct ID of the resource: a child of the
	// StandardStream ("AccessLogs"), or a stack-level singleton CDK adds for
	// it ("Custom::S3AutoDeleteObjectsCustomResourceProvider").
	Resource string
	// When limits the exemption to some configurations; Always otherwise.
	When ExemptionCondition
	// Reason says why the control is not met.
	Reason string
}

// ExemptionCondition is the configuration in which a ControlExemption applies.
type ExemptionCondition int

const (
	// Always: in every configuration.
	Always ExemptionCondition = iota
	// WithoutEncryptionKey: only when StandardStreamProps.EncryptionKey is
	// not set; with a key the control is met.
	WithoutEncryptionKey
	// WithRemovalPolicyDestroy: only with RemovalPolicy DESTROY.
	WithRemovalPolicyDestroy
)

func (c ExemptionCondition) String() string {
	switch c {
	case Always:
		return "always"
	case WithoutEncryptionKey:
		return "without EncryptionKey"
	case WithRemovalPolicyDestroy:
		return "with RemovalPolicy DESTROY"
	}
	return fmt.Sprintf("ExemptionCondition(%d)", int(c))
}

// autoDeleteProvider is the construct ID of CDK's stack-wide provider that
// empties buckets before they are deleted (RemovalPolicy DESTROY).
const autoDeleteProvider = "Custom::S3AutoDeleteObjectsCustomResourceProvider"

// ControlTowerExemptions are the Control Tower proactive controls a
// StandardStream does not meet, each with its reason. Every other control
// that applies to its resources is met.
var ControlTowerExemptions = []ControlExemption{
	{"CT.LAMBDA.PR.3", "Consumer", Always,
		"The consumer reads Kinesis, S3 and CloudWatch through public AWS endpoints with IAM authorization and reaches nothing private; a VPC would add NAT gateways or interface endpoints, cost and cold-start latency, and no protection. A team whose consumer calls private resources attaches it to its VPC."},
	{"CT.LAMBDA.PR.3", autoDeleteProvider, WithRemovalPolicyDestroy,
		"CDK's provider that empties buckets before a DESTROY stack deletes them calls only S3; it runs when the stack or a bucket is deleted and is not configurable."},
	{"CT.CLOUDWATCH.PR.2", "ConsumerLogs", Always,
		"Log retention is the team's choice (LogRetention, one month by default): these are operational logs, the archive is the record of the data, and logs may hold parts of records, which should not outlive their purpose by a year."},
	{"CT.CLOUDWATCH.PR.2", "DeliveryLogs", Always,
		"Firehose error logs, kept as long as LogRetention says for the same reasons as the consumer's."},
	{"CT.LAMBDA.PR.3", "AWS679f53fac002430cb0da5b7982bd2287", Always,
		"CDK's AwsCustomResource provider, present only with AnalyticsProps.StartAfterDeploy, makes one StartApplication call through the public Managed Flink endpoint when the application is created."},
	{"CT.CLOUDWATCH.PR.2", "AnalyticsLogs", Always,
		"The Flink application's logs (Analytics option), kept as long as LogRetention says for the same reasons as the consumer's."},
	{"CT.CLOUDWATCH.PR.2", "AnalyticsStarterLogs", Always,
		"The logs of the one call that starts the Flink application (Analytics option), kept as long as LogRetention says."},
	{"CT.CLOUDWATCH.PR.3", "AnalyticsLogs", WithoutEncryptionKey,
		"Without EncryptionKey, CloudWatch Logs encrypts log data with service-owned keys; with it, the log group uses the key."},
	{"CT.CLOUDWATCH.PR.3", "AnalyticsStarterLogs", WithoutEncryptionKey,
		"Without EncryptionKey, CloudWatch Logs encrypts log data with service-owned keys; with it, the log group uses the key."},
	{"CT.ATHENA.PR.2", "Workgroup", WithoutEncryptionKey,
		"Without EncryptionKey the workgroup encrypts query results with SSE-S3, as the results bucket does; with it, SSE-KMS with the key."},
	{"CT.CLOUDWATCH.PR.3", "ConsumerLogs", WithoutEncryptionKey,
		"Without EncryptionKey, CloudWatch Logs encrypts log data with service-owned keys; with it, the log group uses the key."},
	{"CT.CLOUDWATCH.PR.3", "DeliveryLogs", WithoutEncryptionKey,
		"Without EncryptionKey, CloudWatch Logs encrypts log data with service-owned keys; with it, the log group uses the key."},
	{"CT.S3.PR.10", "Archive", WithoutEncryptionKey,
		"Without EncryptionKey the bucket uses SSE-S3 (AES-256), which needs no key policy and costs no KMS requests; with it, SSE-KMS with the key and a bucket key."},
	{"CT.S3.PR.10", "Failures", WithoutEncryptionKey,
		"Without EncryptionKey the bucket uses SSE-S3 (AES-256); with it, SSE-KMS with the key and a bucket key."},
	{"CT.S3.PR.10", "AccessLogs", Always,
		"S3 delivers server access logs only to buckets encrypted with SSE-S3."},
	{"CT.SQS.PR.1", "FailureQueue", Always,
		"This queue is the event-source mapping's on-failure destination (the SQS option), the end of the line for discarded records: nothing consumes it with a redrive policy, so a dead-letter queue behind it would never receive a message."},
	{"CT.S3.PR.10", "QueryResults", WithoutEncryptionKey,
		"Without EncryptionKey the Athena results bucket uses SSE-S3, as the workgroup's results encryption does; with it, SSE-KMS with the key."},
	{"CT.S3.PR.9", "QueryResults", Always,
		"Athena query results are derived from the archive and can be computed again; they expire after query.resultsExpiration, and locking them would protect nothing that is not already kept, locked, in the archive."},
	{"CT.S3.PR.2", "AccessLogs", Always,
		"It is the server access log bucket of the archive and failure buckets; logging it to itself would loop."},
	{"CT.S3.PR.9", "AccessLogs", Always,
		"S3 does not deliver server access logs to a bucket with Object Lock."},
	{"CT.S3.PR.9", "Archive", WithRemovalPolicyDestroy,
		"A DESTROY stack empties its buckets on delete; locked object versions cannot be deleted, so the stack could not be removed. Object Lock is on wherever the data is retained."},
	{"CT.S3.PR.9", "Failures", WithRemovalPolicyDestroy,
		"As for the archive: a DESTROY stack must be able to empty its buckets."},
}
