package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisfirehose"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// Archive object layout. Hive-style keys let Athena and Glue partition by
// time without a crawler; failed deliveries are kept apart by error type.
const (
	// ArchivePrefix is the S3 key prefix of archived records.
	ArchivePrefix = "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
	// ArchiveErrorPrefix is the S3 key prefix of records Firehose could not deliver.
	ArchiveErrorPrefix = "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
)

func (s *StandardStream) newArchive() {
	cfg := s.settings
	s.Bucket = s.newBucket("Archive", []*awss3.Transition{{
		StorageClass:    awss3.StorageClass_INFREQUENT_ACCESS(),
		TransitionAfter: cfg.transitionAfter,
	}})
	logs := awslogs.NewLogGroup(s.Construct, id("DeliveryLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.logRetention,
		RemovalPolicy: cfg.removalPolicy,
		EncryptionKey: cfg.key,
	})

	// Firehose's L2 grants read-write on the bucket (wildcard actions) to its
	// role. It gets an immutable view of the role instead, so those grants are
	// dropped, and the role holds exactly the actions AWS documents for a
	// Kinesis source, an S3 destination and error logging.
	role := awsiam.NewRole(s.Construct, id("DeliveryRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("firehose.amazonaws.com"), nil),
		Description: jsii.String("Firehose role of a StandardStream archive"),
	})
	statements := []awsiam.PolicyStatement{
		statement(readActionsFirehose, *s.Stream.StreamArn()),
		statement([]string{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"}, *s.Bucket.BucketArn()),
		statement([]string{"s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"}, *s.Bucket.ArnForObjects(jsii.String("*"))),
		statement([]string{"logs:PutLogEvents"}, *logs.LogGroupArn()),
	}
	if cfg.key != nil {
		// One key encrypts the stream (read: Decrypt) and the bucket (write:
		// GenerateDataKey, and Decrypt for multipart uploads).
		statements = append(statements, statement([]string{"kms:Decrypt", "kms:GenerateDataKey"}, *cfg.key.KeyArn()))
	}
	policy := awsiam.NewPolicy(s.Construct, id("DeliveryPolicy"), &awsiam.PolicyProps{
		Roles:      &[]awsiam.IRole{role},
		Statements: &statements,
	})
	fixed := role.WithoutPolicyUpdates(nil)

	stack := awscdk.Stack_Of(s.Construct)
	hadCidrMapping := stack.Node().TryFindChild(jsii.String(firehoseCidrMapping)) != nil
	s.DeliveryStream = awskinesisfirehose.NewDeliveryStream(s.Construct, id("Delivery"), &awskinesisfirehose.DeliveryStreamProps{
		Source: awskinesisfirehose.NewKinesisStreamSource(s.Stream),
		Role:   fixed,
		Destination: awskinesisfirehose.NewS3Bucket(s.Bucket, &awskinesisfirehose.S3BucketProps{
			Role:              fixed,
			Compression:       awskinesisfirehose.Compression_GZIP(),
			DataOutputPrefix:  jsii.String(ArchivePrefix),
			ErrorOutputPrefix: jsii.String(ArchiveErrorPrefix),
			BufferingInterval: cfg.bufferingInterval,
			BufferingSize:     cfg.bufferingSize,
			LoggingConfig:     awskinesisfirehose.NewEnableLogging(logs),
			// One record per line, so Athena and other JSON-lines readers
			// can query the archive as it is.
			Processors: &[]awskinesisfirehose.IDataProcessor{awskinesisfirehose.NewAppendDelimiterToRecordProcessor()},
		}),
	})
	// The L2 always adds a region-to-CIDR mapping to the stack for VPC
	// destinations' security groups. A Kinesis-to-S3 archive never uses it,
	// and CloudFormation validation flags the unused mapping (W7001), so the
	// mapping goes again if this delivery stream is what created it.
	if !hadCidrMapping {
		stack.Node().TryRemoveChild(jsii.String(firehoseCidrMapping))
	}
	// Firehose checks its role's permissions on create.
	s.DeliveryStream.Node().AddDependency(policy)
	s.suppressArchiveFindings(policy)
}

// firehoseCidrMapping is the construct ID the Firehose L2 gives its mapping
// ("@aws-cdk/aws-kinesisfirehose.CidrBlocks", with "/" sanitized to "--").
const firehoseCidrMapping = "@aws-cdk--aws-kinesisfirehose.CidrBlocks"

// readActionsFirehose are the stream actions Firehose needs for a Kinesis source.
var readActionsFirehose = []string{
	"kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
	"kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards",
}

func statement(actions []string, resources ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	})
}
