package streaming

import (
	"fmt"
	"os"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisanalyticsv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/jsii-runtime-go"
)

// The Managed Service for Apache Flink consumer. It is built on the L1
// AWS::KinesisAnalyticsV2::Application: the experimental L2
// (awscdkkinesisanalyticsflinkalpha) is not served by the Go module proxy
// this project builds from, see docs/analytics.md.

// FlinkPropertyGroup is the runtime property group the construct fills.
const FlinkPropertyGroup = "StandardStream"

// flinkFirstStartRestoreType is how StartAfterDeploy starts a new
// application: without restoring, since it has no snapshot yet.
const flinkFirstStartRestoreType = "SKIP_RESTORE_FROM_SNAPSHOT"

// Flink limits (Managed Service for Apache Flink quotas and CheckpointConfiguration).
const (
	maxFlinkParallelism       = 1000
	maxFlinkParallelismPerKpu = 8
	maxCheckpointIntervalSec  = 3600
)

// FlinkCode is a Flink application's code: a JAR or ZIP in S3 or a local file.
type FlinkCode struct {
	bucket awss3.IBucket
	key    string
	path   string
}

// FlinkCodeFromBucket is the object key in bucket.
func FlinkCodeFromBucket(bucket awss3.IBucket, key string) *FlinkCode {
	return &FlinkCode{bucket: bucket, key: key}
}

// FlinkCodeFromAsset is the local file at path, uploaded as an asset at deploy.
func FlinkCodeFromAsset(path string) *FlinkCode {
	return &FlinkCode{path: path}
}

type analyticsSettings struct {
	code                      FlinkCode
	runtime                   FlinkRuntime
	parallelism, perKpu       *float64
	autoScaling               bool
	checkpointMs, minPauseMs  float64
	enhancedFanOut, start     bool
	properties                map[string]*string
	backpressureThresholdMsPS float64
}

// reservedFlinkProperties are the runtime properties the construct sets.
var reservedFlinkProperties = []string{
	"aws.region", "source.efo.consumer.arn", "source.efo.consumer.name", "source.efo.lifecycle",
	"source.reader.type", "stream.arn", "stream.name",
}

