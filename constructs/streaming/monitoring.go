package streaming

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/runbooks"
)

// RunbookDir is where every alarm's description points unless
// AlarmProps.RunbookBaseURL is set: the directory, relative to the app's
// repository root, where `standardstream docs` writes the runbooks of
// package runbooks.
const RunbookDir = runbooks.Dir

// Runbooks of the alarms, one file per alarm in RunbookDir.
const (
	RunbookIteratorAge       = "iterator-age.md"
	RunbookStreamIteratorAge = "stream-iterator-age.md"
	RunbookWriteThrottles    = "write-throttles.md"
	RunbookConsumerErrors    = "consumer-errors.md"
	RunbookFailedRecords     = "failed-records.md"
	RunbookFailureDelivery   = "failure-destination-delivery.md"
	RunbookArchiveFreshness  = "archive-freshness.md"
	RunbookConsumerStalled   = "consumer-stalled.md"
	RunbookFanOutLag         = "fan-out-lag.md"
	// Runbooks of the Managed Flink application's alarms.
	RunbookAnalyticsDowntime     = "analytics-downtime.md"
	RunbookAnalyticsCheckpoints  = "analytics-checkpoints.md"
	RunbookAnalyticsLag          = "analytics-lag.md"
	RunbookAnalyticsBackpressure = "analytics-backpressure.md"
	metricsPeriodMinutes         = 1
	throttleEvaluationMinutes    = 5
	stalledPeriodMinutes         = 5
)

// Runbooks lists every runbook an alarm of a StandardStream names; the
// first eight are those of the alarms every StandardStream has, the others
// come with options (enhanced fan-out, Analytics).
var Runbooks = []string{
	RunbookIteratorAge, RunbookStreamIteratorAge, RunbookWriteThrottles, RunbookConsumerErrors,
	RunbookFailedRecords, RunbookFailureDelivery, RunbookArchiveFreshness, RunbookConsumerStalled,
	RunbookFanOutLag, RunbookAnalyticsDowntime, RunbookAnalyticsCheckpoints, RunbookAnalyticsLag,
	RunbookAnalyticsBackpressure,
}

// metric is the one way this construct builds a metric: a namespace, a name,
// the dimensions that tie it to one resource, a statistic and a period. The
// dashboard and the alarms use the same helpers, so they always agree.
func metric(namespace, name string, dims map[string]*string, statistic string, period awscdk.Duration) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(namespace),
		MetricName:    jsii.String(name),
		DimensionsMap: &dims,
		Statistic:     jsii.String(statistic),
		Period:        period,
	})
}

func minutes(n float64) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(n)) }

// StreamMetric returns a metric of the Kinesis stream (AWS/Kinesis, StreamName).
func (s *StandardStream) StreamMetric(name, statistic string) awscloudwatch.Metric {
	return metric("AWS/Kinesis", name, map[string]*string{"StreamName": s.Stream.StreamName()}, statistic, minutes(metricsPeriodMinutes))
}

// ConsumerMetric returns a metric of the consumer function (AWS/Lambda, FunctionName).
func (s *StandardStream) ConsumerMetric(name, statistic string) awscloudwatch.Metric {
	return metric("AWS/Lambda", name, map[string]*string{"FunctionName": s.Consumer.FunctionName()}, statistic, minutes(metricsPeriodMinutes))
}

// MappingMetric returns a metric of the event-source mapping (AWS/Lambda,
// EventSourceMappingUUID); these exist because the mapping enables EventCount metrics.
func (s *StandardStream) MappingMetric(name, statistic string) awscloudwatch.Metric {
	return metric("AWS/Lambda", name, map[string]*string{"EventSourceMappingUUID": s.EventSourceMapping.EventSourceMappingId()}, statistic, minutes(metricsPeriodMinutes))
}

// ArchiveMetric returns a metric of the delivery stream (AWS/Firehose, DeliveryStreamName).
func (s *StandardStream) ArchiveMetric(name, statistic string) awscloudwatch.Metric {
	return metric("AWS/Firehose", name, map[string]*string{"DeliveryStreamName": s.DeliveryStream.DeliveryStreamName()}, statistic, minutes(metricsPeriodMinutes))
}

