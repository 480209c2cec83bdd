package streaming

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// Spec is what a StandardStream deploys, as plain values: the source of its
// generated documentation (`make docs`), so the docs cannot drift from the
// config that deploys. It is [spec.Stream], which tools use without linking
// the CDK.
type Spec = spec.Stream

// QuerySpec is the Glue table and Athena workgroup over the archive
// ([spec.Query]).
type QuerySpec = spec.Query

// AnalyticsSpec is the Managed Service for Apache Flink application
// ([spec.Analytics]).
type AnalyticsSpec = spec.Analytics

// ConsumerSpec is the consumer and its event-source mapping ([spec.Consumer]).
type ConsumerSpec = spec.Consumer

// ArchiveSpec is the Firehose archive ([spec.Archive]).
type ArchiveSpec = spec.Archive

// AlarmSpec is one alarm ([spec.Alarm]).
type AlarmSpec = spec.Alarm

// Spec returns what this StandardStream deploys. Values that are unresolved
// tokens read as zero.
func (s *StandardStream) Spec() Spec {
	cfg := s.settings
	out := Spec{
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
		out.Archive = ArchiveSpec{Prefix: ArchivePrefix, ErrorPrefix: ArchiveErrorPrefix}
	} else {
		out.Archive.Disabled = true
	}
	out.MaxRecordSizeKiB = float64(s.MaxRecordSize() / 1024)
	if q := cfg.query; q.enabled {
		out.Query = &QuerySpec{
			Database: q.database, Table: q.table, Workgroup: q.database,
			Columns: Columns(cfg.schema), ResultsPrefix: s.resultsPrefix(), Queriers: s.queriers,
		}
		for _, p := range ArchivePartitions {
			out.Query.Partitions = append(out.Query.Partitions, p.Name)
		}
	}
	if a := cfg.analytics; a != nil && s.Analytics != nil {
		out.Analytics = &AnalyticsSpec{
			ApplicationName: s.Analytics.ApplicationName, Runtime: string(a.runtime),
			EnhancedFanOut: a.enhancedFanOut, StartAfterDeploy: a.start,
			Parallelism: number(a.parallelism), CheckpointIntervalSec: a.checkpointMs / 1000,
		}
	}
	if cfg.streamName != nil && !unresolved(cfg.streamName) {
		out.StreamName = *cfg.streamName
	}
	if cfg.shardCount != nil {
		out.ShardCount = int(number(cfg.shardCount))
	}
	if cfg.entry != nil {
		out.Consumer.Entry = *cfg.entry
	}
	out.RetentionHours, _ = seconds(cfg.retention)
	out.RetentionHours /= 3600
	out.Consumer.TimeoutSec, _ = seconds(cfg.timeout)
	out.Consumer.BatchingWindowSec, _ = seconds(cfg.batchingWindow)
	out.Consumer.MaxRecordAgeSec, _ = seconds(cfg.maxRecordAge)
	if !cfg.archive {
		return out
	}
	out.Archive.BufferingIntervalSec, _ = seconds(cfg.bufferingInterval)
	if !unresolved(cfg.bufferingSize) {
		out.Archive.BufferingMiB = *cfg.bufferingSize.ToMebibytes(nil)
	}
	t, _ := seconds(cfg.transitionAfter)
	e, _ := seconds(cfg.expiration)
	out.Archive.TransitionDays, out.Archive.ExpirationDays = t/86400, e/86400
	return out
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