func (v *validator) analytics(a *AnalyticsProps) *analyticsSettings {
	if a == nil {
		return nil
	}
	p := *a
	s := &analyticsSettings{
		runtime:                   p.Runtime,
		parallelism:               orNumber(p.Parallelism, 1),
		perKpu:                    orNumber(p.ParallelismPerKpu, 1),
		autoScaling:               p.AutoScaling == nil || *p.AutoScaling,
		enhancedFanOut:            p.EnhancedFanOut == nil || *p.EnhancedFanOut,
		start:                     p.StartAfterDeploy == nil || *p.StartAfterDeploy,
		backpressureThresholdMsPS: 800,
		properties:                map[string]*string{},
	}
	if s.runtime == "" {
		s.runtime = FlinkRuntime1_20
	}
	switch s.runtime {
	case FlinkRuntime1_18, FlinkRuntime1_19, FlinkRuntime1_20:
	default:
		v.errorf("analytics.runtime must be %s, %s or %s, got %q", FlinkRuntime1_18, FlinkRuntime1_19, FlinkRuntime1_20, string(s.runtime))
	}
	switch {
	case p.Code == nil:
		v.errorf("analytics.code is required with analytics: FlinkCodeFromBucket or FlinkCodeFromAsset, got nil")
	case p.Code.bucket != nil:
		s.code = *p.Code
		if s.code.key == "" {
			v.errorf("analytics.code: the object key in the bucket must not be empty, got %q", s.code.key)
		}
	default:
		s.code = *p.Code
		if fi, err := os.Stat(s.code.path); err != nil {
			v.errorf("analytics.code: file %q: %v", s.code.path, err)
		} else if fi.IsDir() {
			v.errorf("analytics.code must be a JAR or ZIP file, got the directory %q", s.code.path)
		}
	}
	v.integerIn("analytics.parallelism", s.parallelism, 1, maxFlinkParallelism)
	v.integerIn("analytics.parallelismPerKpu", s.perKpu, 1, maxFlinkParallelismPerKpu)
	interval := orDuration(p.CheckpointInterval, awscdk.Duration_Seconds(jsii.Number(60)))
	pause := orDuration(p.MinPauseBetweenCheckpoints, awscdk.Duration_Seconds(jsii.Number(5)))
	iSec, iOK := seconds(interval)
	if iOK && (iSec < 1 || iSec > maxCheckpointIntervalSec || iSec != float64(int(iSec))) {
		v.errorf("analytics.checkpointInterval must be a whole number of seconds between 1 and %d, got %s", maxCheckpointIntervalSec, human(interval))
		iOK = false // do not judge the pause against an invalid interval
	}
	if pSec, ok := seconds(pause); ok && (pSec < 0 || pSec != float64(int(pSec)) || (iOK && pSec > iSec)) && (iOK || p.MinPauseBetweenCheckpoints != nil) {
		v.errorf("analytics.minPauseBetweenCheckpoints must be a whole number of seconds between 0 and analytics.checkpointInterval (%s), got %s", human(interval), human(pause))
	}
	s.checkpointMs = *interval.ToMilliseconds(nil)
	s.minPauseMs = *pause.ToMilliseconds(nil)
	if p.BackpressureThreshold != nil {
		if v.integerIn("analytics.backpressureThreshold", p.BackpressureThreshold, 1, 1000) {
			s.backpressureThresholdMsPS = *p.BackpressureThreshold
		}
	}
	if p.Properties != nil {
		keys := make([]string, 0, len(*p.Properties))
		for k := range *p.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if containsString(reservedFlinkProperties, k) {
				v.errorf("analytics.properties cannot set %q: the construct sets it, got %q", k, deref((*p.Properties)[k]))
				continue
			}
			s.properties[k] = (*p.Properties)[k]
		}
	}
	return s
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Analytics is the Managed Service for Apache Flink application of a StandardStream.
type Analytics struct {
	// Application is the Flink application.
	Application awskinesisanalyticsv2.CfnApplication
	// ApplicationName is its physical name, fixed at synth so that alarms
	// and the start custom resource can name it.
	ApplicationName string
	// Role is the application's service execution role.
	Role awsiam.Role
	// LogGroup receives the application's logs.
	LogGroup awslogs.LogGroup
	// FanOut is the application's enhanced fan-out consumer; nil when it polls.
	FanOut awskinesis.StreamConsumer
}

