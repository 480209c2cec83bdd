package streaming

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
)

// Spec is what a StandardStream deploys, as plain values: the source of its
// generated documentation (`make docs`), so the docs cannot drift from the
// config that deploys.
type Spec struct {
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
	Consumer         ConsumerSpec
	Archive          ArchiveSpec
	Alarms           []AlarmSpec
	// DataModel and Schema are nil when the stream has no data model.
	DataModel *DataModel
	Schema    *Schema
	// MaxRecordSizeKiB is the largest record the stream accepts.
	MaxRecordSizeKiB float64
	// Query is nil when QueryProps.Disabled is set.
	Query *QuerySpec
	// Analytics is nil without a Managed Flink application.
	Analytics *AnalyticsSpec
}

// QuerySpec is the Glue table and Athena workgroup over the archive.
type QuerySpec struct {
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

// AnalyticsSpec is the Managed Service for Apache Flink application.
type AnalyticsSpec struct {
	ApplicationName, Runtime string
	EnhancedFanOut           bool
	StartAfterDeploy         bool
	Parallelism              float64
	CheckpointIntervalSec    float64
}

// ConsumerSpec is the consumer and its event-source mapping.
type ConsumerSpec struct {
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

// ArchiveSpec is the Firehose archive.
type ArchiveSpec struct {
	// Disabled is ArchiveProps.Disabled; the other fields are then zero.
	Disabled             bool
	Prefix, ErrorPrefix  string
	BufferingIntervalSec float64
	BufferingMiB         float64
	TransitionDays       float64
	ExpirationDays       float64
}

// AlarmSpec is one alarm.
type AlarmSpec struct {
	// ID is the alarm's construct ID, e.g. "IteratorAgeAlarm".
	ID string
	// Metric is "<namespace> <metric name> (<statistic>)".
	Metric string
	// Threshold is the threshold in words, e.g. ">= 1 hour in 5 of 5 minutes".
	Threshold   string
	Description string
	// Runbook is where the alarm's description points: a path relative to
	// the repository root (RunbookDir/<file>) or a URL under
	// AlarmProps.RunbookBaseURL.
	Runbook string
}

// Spec returns what this StandardStream deploys. Values that are unresolved
// tokens read as zero.
func (s *StandardStream) Spec() Spec {
	cfg := s.settings
	spec := Spec{
		Path:               *s.Node().Path(),
		Mode:               string(cfg.streamMode),
		CustomerManagedKey: cfg.key != nil,
		Writers:            s.writers,
		Readers:            s.readers,
		Alarms:             s.alarmSpecs,
		DataModel:          cfg.dataModel,
		Schema:             cfg.schema,
		Consumer: ConsumerSpec{
			MemoryMB:               number(cfg.memorySize),
			BatchSize:              number(cfg.batchSize),
			ParallelizationFactor:  number(cfg.parallelization),
			RetryAttempts:          number(cfg.retryAttempts),
			FailureDestination:     cfg.failureDestination,
			EnhancedFanOut:         cfg.enhancedFanOut,
			ReportBatchItemFailure: true,
			BisectOnError:          true,
		},
	}
	if cfg.archive {
		spec.Archive = ArchiveSpec{Prefix: ArchivePrefix, ErrorPrefix: ArchiveErrorPrefix}
	} else {
		spec.Archive.Disabled = true
	}
	spec.MaxRecordSizeKiB = float64(s.MaxRecordSize() / 1024)
	if q := cfg.query; q.enabled {
		spec.Query = &QuerySpec{
			Database: q.database, Table: q.table, Workgroup: q.database,
			Columns: Columns(cfg.schema), ResultsPrefix: s.resultsPrefix(), Queriers: s.queriers,
		}
		for _, p := range ArchivePartitions {
			spec.Query.Partitions = append(spec.Query.Partitions, p.Name)
		}
	}
	if a := cfg.analytics; a != nil && s.Analytics != nil {
		spec.Analytics = &AnalyticsSpec{
			ApplicationName: s.Analytics.ApplicationName, Runtime: string(a.runtime),
			EnhancedFanOut: a.enhancedFanOut, StartAfterDeploy: a.start,
			Parallelism: number(a.parallelism), CheckpointIntervalSec: a.checkpointMs / 1000,
		}
	}
	if cfg.streamName != nil && !unresolved(cfg.streamName) {
		spec.StreamName = *cfg.streamName
	}
	if cfg.shardCount != nil {
		spec.ShardCount = int(number(cfg.shardCount))
	}
	if cfg.entry != nil {
		spec.Consumer.Entry = *cfg.entry
	}
	spec.RetentionHours, _ = seconds(cfg.retention)
	spec.RetentionHours /= 3600
	spec.Consumer.TimeoutSec, _ = seconds(cfg.timeout)
	spec.Consumer.BatchingWindowSec, _ = seconds(cfg.batchingWindow)
	spec.Consumer.MaxRecordAgeSec, _ = seconds(cfg.maxRecordAge)
	if !cfg.archive {
		return spec
	}
	spec.Archive.BufferingIntervalSec, _ = seconds(cfg.bufferingInterval)
	if !unresolved(cfg.bufferingSize) {
		spec.Archive.BufferingMiB = *cfg.bufferingSize.ToMebibytes(nil)
	}
	t, _ := seconds(cfg.transitionAfter)
	e, _ := seconds(cfg.expiration)
	spec.Archive.TransitionDays, spec.Archive.ExpirationDays = t/86400, e/86400
	return spec
}

func number(n *float64) float64 {
	if n == nil || unresolved(n) {
		return 0
	}
	return *n
}

// principal names a grantee for the docs: its construct path if it is a
// construct, else its principal's string form.
func principal(g awsiam.IGrantable) string {
	if c, ok := g.(constructs.IConstruct); ok {
		return *c.Node().Path()
	}
	return fmt.Sprint(g.GrantPrincipal())
}
