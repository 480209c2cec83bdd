package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// keyAdminActions are what the account may do with the alarm topic's key
// through IAM. They are listed one by one because the usual key policy
// ("kms:*" for the account) is a wildcard action.
var keyAdminActions = []string{
	"kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey",
	"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
	"kms:Encrypt", "kms:GenerateDataKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
	"kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant",
	"kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
}

// newAlarmTopic creates the alarm topic: encrypted with its own rotating
// customer-managed key, because CloudWatch can only publish to an encrypted
// topic whose key policy lets it (the AWS-managed SNS key cannot), and
// accepting only TLS requests.
func (s *StandardStream) newAlarmTopic() awssns.ITopic {
	stack := awscdk.Stack_Of(s.Construct)
	policy := awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AccountAdministersThroughIAM"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()},
			Actions:    jsii.Strings(keyAdminActions...),
			Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
		}),
		// CT.KMS.PR.3: grants on this key only for AWS resources. Nothing
		// here needs a grant (CloudWatch and SNS use Decrypt and
		// GenerateDataKey); this keeps a principal the account allows to
		// CreateGrant from handing the key's use to someone else.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("GrantsOnlyForAWSResources"),
			Effect:     awsiam.Effect_DENY,
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings("kms:CreateGrant"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]interface{}{
				"BoolIfExists": map[string]interface{}{
					"kms:GrantIsForAWSResource": "false",
					"aws:PrincipalIsAWSService": "false",
				},
			},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudWatchPublishesAlarms"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]interface{}{
				"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()},
			},
		}),
	}})
	// The L1 key: the L2 Key always adds "kms:*" for the account.
	cfnKey := awskms.NewCfnKey(s.Construct, id("AlarmKey"), &awskms.CfnKeyProps{
		Description:         jsii.String("Encrypts a StandardStream's alarm notifications"),
		EnableKeyRotation:   jsii.Bool(true),
		KeyPolicy:           policy,
		PendingWindowInDays: jsii.Number(7),
	})
	cfnKey.ApplyRemovalPolicy(s.settings.removalPolicy, nil)
	key := awskms.Key_FromKeyArn(s.Construct, id("AlarmKeyRef"), cfnKey.AttrArn())
	return awssns.NewTopic(s.Construct, id("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("StandardStream alarms"),
		EnforceSSL:  jsii.Bool(true),
		MasterKey:   key,
	})
}