func (s *StandardStream) newAnalytics() {
	cfg := s.settings.analytics
	if cfg == nil {
		return
	}
	stack := awscdk.Stack_Of(s.Construct)
	a := &Analytics{ApplicationName: *awscdk.Names_UniqueResourceName(s.Construct, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(122), Separator: jsii.String("-")}) + "-flink"}
	s.Analytics = a

	var bucket awss3.IBucket
	var key string
	if cfg.code.bucket != nil {
		bucket, key = cfg.code.bucket, cfg.code.key
	} else {
		asset := awss3assets.NewAsset(s.Construct, id("AnalyticsCode"), &awss3assets.AssetProps{Path: jsii.String(cfg.code.path)})
		bucket, key = asset.Bucket(), *asset.S3ObjectKey()
	}

	a.LogGroup = awslogs.NewLogGroup(s.Construct, id("AnalyticsLogs"), &awslogs.LogGroupProps{
		Retention:     s.settings.logRetention,
		RemovalPolicy: s.settings.removalPolicy,
		EncryptionKey: s.settings.key,
	})
	logStream := awslogs.NewLogStream(s.Construct, id("AnalyticsLogStream"), &awslogs.LogStreamProps{
		LogGroup:      a.LogGroup,
		RemovalPolicy: s.settings.removalPolicy,
	})
	logStreamArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("logs"), Resource: jsii.String("log-group"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		ResourceName: jsii.String(fmt.Sprintf("%s:log-stream:%s", *a.LogGroup.LogGroupName(), *logStream.LogStreamName())),
	})

	props := map[string]*string{
		"stream.arn":         s.Stream.StreamArn(),
		"stream.name":        s.Stream.StreamName(),
		"aws.region":         stack.Region(),
		"source.reader.type": jsii.String("POLLING"),
	}
	for k, v := range cfg.properties {
		props[k] = v
	}
	statements := []awsiam.PolicyStatement{
		statement([]string{"s3:GetObject", "s3:GetObjectVersion"}, *bucket.ArnForObjects(jsii.String(key))),
		statement(readActions, *s.Stream.StreamArn()),
		statement([]string{"logs:DescribeLogGroups"}, *stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME, ResourceName: jsii.String("*"),
		})),
		statement([]string{"logs:DescribeLogStreams"}, *a.LogGroup.LogGroupArn()),
		statement([]string{"logs:PutLogEvents"}, *logStreamArn),
	}
	if cfg.enhancedFanOut {
		a.FanOut = awskinesis.NewStreamConsumer(s.Construct, id("AnalyticsFanOut"), &awskinesis.StreamConsumerProps{
			Stream:             s.Stream,
			StreamConsumerName: jsii.String(a.ApplicationName),
		})
		props["source.reader.type"] = jsii.String("EFO")
		props["source.efo.consumer.name"] = a.FanOut.StreamConsumerName()
		props["source.efo.consumer.arn"] = a.FanOut.StreamConsumerArn()
		// The construct registers the consumer, so the connector must not.
		props["source.efo.lifecycle"] = jsii.String("SELF_MANAGED")
		statements = append(statements, statement([]string{"kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"}, *a.FanOut.StreamConsumerArn()))
	}
	if s.settings.key != nil {
		statements = append(statements, statement([]string{"kms:Decrypt"}, *s.settings.key.KeyArn()))
	}
	a.Role = awsiam.NewRole(s.Construct, id("AnalyticsRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("kinesisanalytics.amazonaws.com"), nil),
		Description: jsii.String("Service execution role of a StandardStream's Flink application"),
	})
	policy := awsiam.NewPolicy(s.Construct, id("AnalyticsPolicy"), &awsiam.PolicyProps{
		Roles:      &[]awsiam.IRole{a.Role},
		Statements: &statements,
	})

	a.Application = awskinesisanalyticsv2.NewCfnApplication(s.Construct, id("Analytics"), &awskinesisanalyticsv2.CfnApplicationProps{
		ApplicationName:        jsii.String(a.ApplicationName),
		ApplicationDescription: jsii.String("Flink consumer of a StandardStream"),
		ApplicationMode:        jsii.String("STREAMING"),
		RuntimeEnvironment:     jsii.String(string(cfg.runtime)),
		ServiceExecutionRole:   a.Role.RoleArn(),
		ApplicationConfiguration: &awskinesisanalyticsv2.CfnApplication_ApplicationConfigurationProperty{
			ApplicationCodeConfiguration: &awskinesisanalyticsv2.CfnApplication_ApplicationCodeConfigurationProperty{
				CodeContentType: jsii.String("ZIPFILE"), // JARs are ZIP files
				CodeContent: &awskinesisanalyticsv2.CfnApplication_CodeContentProperty{
					S3ContentLocation: &awskinesisanalyticsv2.CfnApplication_S3ContentLocationProperty{
						BucketArn: bucket.BucketArn(),
						FileKey:   jsii.String(key),
					},
				},
			},
			ApplicationSnapshotConfiguration: &awskinesisanalyticsv2.CfnApplication_ApplicationSnapshotConfigurationProperty{
				SnapshotsEnabled: jsii.Bool(true),
			},
			EnvironmentProperties: &awskinesisanalyticsv2.CfnApplication_EnvironmentPropertiesProperty{
				PropertyGroups: &[]*awskinesisanalyticsv2.CfnApplication_PropertyGroupProperty{{
					PropertyGroupId: jsii.String(FlinkPropertyGroup),
					PropertyMap:     &props,
				}},
			},
			FlinkApplicationConfiguration: &awskinesisanalyticsv2.CfnApplication_FlinkApplicationConfigurationProperty{
				CheckpointConfiguration: &awskinesisanalyticsv2.CfnApplication_CheckpointConfigurationProperty{
					ConfigurationType:          jsii.String("CUSTOM"),
					CheckpointingEnabled:       jsii.Bool(true),
					CheckpointInterval:         jsii.Number(cfg.checkpointMs),
					MinPauseBetweenCheckpoints: jsii.Number(cfg.minPauseMs),
				},
				// TASK level: backPressuredTimeMsPerSecond is a task metric.
				MonitoringConfiguration: &awskinesisanalyticsv2.CfnApplication_MonitoringConfigurationProperty{
					ConfigurationType: jsii.String("CUSTOM"),
					LogLevel:          jsii.String("INFO"),
					MetricsLevel:      jsii.String("TASK"),
				},
				ParallelismConfiguration: &awskinesisanalyticsv2.CfnApplication_ParallelismConfigurationProperty{
					ConfigurationType:  jsii.String("CUSTOM"),
					Parallelism:        cfg.parallelism,
					ParallelismPerKpu:  cfg.perKpu,
					AutoScalingEnabled: jsii.Bool(cfg.autoScaling),
				},
			},
		},
		RunConfiguration: &awskinesisanalyticsv2.CfnApplication_RunConfigurationProperty{
			ApplicationRestoreConfiguration: &awskinesisanalyticsv2.CfnApplication_ApplicationRestoreConfigurationProperty{
				ApplicationRestoreType: jsii.String("RESTORE_FROM_LATEST_SNAPSHOT"),
			},
		},
	})
	// The service checks the role's permissions when the application is created.
	a.Application.Node().AddDependency(policy)
	a.Application.ApplyRemovalPolicy(s.settings.removalPolicy, nil)

	logging := awskinesisanalyticsv2.NewCfnApplicationCloudWatchLoggingOption(s.Construct, id("AnalyticsLogging"), &awskinesisanalyticsv2.CfnApplicationCloudWatchLoggingOptionProps{
		ApplicationName: jsii.String(a.ApplicationName),
		CloudWatchLoggingOption: &awskinesisanalyticsv2.CfnApplicationCloudWatchLoggingOption_CloudWatchLoggingOptionProperty{
			LogStreamArn: logStreamArn,
		},
	})
	logging.Node().AddDependency(a.Application)
	s.suppressAnalyticsFindings(policy)
	if cfg.start {
		s.startAnalytics(logging)
	}
}

