package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// newBucket creates a bucket that keeps the stream's data (the archive, the
// failure destination): hardenBucket's, with object versions locked in
// governance mode where the data is retained (CT.S3.PR.9).
func (s *StandardStream) newBucket(noun string, transitions []*awss3.Transition) awss3.Bucket {
	props := s.bucketProps(transitions)
	if lock := s.settings.objectLockRetention; lock != nil {
		// Nobody deletes or overwrites a version before its retention ends
		// unless granted s3:BypassGovernanceRetention. The lifecycle rules
		// still apply: expiring a current version only adds a delete marker,
		// and old versions are removed once unlocked.
		props.ObjectLockEnabled = jsii.Bool(true)
		props.ObjectLockDefaultRetention = awss3.ObjectLockRetention_Governance(lock)
	}
	return s.hardenBucket(noun, props)
}

// hardenBucket creates a bucket from props (see bucketProps): encrypted
// (with the stream's customer-managed key if there is one), public access
// blocked, TLS enforced, versioned, objects owned by the bucket owner, old
// versions expired, events sent to EventBridge, and server access logs
// written to the AccessLogs bucket.
func (s *StandardStream) hardenBucket(noun string, props *awss3.BucketProps) awss3.Bucket {
	cfg := s.settings
	if cfg.key != nil {
		props.Encryption = awss3.BucketEncryption_KMS
		props.EncryptionKey = cfg.key
		props.BucketKeyEnabled = jsii.Bool(true)
	}
	b := awss3.NewBucket(s.Construct, id(noun), props)
	sendEventsToEventBridge(b)
	s.logAccess(b, noun+"/")
	tightenPolicy(b)
	return b
}

// sendEventsToEventBridge turns on S3's EventBridge notifications for b
// (CT.S3.PR.4): a failed batch or an archive object landing is an event that
// teams can route with an EventBridge rule. It is set on the L1 bucket;
// BucketProps.EventBridgeEnabled would add CDK's notifications custom
// resource, a Lambda function with a wildcard-resource policy.
func sendEventsToEventBridge(b awss3.Bucket) {
	b.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
}

// logAccess sends b's server access logs to the access-log bucket under
// prefix, granting S3's log delivery through a bucket policy. It does not use
// BucketProps.ServerAccessLogsBucket, whose grant depends on the app's
// feature flags (without @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy it
// needs a log-delivery ACL, which BucketOwnerEnforced ownership forbids).
func (s *StandardStream) logAccess(b awss3.Bucket, prefix string) {
	logs := s.accessLogBucket()
	b.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: logs.BucketName(),
		LogFilePrefix:         jsii.String(prefix),
	})
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*logs.ArnForObjects(jsii.String(prefix + "*"))),
		Conditions: &map[string]interface{}{
			"ArnLike":      map[string]interface{}{"aws:SourceArn": b.BucketArn()},
			"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Stack_Of(s.Construct).Account()},
		},
	}))
	// No DependsOn from b to the policy: the policy names b (aws:SourceArn),
	// so that would be a cycle; S3 delivers logs once both exist.
}

// accessLogBucket returns the bucket that receives the server access logs of
// this StandardStream's data buckets, creating it on first use.
func (s *StandardStream) accessLogBucket() awss3.Bucket {
	if s.accessLogs != nil {
		return s.accessLogs
	}
	// S3 delivers server access logs only to buckets encrypted with
	// S3-managed keys, so this bucket never takes the customer-managed key.
	// Nor can it have Object Lock: S3 does not deliver server access logs to
	// a bucket with Object Lock.
	s.accessLogs = awss3.NewBucket(s.Construct, id("AccessLogs"), s.bucketProps(nil))
	sendEventsToEventBridge(s.accessLogs)
	tightenPolicy(s.accessLogs)
	suppress(s.accessLogs, "AwsSolutions-S1",
		"This is the server access log bucket of the archive and failure buckets; logging it to itself would loop.")
	return s.accessLogs
}

func (s *StandardStream) bucketProps(transitions []*awss3.Transition) *awss3.BucketProps {
	cfg := s.settings
	return &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:     cfg.removalPolicy,
		// Only a bucket that is emptied first can be deleted with its stack.
		AutoDeleteObjects: jsii.Bool(s.removeWithStack()),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire"),
			Expiration:                          cfg.expiration,
			Transitions:                         &transitions,
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(30)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
	}
}

// autoDeleteActions maps the wildcard actions CDK grants its auto-delete
// provider in a bucket's policy to the exact calls the provider makes
// (GetBucketTagging, GetBucketPolicy, PutBucketPolicy, ListObjectVersions,
// DeleteObjects), so that no Allow statement has a wildcard action.
var autoDeleteActions = map[string][]string{
	"s3:GetBucket*":    {"s3:GetBucketTagging", "s3:GetBucketPolicy"},
	"s3:List*":         {"s3:ListBucket", "s3:ListBucketVersions"},
	"s3:DeleteObject*": {"s3:DeleteObject", "s3:DeleteObjectVersion"},
}

// exactBucketPolicy renders a bucket policy with autoDeleteActions applied.
// It runs at synthesis, when every statement is in place.
type exactBucketPolicy struct{ doc awsiam.PolicyDocument }

// Produce implements awscdk.IAnyProducer.
func (p *exactBucketPolicy) Produce(ctx awscdk.IResolveContext) interface{} {
	resolved, _ := ctx.Resolve(p.doc, nil).(map[string]interface{})
	statements, _ := resolved["Statement"].([]interface{})
	for _, st := range statements {
		st, _ := st.(map[string]interface{})
		if st == nil || st["Effect"] != "Allow" {
			continue
		}
		st["Action"] = exactActions(st["Action"])
	}
	return resolved
}

func exactActions(action interface{}) interface{} {
	var in []string
	switch a := action.(type) {
	case string:
		in = []string{a}
	case []interface{}:
		for _, x := range a {
			s, _ := x.(string)
			in = append(in, s)
		}
	default:
		return action
	}
	var out []interface{}
	for _, a := range in {
		if exact, ok := autoDeleteActions[a]; ok {
			for _, e := range exact {
				out = append(out, e)
			}
			continue
		}
		out = append(out, a)
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

// tightenPolicy makes bucket's policy grant exact actions only.
func tightenPolicy(bucket awss3.Bucket) {
	policy := bucket.Policy()
	if policy == nil {
		return
	}
	cfn := policy.Node().DefaultChild().(awss3.CfnBucketPolicy)
	cfn.AddPropertyOverride(jsii.String("PolicyDocument"), awscdk.Lazy_UncachedAny(&exactBucketPolicy{doc: policy.Document()}, nil))
}
