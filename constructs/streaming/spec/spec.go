// Package spec is the part of StandardStream's model that needs no CDK: what
// a stream deploys ([Stream]) as plain values, its data model and compiled
// record schema, and the names the construct and its tools share.
//
// Package streaming builds these values when it synthesizes a stream and
// records the [Stream] in the cloud assembly ([MetadataType]); its Spec,
// DataModel, Schema and related names are aliases of the ones here. Tools
// that only read a synthesized app or generate code, such as the
// standardstream command, import this package instead of streaming, so they
// do not link aws-cdk-go (about 100 MB with its embedded JavaScript).
package spec

// MetadataType is the type of the cloud-assembly metadata entry in which
// every StandardStream records its Stream as JSON (in manifest.json, under
// the construct's path). Tools that read a synthesized app, such as
// `standardstream docs` and `standardstream local`, learn from it what
// deploys without running the app's Go code themselves.
const MetadataType = "standardstream:spec"

// Stream is what a StandardStream deploys, as plain values: the source of its
// generated documentation (`make docs`), so the docs cannot drift from the
// config that deploys.
type Stream struct {
	// Path is the construct path, e.g. "StandardStream-prod/Events".
	Path string
	// StreamName is the stream's physical name; empty when CloudFormation
	// generates it.
	StreamName string
	// Mode is ON_DEMAND or PROVISIONED; ShardCount is set for PROVISIONED.
	Mode       string
	ShardCount int
	// RetentionHours is the stream's retention period.
	RetentionHours float64
	// CustomerManagedKey is true when the stream (and its buckets) use the
	// caller's KMS key rather than AWS-managed keys.
	CustomerManagedKey bool
	// Writers and Readers are the construct paths of principals granted
	// with GrantWrite and GrantRead.
	Writers, Readers []string
	Consumer         Consumer
	Archive          Archive
	Alarms           []Alarm
	// DataModel and Schema are nil when the stream has no data model.
	DataModel *DataModel
	Schema    *Schema
	// MaxRecordSizeKiB is the largest record the stream accepts.
	MaxRecordSizeKiB float64
	// Query is nil when QueryProps.Disabled is set.
	Query *Query
	// Analytics is nil without a Managed Flink application.
	Analytics *Analytics
}

// Query is the Glue table and Athena workgroup over the archive.
type Query struct {
	Database, Table, Workgroup string
	// Columns are the table's columns, partitions not included.
	Columns []Column
	// Partitions are the projected partition keys, in prefix order.
	Partitions []string
	// ResultsPrefix is where the workgroup writes results in its bucket.
	ResultsPrefix string
	// Queriers are the construct paths of principals granted with GrantQuery.
	Queriers []string
}

// Analytics is the Managed Service for Apache Flink application.
type Analytics struct {
	ApplicationName, Runtime string
	EnhancedFanOut           bool
	StartAfterDeploy         bool
	Parallelism              float64
	CheckpointIntervalSec    float64
}

// Consumer is the consumer and its event-source mapping.
type Consumer struct {
	// Entry is ConsumerProps.Entry; empty for the default consumer.
	Entry                  string
	MemoryMB, TimeoutSec   float64
	BatchSize              float64
	BatchingWindowSec      float64
	ParallelizationFactor  float64
	RetryAttempts          float64
	MaxRecordAgeSec        float64
	FailureDestination     FailureDestination
	EnhancedFanOut         bool
	ReportBatchItemFailure bool
	BisectOnError          bool
}

// Archive is the Firehose archive.
type Archive struct {
	// Disabled is ArchiveProps.Disabled; the other fields are then zero.
	Disabled             bool
	Prefix, ErrorPrefix  string
	BufferingIntervalSec float64
	BufferingMiB         float64
	TransitionDays       float64
	ExpirationDays       float64
}

// Alarm is one alarm.
type Alarm struct {
	// ID is the alarm's construct ID, e.g. "IteratorAgeAlarm".
	ID string
	// Metric is "<namespace> <metric name> (<statistic>)".
	Metric string
	// Threshold is the threshold in words, e.g. ">= 1 hour in 5 of 5 minutes".
	Threshold   string
	Description string
	// Runbook is where the alarm's description points: a path relative to
	// the repository root (streaming.RunbookDir/<file>) or a URL under
	// AlarmProps.RunbookBaseURL.
	Runbook string
}
