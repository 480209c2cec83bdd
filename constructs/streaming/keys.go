package streaming

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// logsKeyActions are what CloudWatch Logs needs of a log group's KMS key:
// the kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and
// kms:Describe* of its documentation written out, without the key-pair
// operations, which encrypting log data never calls.
var logsKeyActions = []string{
	"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
	"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey",
}

// logsKeyStatement lets CloudWatch Logs in this stack's account and region
// use the key for log groups of that account and region. The condition
// cannot name this StandardStream's log groups: they reference the key, so a
// key policy naming them would be a dependency cycle. With placeholders, the
// partition, region and account are written as <partition>, <region> and
// <account> unless the stack's are known.
func (s *StandardStream) logsKeyStatement(placeholders bool) map[string]any {
	stack := awscdk.Stack_Of(s.Construct)
	partition, region, account := *stack.Partition(), *stack.Region(), *stack.Account()
	if placeholders {
		partition, region, account = orPlaceholder(partition, "<partition>"), orPlaceholder(region, "<region>"), orPlaceholder(account, "<account>")
	}
	return map[string]any{
		"Sid":       "CloudWatchLogsEncryptsLogGroups",
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": fmt.Sprintf("logs.%s.amazonaws.com", region)},
		"Action":    logsKeyActions,
		"Resource":  "*",
		"Condition": map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", partition, region, account),
		}},
	}
}

func orPlaceholder(v, placeholder string) string {
	if unresolved(v) {
		return placeholder
	}
	return v
}

// allowLogsToUseKey adds logsKeyStatement to the customer-managed key's
// policy, so that the log groups can use the key (CT.CLOUDWATCH.PR.3).
// CloudWatch Logs refuses to create a log group whose key it may not use, so
// for a key CDK cannot change (one imported by ARN) it warns with the
// statement to add.
func (s *StandardStream) allowLogsToUseKey() {
	key := s.settings.key
	if key == nil {
		return
	}
	statement := awsiam.PolicyStatement_FromJson(s.logsKeyStatement(false))
	if added := key.AddToResourcePolicy(statement, jsii.Bool(true)); added == nil || !*added.StatementAdded {
		doc, _ := json.Marshal(s.logsKeyStatement(true))
		awscdk.Annotations_Of(s.Construct).AddWarningV2(jsii.String("@standardstream/streaming:logsKeyPolicy"), jsii.String(
			"encryptionKey is imported, so its key policy cannot be changed here; add this statement to it, or deploying the log groups fails: "+string(doc)), nil)
	}
}