// applicationArn is the Flink application's ARN (the L1 has no ARN attribute).
func (s *StandardStream) applicationArn() *string {
	return awscdk.Stack_Of(s.Construct).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("kinesisanalytics"), Resource: jsii.String("application"), ResourceName: jsii.String(s.Analytics.ApplicationName),
	})
}

// startAnalytics starts the application once, after it and its logging
// option exist: CloudFormation leaves a new application READY, never
// RUNNING. Later deployments update the running application, which the
// service restarts from a snapshot; deleting the stack deletes (and so
// stops) it. A stopped application stays stopped across deployments: only
// creation starts it.
func (s *StandardStream) startAnalytics(after awscdk.CfnResource) {
	a := s.Analytics
	logs := awslogs.NewLogGroup(s.Construct, id("AnalyticsStarterLogs"), &awslogs.LogGroupProps{
		Retention:     s.settings.logRetention,
		RemovalPolicy: s.settings.removalPolicy,
		EncryptionKey: s.settings.key,
	})
	// A role of our own, so that the provider gets no managed policy: only
	// its logs and StartApplication on this one application.
	role := awsiam.NewRole(s.Construct, id("AnalyticsStarterRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Starts a StandardStream's Flink application after it is created"),
	})
	logs.GrantWrite(role)
	start := customresources.NewAwsCustomResource(s.Construct, id("AnalyticsStart"), &customresources.AwsCustomResourceProps{
		OnCreate: &customresources.AwsSdkCall{
			Service: jsii.String("KinesisAnalyticsV2"),
			Action:  jsii.String("startApplication"),
			Parameters: map[string]any{
				"ApplicationName": a.ApplicationName,
				// The first start: the application was created in this
				// deployment and has no snapshot yet. AWS documents
				// SKIP_RESTORE_FROM_SNAPSHOT as the way to start without
				// state and does not document RESTORE_FROM_LATEST_SNAPSHOT
				// when there is none, so the first start does not ask for
				// one. Restarts by the service (updates) use the
				// application's RunConfiguration, RESTORE_FROM_LATEST_SNAPSHOT.
				// https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ApplicationRestoreConfiguration.html
				// https://docs.aws.amazon.com/managed-flink/latest/java/snapshots-restore.html
				"RunConfiguration": map[string]any{
					"ApplicationRestoreConfiguration": map[string]any{"ApplicationRestoreType": flinkFirstStartRestoreType},
				},
			},
			PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(a.ApplicationName + "-start")),
			// Already running (started by hand before this resource existed).
			IgnoreErrorCodesMatching: jsii.String("ResourceInUseException"),
		},
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			statement([]string{"kinesisanalytics:StartApplication"}, *s.applicationArn()),
		}),
		Role:                role,
		LogGroup:            logs,
		InstallLatestAwsSdk: jsii.Bool(false),
		Timeout:             awscdk.Duration_Minutes(jsii.Number(2)),
	})
	start.Node().AddDependency(after)
	s.suppressStarterFindings(role)
}

