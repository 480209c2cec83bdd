package streaming_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// What the Control Tower controls need, resource by resource; test/ runs
// the controls themselves over the templates.
//
// Its streams are the policies stack's (synthPolicies): "Events" (no options,
// so retained), "Destroy" (RemovalPolicy DESTROY) and "Keyed" (its own key
// "Key" and a 90-day Object Lock), read as if alone in their stack.
func TestControls(t *testing.T) {
	policies, _ := synthPolicies(t)
	tpl := policies.Under(t, "Events", "Destroy", "Keyed", "Key")
	bucket := func(stream, name string) map[string]any {
		return tpl.Resources("AWS::S3::Bucket")[logicalID(t, tpl, "AWS::S3::Bucket", stream, name)]["Properties"].(map[string]any)
	}

	t.Run("CT.S3.PR.4 EventBridge notifications on every bucket", func(t *testing.T) {
		for id, b := range tpl.Resources("AWS::S3::Bucket") {
			n, _ := json.Marshal(b["Properties"].(map[string]any)["NotificationConfiguration"])
			if string(n) != `{"EventBridgeConfiguration":{"EventBridgeEnabled":true}}` {
				t.Errorf("bucket %s: got NotificationConfiguration %s, want EventBridge on", id, n)
			}
		}
		// Set on the bucket itself, not by CDK's notifications custom resource.
		tpl.ResourceCountIs("Custom::S3BucketNotifications", 0)
	})
	t.Run("CT.S3.PR.9 Object Lock where data is retained", func(t *testing.T) {
		for stream, days := range map[string]float64{"Events": 30, "Keyed": 90} {
			for _, name := range []string{"Archive", "Failures"} {
				lock, _ := json.Marshal(bucket(stream, name)["ObjectLockConfiguration"])
				want := `{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Days":` + jsonNumber(days) + `,"Mode":"GOVERNANCE"}}}`
				if string(lock) != want || bucket(stream, name)["ObjectLockEnabled"] != true {
					t.Errorf("%s/%s: got ObjectLockConfiguration %s, want %s", stream, name, lock, want)
				}
			}
			if b := bucket(stream, "AccessLogs"); b["ObjectLockEnabled"] != nil {
				t.Errorf("%s/AccessLogs: got Object Lock; S3 does not deliver access logs to such a bucket", stream)
			}
		}
		for _, name := range []string{"Archive", "Failures", "AccessLogs"} {
			if b := bucket("Destroy", name); b["ObjectLockEnabled"] != nil || b["ObjectLockConfiguration"] != nil {
				t.Errorf("Destroy/%s: got Object Lock; a DESTROY stack must be able to empty its buckets", name)
			}
		}
	})
	t.Run("CT.KMS.PR.3 grants on the alarm key only for AWS resources", func(t *testing.T) {
		tpl.HasResourceProperties("AWS::KMS::Key", like("KeyPolicy", like("Statement", arrayWith(obj(
			"Sid", "GrantsOnlyForAWSResources", "Effect", "Deny", "Principal", obj("AWS", "*"),
			"Action", "kms:CreateGrant", "Resource", "*",
			"Condition", obj("BoolIfExists", obj("kms:GrantIsForAWSResource", "false", "aws:PrincipalIsAWSService", "false")),
		)))))
	})
	t.Run("CT.S3.PR.10 and CT.CLOUDWATCH.PR.3 with EncryptionKey", func(t *testing.T) {
		keyArn := obj("Fn::GetAtt", []any{tpl.LogicalID("AWS::KMS::Key", "Key"), "Arn"})
		for _, name := range []string{"ConsumerLogs", "DeliveryLogs"} {
			logs := tpl.Resources("AWS::Logs::LogGroup")[logicalID(t, tpl, "AWS::Logs::LogGroup", "Keyed", name)]
			got, _ := json.Marshal(logs["Properties"].(map[string]any)["KmsKeyId"])
			want, _ := json.Marshal(keyArn)
			if string(got) != string(want) {
				t.Errorf("Keyed/%s: got KmsKeyId %s, want %s", name, got, want)
			}
			if other := tpl.Resources("AWS::Logs::LogGroup")[logicalID(t, tpl, "AWS::Logs::LogGroup", "Events", name)]; other["Properties"].(map[string]any)["KmsKeyId"] != nil {
				t.Errorf("Events/%s: got a KmsKeyId without EncryptionKey", name)
			}
		}
		for _, name := range []string{"Archive", "Failures"} {
			enc, _ := json.Marshal(bucket("Keyed", name)["BucketEncryption"])
			if !strings.Contains(string(enc), `"SSEAlgorithm":"aws:kms"`) {
				t.Errorf("Keyed/%s: got %s, want SSE-KMS", name, enc)
			}
		}
		// The key policy lets CloudWatch Logs of this account and region use it.
		tpl.HasResourceProperties("AWS::KMS::Key", like("KeyPolicy", like("Statement", arrayWith(like(
			"Sid", "CloudWatchLogsEncryptsLogGroups",
			"Principal", obj("Service", obj("Fn::Join", []any{"", []any{"logs.", obj("Ref", "AWS::Region"), ".amazonaws.com"}})),
			"Action", []any{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
			"Condition", obj("ArnLike", obj("kms:EncryptionContext:aws:logs:arn", assertions.Match_AnyValue())),
		)))))
	})
}

// A key CDK cannot change gets a warning with the statement to add.
func TestImportedKeyWarns(t *testing.T) {
	app := cdktest.NewApp(t, false)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	key := awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	s := streaming.NewStandardStream(stack, "Events", &streaming.StandardStreamProps{EncryptionKey: key})
	var warnings []string
	for _, m := range *s.Node().Metadata() {
		if *m.Type == "aws:cdk:warning" {
			warnings = append(warnings, m.Data.(string))
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "encryptionKey") || !strings.Contains(warnings[0], "CloudWatchLogsEncryptsLogGroups") {
		t.Errorf("got warnings %q, want one naming encryptionKey and giving the statement", warnings)
	}
}

func jsonNumber(f float64) string { b, _ := json.Marshal(f); return string(b) }

// logicalID finds the resource of type typ named name inside the
// StandardStream with construct ID stream.
func logicalID(t *testing.T, tpl *cdktest.Template, typ, stream, name string) string {
	t.Helper()
	for id, r := range tpl.Resources(typ) {
		md, _ := r["Metadata"].(map[string]any)
		path, _ := md["aws:cdk:path"].(string)
		if strings.HasPrefix(path, "Test/"+stream+"/"+name+"/") {
			return id
		}
	}
	t.Fatalf("no %s %s/%s", typ, stream, name)
	return ""
}
