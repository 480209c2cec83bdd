package streaming

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The cdk-nag suppressions of a StandardStream. Each is attached to one
// resource, limited with appliesTo where the rule supports it, and says why
// the finding is safe; docs/security.md lists them.
//
// They are written as the cdk_nag metadata that cdk-nag's
// NagSuppressions.addResourceSuppressions writes (and cdk-nag reads, in the
// app or from a template), without loading cdk-nag itself: its JavaScript
// costs every synth about a tenth of a second for a few metadata entries.
// TestSuppressionsAsCdkNag compares both, entry for entry.

// nagRegex is an appliesTo entry that matches findings by a JavaScript
// regular expression literal, /pattern/flags (cdk-nag's RegexAppliesTo).
type nagRegex string

// objectWildcard matches a policy resource "<Bucket.Arn>/*": services that
// write objects under keys they generate (Lambda's on-failure records,
// Firehose's time-partitioned archive) need every key of their one bucket.
const objectWildcard nagRegex = `/^Resource::<[A-Za-z0-9]+\.Arn>\/\*$/g`

// suppress adds a suppression of rule id to c's CloudFormation resource (its
// default child, or c itself). appliesTo entries are finding strings or
// nagRegex.
func suppress(c constructs.IConstruct, id, reason string, appliesTo ...any) {
	suppressAll(c, false, id, reason, appliesTo...)
}

// suppressAll is suppress that, with children, also adds the suppression to
// every CloudFormation resource under c.
func suppressAll(c constructs.IConstruct, children bool, id, reason string, appliesTo ...any) {
	rule := nagRule(id, reason, appliesTo)
	targets := []constructs.IConstruct{c}
	if children {
		targets = *c.Node().FindAll(constructs.ConstructOrder_PREORDER)
	}
	for _, t := range targets {
		if d := t.Node().DefaultChild(); d != nil {
			t = d
		}
		res, ok := t.(awscdk.CfnResource)
		if !ok || !*awscdk.CfnResource_IsCfnResource(t) {
			continue
		}
		res.AddMetadata(jsii.String("cdk_nag"), addNagRule(res.GetMetadata(jsii.String("cdk_nag")), rule))
	}
}

// nagRule is one rules_to_suppress entry in cdk-nag's metadata format
// (NagSuppressionHelper.toCfnFormat): a reason with a character beyond
// Latin-1 is stored base64-encoded and marked so.
func nagRule(id, reason string, appliesTo []any) map[string]any {
	if utf8.RuneCountInString(reason) < 10 {
		panic(fmt.Sprintf("cdk-nag suppression of %s: the reason %q is shorter than the 10 characters cdk-nag requires", id, reason))
	}
	rule := map[string]any{"id": id, "reason": reason}
	if slices.ContainsFunc([]rune(reason), func(r rune) bool { return r > 255 }) {
		rule["reason"], rule["is_reason_encoded"] = base64.StdEncoding.EncodeToString([]byte(reason)), true
	}
	if len(appliesTo) > 0 {
		entries := make([]any, len(appliesTo))
		for i, a := range appliesTo {
			switch a := a.(type) {
			case string:
				entries[i] = a
			case nagRegex:
				entries[i] = map[string]any{"regex": string(a)}
			default:
				panic(fmt.Sprintf("cdk-nag suppression of %s: appliesTo entry %v (%T) is neither a string nor a nagRegex", id, a, a))
			}
		}
		rule["applies_to"] = entries
	}
	return rule
}

// addNagRule returns the cdk_nag metadata existing with rule added unless
// an equal entry is there already, as cdk-nag merges them.
func addNagRule(existing any, rule map[string]any) map[string]any {
	var rules []any
	if m, ok := existing.(map[string]any); ok {
		rules, _ = m["rules_to_suppress"].([]any)
	}
	key := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if !slices.ContainsFunc(rules, func(r any) bool { return key(r) == key(rule) }) {
		rules = append(slices.Clip(rules), rule)
	}
	return map[string]any{"rules_to_suppress": rules}
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

// suppressAutoDeleteFindings is called once the buckets exist. With
// RemovalPolicy DESTROY, CDK adds one provider per stack that empties buckets
// before they are deleted; its role and function are plain CfnResources,
// which an in-app cdk-nag run does not check but an audit of the template
// does.
func (s *StandardStream) suppressAutoDeleteFindings() {
	provider := awscdk.Stack_Of(s.Construct).Node().TryFindChild(jsii.String(autoDeleteProvider))
	if provider == nil {
		return
	}
	role, handler := provider.Node().FindChild(jsii.String("Role")), provider.Node().FindChild(jsii.String("Handler"))
	suppress(role, "AwsSolutions-IAM4",
		"CDK's bucket auto-delete provider (RemovalPolicy DESTROY only) is given AWSLambdaBasicExecutionRole by CDK to write its own logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents); CDK does not let its role be changed.",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	suppress(handler, "Serverless-LambdaDLQ",
		"CloudFormation invokes CDK's auto-delete provider for a custom resource and waits for its answer; a failure fails the stack operation, which is the signal. A DLQ would keep an event that nobody replays.")
	suppress(handler, "Serverless-LambdaTracing",
		"CDK's auto-delete provider runs only when a bucket of a DESTROY stack is deleted; its logs record each call, and tracing would add X-Ray permissions to a role CDK owns.")
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

// suppressAnalyticsFindings is called once the Flink application exists.
func (s *StandardStream) suppressAnalyticsFindings(policy constructs.IConstruct) {
	suppress(policy, "AwsSolutions-IAM5",
		"Managed Service for Apache Flink calls logs:DescribeLogGroups when it starts to check its logging option, and that action takes no resource narrower than the account's log groups (log-group:*); every write is granted on the application's one log stream.",
		nagRegex(`/^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:\*$/g`))
}

// suppressStarterFindings is called once the custom resource that starts
// the Flink application exists. Its provider is a stack-wide singleton
// function that CDK creates (custom_resources.AwsCustomResource).
func (s *StandardStream) suppressStarterFindings(role constructs.IConstruct) {
	stack := awscdk.Stack_Of(s.Construct)
	const provider = "AWS679f53fac002430cb0da5b7982bd2287"
	fn := stack.Node().TryFindChild(jsii.String(provider))
	if fn == nil {
		return
	}
	const why = "CDK's AwsCustomResource provider makes one StartApplication call when the Flink application is created and then idles; "
	for _, f := range []struct{ id, reason string }{
		{"AwsSolutions-L1", why + "its Node.js runtime is chosen by the CDK release, which pins and updates it."},
		{"Serverless-LambdaTracing", why + "a single control-plane call at deploy time needs no tracing; its logs go to a log group with retention."},
		{"Serverless-LambdaDLQ", why + "CloudFormation invokes it synchronously and reports its failure in the stack events; there is no asynchronous event to keep."},
		{"Serverless-LambdaDefaultMemorySize", why + "one SDK call needs no more than the default memory."},
		{"Serverless-LambdaLatestVersion", why + "its Node.js runtime is chosen by the CDK release."},
	} {
		suppress(fn, f.id, f.reason)
	}
	_ = role
}