type alarmSpec struct {
	id          string
	runbook     string
	description string
	metric      awscloudwatch.IMetric
	// metricText describes metric for people, e.g. "AWS/Lambda Errors (Sum)".
	metricText string
	// periodMinutes is the metric's period when it is not one minute.
	periodMinutes float64
	threshold     float64
	// thresholdText is the threshold for people, e.g. "1 hour" for 3600000 ms.
	thresholdText string
	periods       float64 // evaluation periods
	datapoints    float64 // of periods that must breach
}

func (a alarmSpec) describeMetric() string {
	if a.metricText != "" {
		return a.metricText
	}
	m := a.metric.(awscloudwatch.Metric)
	return fmt.Sprintf("%s %s (%s)", *m.Namespace(), *m.MetricName(), *m.Statistic())
}

func (a alarmSpec) periodText() string {
	if a.periodMinutes > 1 {
		return fmt.Sprintf("%v-minute", a.periodMinutes)
	}
	return "one-minute"
}

// lagAlarm is an alarm on how far a reader of the stream is behind, in
// milliseconds: at the iterator-age threshold for five minutes. description
// has one %s, the threshold; metricText is as in alarmSpec.
func (s *StandardStream) lagAlarm(id, runbook, description string, metric awscloudwatch.IMetric, metricText string) alarmSpec {
	t := s.settings.iteratorAgeThreshold
	return alarmSpec{
		id: id, runbook: runbook,
		description: fmt.Sprintf(description, human(t)),
		metric:      metric,
		metricText:  metricText,
		threshold:   *t.ToMilliseconds(nil), thresholdText: human(t), periods: 5, datapoints: 5,
	}
}