// FlinkMetric returns a metric of the Flink application (AWS/KinesisAnalytics, Application).
func (s *StandardStream) FlinkMetric(name, statistic string) awscloudwatch.Metric {
	return metric("AWS/KinesisAnalytics", name, map[string]*string{"Application": jsii.String(s.Analytics.ApplicationName)}, statistic, minutes(metricsPeriodMinutes))
}

// fanOutLag is the lag of an enhanced fan-out consumer of the stream: the
// MillisBehindLatest of its SubscribeToShard events (AWS/Kinesis, StreamName
// and ConsumerName). GetRecords' IteratorAge does not describe such readers.
func (s *StandardStream) fanOutLag(consumer awskinesis.StreamConsumer) awscloudwatch.Metric {
	return metric("AWS/Kinesis", "SubscribeToShardEvent.MillisBehindLatest", map[string]*string{
		"StreamName": s.Stream.StreamName(), "ConsumerName": consumer.StreamConsumerName(),
	}, "Maximum", minutes(metricsPeriodMinutes))
}

// analyticsLag is the Flink application's lag behind the stream.
//
// Through its fan-out consumer: SubscribeToShardEvent.MillisBehindLatest,
// dimensions StreamName and ConsumerName
// (https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html).
// Polling: the Kinesis connector's millisBehindLatest, which AWS documents
// at "Application (for Stream), Parallelism (for ShardId)" level without
// naming the dimensions that carry the stream
// (https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html#metrics-dimensions-stream).
// AWS's sample dashboards use Id = the stream name and Flow = Input for the
// legacy FlinkKinesisConsumer; what the KinesisStreamsSource puts in Id is
// not documented. An alarm on a guessed dimension set that does not exist
// never fires, so a Metrics Insights query takes the largest value of every
// millisBehindLatest series of this application, whatever its other
// dimensions.
func (s *StandardStream) analyticsLag() awscloudwatch.IMetric {
	if s.Analytics.FanOut != nil {
		return s.fanOutLag(s.Analytics.FanOut)
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(s.analyticsLagQuery()),
		Label:      jsii.String("millisBehindLatest, most behind"),
		Period:     minutes(metricsPeriodMinutes),
	})
}

// analyticsLagQuery is the Metrics Insights query of a polling application's lag.
func (s *StandardStream) analyticsLagQuery() string {
	return fmt.Sprintf(`SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = '%s'`, s.Analytics.ApplicationName)
}

// analyticsBackpressureQuery is the Metrics Insights query of the
// application's busiest task. backPressuredTimeMsPerSecond is reported at
// Task, Operator and Parallelism level, not Application level
// (https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html),
// hence MetricsLevel TASK; a task's series has the dimensions Application
// and Task (the task's name, as in AWS's sample dashboard,
// https://github.com/aws-samples/amazon-managed-service-for-apache-flink-examples/blob/main/infrastructure/monitoring/monitoring-dashboard.yml).
// Task names are only known at run time, and an alarm may use a Metrics
// Insights query that returns one time series
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html).
func (s *StandardStream) analyticsBackpressureQuery() string {
	return fmt.Sprintf(`SELECT MAX(backPressuredTimeMsPerSecond) FROM SCHEMA("AWS/KinesisAnalytics", Application, Task) WHERE Application = '%s'`, s.Analytics.ApplicationName)
}