func (s *StandardStream) newMonitoring() {
	cfg := s.settings
	s.AlarmTopic = cfg.topic
	if s.AlarmTopic == nil {
		s.AlarmTopic = s.newAlarmTopic()
	}
	freshnessSec := *cfg.freshnessThreshold.ToSeconds(nil)

	specs := []alarmSpec{
		s.lagAlarm("IteratorAgeAlarm", RunbookIteratorAge, "The consumer is more than %s behind the stream.",
			s.ConsumerMetric("IteratorAge", "Maximum"), ""),
		s.lagAlarm("StreamIteratorAgeAlarm", RunbookStreamIteratorAge, "A reader of the stream (the archive or another GetRecords consumer) is more than %s behind.",
			s.StreamMetric("GetRecords.IteratorAgeMilliseconds", "Maximum"), ""),
		{
			id: "WriteThrottleAlarm", runbook: RunbookWriteThrottles,
			description: "Producers' writes are being throttled in most of the last 5 minutes.",
			metric:      s.StreamMetric("WriteProvisionedThroughputExceeded", "Sum"),
			threshold:   1, thresholdText: "1", periods: throttleEvaluationMinutes, datapoints: 3,
		}, {
			id: "ConsumerErrorAlarm", runbook: RunbookConsumerErrors,
			description: "The consumer failed whole invocations (crash, timeout or undecodable batch); record-level failures are reported separately.",
			metric:      s.ConsumerMetric("Errors", "Sum"),
			threshold:   1, thresholdText: "1", periods: 3, datapoints: 2,
		}, {
			id: "FailedRecordsAlarm", runbook: RunbookFailedRecords,
			description: "Records were given up on and sent to the failure destination.",
			metric:      s.MappingMetric("OnFailureDestinationDeliveredEventCount", "Sum"),
			threshold:   1, thresholdText: "1", periods: 1, datapoints: 1,
		}, {
			id: "FailureDeliveryAlarm", runbook: RunbookFailureDelivery,
			description: "Lambda could not write discarded records to the failure destination: they are being lost.",
			metric:      s.ConsumerMetric("DestinationDeliveryFailures", "Sum"),
			threshold:   1, thresholdText: "1", periods: 1, datapoints: 1,
		},
	}
	if s.DeliveryStream != nil {
		specs = append(specs, alarmSpec{
			id: "ArchiveFreshnessAlarm", runbook: RunbookArchiveFreshness,
			description: fmt.Sprintf("The oldest record not yet archived to S3 is older than %s.", human(cfg.freshnessThreshold)),
			metric:      s.ArchiveMetric("DeliveryToS3.DataFreshness", "Maximum"),
			threshold:   freshnessSec, thresholdText: human(cfg.freshnessThreshold), periods: 5, datapoints: 5,
		})
	}
	// A consumer that stops being invoked (a disabled or broken mapping)
	// reports no IteratorAge and no errors, and the archive keeps the stream's
	// own IteratorAge low: only records arriving with no invocations show it.
	// Records would then expire silently at the end of retention.
	period := &awscloudwatch.MetricOptions{Period: minutes(stalledPeriodMinutes)}
	stalled := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("IF(FILL(incoming, 0) > 0 AND FILL(invocations, 0) == 0, 1, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"incoming":    s.StreamMetric("IncomingRecords", "Sum").With(period),
			"invocations": s.ConsumerMetric("Invocations", "Sum").With(period),
		},
		Label:  jsii.String("records arriving, consumer not invoked"),
		Period: minutes(stalledPeriodMinutes),
	})
	specs = append(specs, alarmSpec{
		id: "ConsumerStalledAlarm", runbook: RunbookConsumerStalled,
		description:   fmt.Sprintf("Records are arriving but the consumer has not been invoked for %d minutes (mapping disabled or failing before invocation).", 3*stalledPeriodMinutes),
		metric:        stalled,
		metricText:    "AWS/Kinesis IncomingRecords > 0 while AWS/Lambda Invocations = 0 (Sum)",
		periodMinutes: stalledPeriodMinutes,
		threshold:     1, thresholdText: "1", periods: 3, datapoints: 3,
	})
	if s.fanOut != nil {
		specs = append(specs, s.lagAlarm("FanOutLagAlarm", RunbookFanOutLag, "The consumer's enhanced fan-out subscription is more than %s behind the stream.",
			s.fanOutLag(s.fanOut), "AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest (Maximum), the consumer's fan-out"))
	}
	specs = append(specs, s.analyticsAlarmSpecs()...)
	action := awscloudwatchactions.NewSnsAction(s.AlarmTopic)
	for _, spec := range specs {
		a := awscloudwatch.NewAlarm(s.Construct, id(spec.id), &awscloudwatch.AlarmProps{
			Metric:             spec.metric,
			Threshold:          jsii.Number(spec.threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(spec.periods),
			DatapointsToAlarm:  jsii.Number(spec.datapoints),
			// Every metric here is absent when there is nothing to report (no
			// traffic, no failures), so missing data means healthy. The
			// consumer's IteratorAge is only reported while Lambda invokes it:
			// a disabled mapping shows as no invocations on the dashboard, not
			// as an alarm (see the iterator-age runbook).
			TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription: jsii.String(fmt.Sprintf("%s Runbook: %s/%s", spec.description, cfg.runbookBase, spec.runbook)),
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
		s.Alarms = append(s.Alarms, a)
		s.alarmSpecs = append(s.alarmSpecs, AlarmSpec{
			ID:          spec.id,
			Metric:      spec.describeMetric(),
			Threshold:   fmt.Sprintf(">= %s in %v of %v %s periods", spec.thresholdText, spec.datapoints, spec.periods, spec.periodText()),
			Description: spec.description,
			Runbook:     cfg.runbookBase + "/" + spec.runbook,
		})
	}
	s.IteratorAgeAlarm = s.Alarms[0]
	s.newDashboard()
}

func (s *StandardStream) newDashboard() {
	cfg := s.settings
	s.Dashboard = awscloudwatch.NewDashboard(s.Construct, id("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(3)),
	})
	graph := func(title string, left []awscloudwatch.IMetric, annotations ...*awscloudwatch.HorizontalAnnotation) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:           jsii.String(title),
			Left:            &left,
			LeftAnnotations: &annotations,
			Width:           jsii.Number(8),
			Height:          jsii.Number(6),
		})
	}
	text := func(md string) awscloudwatch.IWidget {
		return awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{Markdown: jsii.String(md), Width: jsii.Number(24), Height: jsii.Number(1)})
	}
	lagLine := &awscloudwatch.HorizontalAnnotation{Label: jsii.String("alarm"), Value: cfg.iteratorAgeThreshold.ToMilliseconds(nil)}
	freshLine := &awscloudwatch.HorizontalAnnotation{Label: jsii.String("alarm"), Value: cfg.freshnessThreshold.ToSeconds(nil)}

	alarms := make([]interfacesawscloudwatch.IAlarmRef, len(s.Alarms))
	for i, a := range s.Alarms {
		alarms[i] = a
	}
	s.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarms"), Alarms: &alarms, Width: jsii.Number(24), Height: jsii.Number(3),
	}))
	s.Dashboard.AddWidgets(text("### Producers"))
	s.Dashboard.AddWidgets(
		graph("Incoming records", []awscloudwatch.IMetric{s.StreamMetric("IncomingRecords", "Sum")}),
		graph("Incoming bytes", []awscloudwatch.IMetric{s.StreamMetric("IncomingBytes", "Sum")}),
		graph("Write throttles", []awscloudwatch.IMetric{
			s.StreamMetric("WriteProvisionedThroughputExceeded", "Sum"),
			s.StreamMetric("PutRecords.ThrottledRecords", "Sum"),
		}),
	)
	s.Dashboard.AddWidgets(text("### Consumer"))
	lag := []awscloudwatch.IMetric{
		s.ConsumerMetric("IteratorAge", "Maximum"),
		s.StreamMetric("GetRecords.IteratorAgeMilliseconds", "Maximum"),
	}
	if s.fanOut != nil {
		lag = append(lag, s.fanOutLag(s.fanOut))
	}
	s.Dashboard.AddWidgets(
		graph("Iterator age (ms)", lag, lagLine),
		graph("Invocations, errors, throttles", []awscloudwatch.IMetric{
			s.ConsumerMetric("Invocations", "Sum"),
			s.ConsumerMetric("Errors", "Sum"),
			s.ConsumerMetric("Throttles", "Sum"),
		}),
		graph("Duration (ms) and concurrency", []awscloudwatch.IMetric{
			s.ConsumerMetric("Duration", "p99"),
			s.ConsumerMetric("Duration", "Maximum"),
			s.ConsumerMetric("ConcurrentExecutions", "Maximum"),
		}),
	)
	if s.DeliveryStream != nil {
		s.Dashboard.AddWidgets(text("### Archive"))
		s.Dashboard.AddWidgets(
			graph("Archive freshness (s)", []awscloudwatch.IMetric{s.ArchiveMetric("DeliveryToS3.DataFreshness", "Maximum")}, freshLine),
			graph("Archive delivery success", []awscloudwatch.IMetric{s.ArchiveMetric("DeliveryToS3.Success", "Average")}),
			graph("Archive records read", []awscloudwatch.IMetric{s.ArchiveMetric("DataReadFromKinesisStream.Records", "Sum")}),
		)
	}
	if row := s.analyticsWidgets(graph, lagLine); len(row) > 0 {
		s.Dashboard.AddWidgets(text("### Analytics (Managed Service for Apache Flink)"))
		s.Dashboard.AddWidgets(row...)
	}
	s.Dashboard.AddWidgets(text("### Failures"))
	s.Dashboard.AddWidgets(
		graph("Records to failure destination", []awscloudwatch.IMetric{
			s.MappingMetric("OnFailureDestinationDeliveredEventCount", "Sum"),
			s.MappingMetric("DroppedEventCount", "Sum"),
		}),
		graph("Failure destination delivery errors", []awscloudwatch.IMetric{s.ConsumerMetric("DestinationDeliveryFailures", "Sum")}),
		graph("Records polled and invoked", []awscloudwatch.IMetric{
			s.MappingMetric("PolledEventCount", "Sum"),
			s.MappingMetric("InvokedEventCount", "Sum"),
			s.MappingMetric("FailedInvokeEventCount", "Sum"),
		}),
	)
}