// analyticsAlarmSpecs are the Flink application's alarms.
func (s *StandardStream) analyticsAlarmSpecs() []alarmSpec {
	if s.Analytics == nil {
		return nil
	}
	cfg := s.settings
	// downtime and numberOfFailedCheckpoints are Application-level metrics
	// (https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html;
	// downtime is deprecated from Flink 2.2, which the construct does not
	// run). AWS recommends alarming on downtime > 0 and on
	// RATE(numberOfFailedCheckpoints) > 0
	// (https://docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-alarms.html).
	// downtime is whole milliseconds, so ">= 1" is "> 0"; Maximum is > 0
	// exactly when AWS's Average is. It must last 2 minutes: an update of
	// the running application (every deployment that changes it) restarts
	// the job, which should not page anyone.
	five := &awscloudwatch.MetricOptions{Period: minutes(5)}
	failed := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		// The counter counts since the job started and resets when it
		// restarts; RATE is then negative, hence the IF.
		Expression:   jsii.String("IF(RATE(failed) > 0, 1, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"failed": s.FlinkMetric("numberOfFailedCheckpoints", "Maximum").With(five)},
		Label:        jsii.String("checkpoints failing"),
		Period:       minutes(5),
	})
	backpressure := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(s.analyticsBackpressureQuery()),
		Label:      jsii.String("back-pressured ms per second, busiest task"),
		Period:     minutes(metricsPeriodMinutes),
	})
	lagText := "AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest (Maximum), the application's consumer"
	if s.Analytics.FanOut == nil {
		lagText = "AWS/KinesisAnalytics millisBehindLatest, largest of the application's series (Metrics Insights MAX)"
	}
	return []alarmSpec{
		{
			id: "AnalyticsDowntimeAlarm", runbook: RunbookAnalyticsDowntime,
			description: "The Flink application is failing or restarting: it processes no records.",
			metric:      s.FlinkMetric("downtime", "Maximum"),
			threshold:   1, thresholdText: "1 ms", periods: 2, datapoints: 2,
		}, {
			id: "AnalyticsCheckpointAlarm", runbook: RunbookAnalyticsCheckpoints,
			description:   "The Flink application's checkpoints are failing: a restart would reprocess or lose state since the last good one.",
			metric:        failed,
			metricText:    "AWS/KinesisAnalytics RATE(numberOfFailedCheckpoints) > 0 (Maximum)",
			periodMinutes: 5,
			threshold:     1, thresholdText: "1", periods: 1, datapoints: 1,
		},
		s.lagAlarm("AnalyticsLagAlarm", RunbookAnalyticsLag, "The Flink application is more than %s behind the stream.", s.analyticsLag(), lagText),
		{
			id: "AnalyticsBackpressureAlarm", runbook: RunbookAnalyticsBackpressure,
			description: fmt.Sprintf("A task of the Flink application is back-pressured for %v ms of every second or more: a downstream operator or sink cannot keep up.", cfg.analytics.backpressureThresholdMsPS),
			metric:      backpressure,
			metricText:  "AWS/KinesisAnalytics backPressuredTimeMsPerSecond, busiest task (Maximum)",
			threshold:   cfg.analytics.backpressureThresholdMsPS, thresholdText: fmt.Sprintf("%v ms/s", cfg.analytics.backpressureThresholdMsPS), periods: 5, datapoints: 5,
		},
	}
}

// analyticsWidgets are the dashboard row of the Flink application.
func (s *StandardStream) analyticsWidgets(graph func(string, []awscloudwatch.IMetric, ...*awscloudwatch.HorizontalAnnotation) awscloudwatch.IWidget, lagLine *awscloudwatch.HorizontalAnnotation) []awscloudwatch.IWidget {
	if s.Analytics == nil {
		return nil
	}
	return []awscloudwatch.IWidget{
		graph("Flink lag (ms)", []awscloudwatch.IMetric{s.analyticsLag()}, lagLine),
		graph("Flink downtime, restarts, failed checkpoints", []awscloudwatch.IMetric{
			s.FlinkMetric("downtime", "Maximum"),
			s.FlinkMetric("numRestarts", "Maximum"),
			s.FlinkMetric("numberOfFailedCheckpoints", "Maximum"),
		}),
		graph("Flink CPU, heap, KPUs", []awscloudwatch.IMetric{
			s.FlinkMetric("containerCPUUtilization", "Maximum"),
			s.FlinkMetric("heapMemoryUtilization", "Maximum"),
			s.FlinkMetric("KPUs", "Maximum"),
		}),
	}
}
