package streaming

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// Limits that validation enforces, from the Kinesis, Lambda, Firehose and S3
// quotas pages.
const (
	minRetentionHours     = 24   // Kinesis minimum retention
	maxRetentionHours     = 8760 // Kinesis maximum retention (365 days)
	maxBatchSize          = 10000
	maxBatchingWindowSec  = 300
	maxParallelization    = 10
	maxRetryAttempts      = 10000
	minRecordAgeSec       = 60
	maxRecordAgeSec       = 604800 // 7 days
	maxTimeoutSec         = 900
	minMemoryMB           = 128
	maxMemoryMB           = 10240
	maxBufferIntervalSec  = 900
	maxBufferSizeMiB      = 128
	minIATransitionDays   = 30 // S3 minimum age for a Standard-IA transition
	defaultObjectLockDays = 30
	maxShardCount         = 10000

	// A batch gets at least recordBudget per record plus checkpointMargin
	// of the timeout. checkpointMargin is kinesisbatch.DefaultDeadlineMargin:
	// the consumer library stops starting records that long before the
	// deadline, so a timeout below it would leave no time for records.
	recordBudgetSec  = 0.010
	checkpointMargin = 5.0 // seconds
)

var streamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// settings are StandardStreamProps with every default applied and every
// value checked. Durations stay CDK Durations so that tokens pass through.
type settings struct {
	streamName    *string
	retention     awscdk.Duration
	streamMode    awskinesis.StreamMode
	shardCount    *float64
	key           awskms.IKey
	removalPolicy awscdk.RemovalPolicy
	logRetention  awslogs.RetentionDays

	entry              *string
	memorySize         *float64
	timeout            awscdk.Duration
	batchSize          *float64
	batchingWindow     awscdk.Duration
	parallelization    *float64
	retryAttempts      *float64
	maxRecordAge       awscdk.Duration
	failureDestination FailureDestination
	enhancedFanOut     bool

	archive           bool
	bufferingInterval awscdk.Duration
	bufferingSize     awscdk.Size
	transitionAfter   awscdk.Duration
	expiration        awscdk.Duration
	// objectLockRetention is nil when Object Lock is off (DESTROY).
	objectLockRetention awscdk.Duration

	topic                awssns.ITopic
	iteratorAgeThreshold awscdk.Duration
	freshnessThreshold   awscdk.Duration
	runbookBase          string // RunbookDir or RunbookBaseURL without a trailing slash

	dataModel *DataModel
	schema    *Schema

	maxRecordSizeKiB *float64
	query            querySettings
	analytics        *analyticsSettings
}

// Validate reports every problem with props as one *PropsError whose lines
// name the field and the value it got. Values that are unresolved tokens are
// not checked. A nil props is valid.
//
// NewStandardStream runs the same checks and reports each problem as a synth
// error on the construct, which the CDK CLI prints with the construct path;
// call Validate to get them as an error instead, without building anything:
// in a unit test of a team's props, or before building a stack.
func Validate(props *StandardStreamProps) error {
	_, err := resolve(props)
	return err
}

// resolve applies the defaults of props and validates the result. It never
// writes into props.
func resolve(props *StandardStreamProps) (settings, error) {
	var p StandardStreamProps
	if props != nil {
		p = *props
	}
	var c ConsumerProps
	if p.Consumer != nil {
		c = *p.Consumer
	}
	var a ArchiveProps
	if p.Archive != nil {
		a = *p.Archive
	}
	var al AlarmProps
	if p.Alarms != nil {
		al = *p.Alarms
	}
	v := &validator{}

	s := settings{
		streamName:         p.StreamName,
		retention:          orDuration(p.RetentionPeriod, awscdk.Duration_Hours(jsii.Number(24))),
		streamMode:         p.StreamMode,
		shardCount:         p.ShardCount,
		key:                p.EncryptionKey,
		removalPolicy:      p.RemovalPolicy,
		logRetention:       p.LogRetention,
		entry:              c.Entry,
		memorySize:         orNumber(c.MemorySize, 512),
		timeout:            orDuration(c.Timeout, awscdk.Duration_Seconds(jsii.Number(60))),
		batchSize:          orNumber(c.BatchSize, 100),
		batchingWindow:     c.MaxBatchingWindow,
		parallelization:    orNumber(c.ParallelizationFactor, 1),
		retryAttempts:      orNumber(c.RetryAttempts, 3),
		failureDestination: c.FailureDestination,
		enhancedFanOut:     c.EnhancedFanOut != nil && *c.EnhancedFanOut,
		bufferingInterval:  orDuration(a.BufferingInterval, awscdk.Duration_Seconds(jsii.Number(300))),
		bufferingSize:      a.BufferingSize,
		transitionAfter:    orDuration(a.TransitionAfter, awscdk.Duration_Days(jsii.Number(30))),
		expiration:         orDuration(a.Expiration, awscdk.Duration_Days(jsii.Number(365))),
		topic:              al.Topic,
	}
	if s.streamMode == "" {
		s.streamMode = awskinesis.StreamMode_ON_DEMAND
	}
	if s.removalPolicy == "" {
		s.removalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if s.logRetention == "" {
		s.logRetention = awslogs.RetentionDays_ONE_MONTH
	}
	if s.failureDestination == "" {
		s.failureDestination = FailureDestinationS3
	}
	if s.bufferingSize == nil {
		s.bufferingSize = awscdk.Size_Mebibytes(jsii.Number(64))
	}

	// Stream.
	if s.streamName != nil && !unresolved(s.streamName) && !streamNamePattern.MatchString(*s.streamName) {
		v.errorf("streamName must be 1-128 characters of [a-zA-Z0-9_.-], got %q", *s.streamName)
	}
	retentionSec, retentionKnown := seconds(s.retention)
	if retentionKnown {
		if h := retentionSec / 3600; h < minRetentionHours || h > maxRetentionHours || h != math.Trunc(h) {
			v.errorf("retentionPeriod must be a whole number of hours between %d and %d, got %v hours", minRetentionHours, maxRetentionHours, h)
		}
	}
	switch s.streamMode {
	case awskinesis.StreamMode_ON_DEMAND:
		if s.shardCount != nil {
			v.errorf("shardCount cannot be set on an on-demand stream (streamMode ON_DEMAND), got %s; set streamMode to PROVISIONED or remove shardCount", num(s.shardCount))
		}
	case awskinesis.StreamMode_PROVISIONED:
		if s.shardCount == nil {
			s.shardCount = jsii.Number(1)
		}
		v.integerIn("shardCount", s.shardCount, 1, maxShardCount)
	default:
		v.errorf("streamMode must be ON_DEMAND or PROVISIONED, got %q", string(s.streamMode))
	}
	switch s.removalPolicy {
	case awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_DESTROY, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE:
	case awscdk.RemovalPolicy_SNAPSHOT:
		v.errorf("removalPolicy must be RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE, got %q: Kinesis streams and S3 buckets cannot be snapshotted; use RETAIN to keep their data", string(s.removalPolicy))
	default:
		v.errorf("removalPolicy must be RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE, got %q", string(s.removalPolicy))
	}

	// Consumer.
	if s.entry != nil && *s.entry == "" {
		v.errorf("consumer.entry must be the directory of a Go main package, got an empty string")
	}
	v.integerIn("consumer.memorySize", s.memorySize, minMemoryMB, maxMemoryMB)
	timeoutSec, timeoutOK := v.duration("consumer.timeout", s.timeout, inSeconds)
	if timeoutOK && (timeoutSec < 1 || timeoutSec > maxTimeoutSec) {
		v.errorf("consumer.timeout must be between 1 and %d seconds, got %s", maxTimeoutSec, human(s.timeout))
		timeoutOK = false
	}
	if batchOK := v.integerIn("consumer.batchSize", s.batchSize, 1, maxBatchSize); batchOK && timeoutOK {
		if need := math.Ceil(*s.batchSize*recordBudgetSec + checkpointMargin); timeoutSec < need {
			v.errorf("consumer.timeout must be at least %v seconds for a batch of %v records (10 ms per record plus the consumer's %v s checkpoint margin), got %s", need, *s.batchSize, checkpointMargin, human(s.timeout))
		}
	}
	if w, ok := v.duration("consumer.maxBatchingWindow", s.batchingWindow, inSeconds); ok && (w < 0 || w > maxBatchingWindowSec) {
		v.errorf("consumer.maxBatchingWindow must be between 0 and %d seconds, got %s", maxBatchingWindowSec, human(s.batchingWindow))
	}
	v.integerIn("consumer.parallelizationFactor", s.parallelization, 1, maxParallelization)
	v.integerIn("consumer.retryAttempts", s.retryAttempts, 0, maxRetryAttempts)
	switch s.failureDestination {
	case FailureDestinationS3, FailureDestinationSQS:
	default:
		v.errorf("consumer.failureDestination must be S3 or SQS, got %q", string(s.failureDestination))
	}

	// The record age defaults to a quarter of retention so that a stuck
	// consumer discards to the failure destination long before the stream
	// expires records, never silently.
	s.maxRecordAge = c.MaxRecordAge
	if s.maxRecordAge == nil {
		if retentionKnown {
			s.maxRecordAge = awscdk.Duration_Seconds(jsii.Number(math.Min(math.Floor(retentionSec/4), maxRecordAgeSec)))
		} else {
			s.maxRecordAge = awscdk.Duration_Hours(jsii.Number(6))
		}
	}
	ageSec, ageKnown := v.duration("consumer.maxRecordAge", s.maxRecordAge, inSeconds)
	if ageKnown {
		switch {
		case ageSec < minRecordAgeSec || ageSec > maxRecordAgeSec:
			v.errorf("consumer.maxRecordAge must be between %d seconds and 7 days, got %s", minRecordAgeSec, human(s.maxRecordAge))
		case retentionKnown && ageSec > retentionSec:
			v.errorf("consumer.maxRecordAge must not be above retentionPeriod (%s), got %s", human(s.retention), human(s.maxRecordAge))
		}
	}

	// Archive.
	s.archive = a.Disabled == nil || !*a.Disabled
	if !s.archive {
		durations := []struct {
			name string
			d    awscdk.Duration
		}{
			{"archive.bufferingInterval", a.BufferingInterval}, {"archive.transitionAfter", a.TransitionAfter},
			{"archive.expiration", a.Expiration}, {"alarms.archiveFreshnessThreshold", al.ArchiveFreshnessThreshold},
		}
		for _, f := range durations {
			if f.d != nil {
				v.errorf("%s cannot be set with archive.disabled true (there is no archive), got %s", f.name, human(f.d))
			}
		}
		if a.BufferingSize != nil {
			v.errorf("archive.bufferingSize cannot be set with archive.disabled true (there is no archive), got %s", *a.BufferingSize.ToString())
		}
	}
	intervalSec, intervalKnown := v.duration("archive.bufferingInterval", s.bufferingInterval, inSeconds)
	if intervalKnown && (intervalSec < 0 || intervalSec > maxBufferIntervalSec) {
		v.errorf("archive.bufferingInterval must be between 0 and %d seconds, got %s", maxBufferIntervalSec, human(s.bufferingInterval))
	}
	if !unresolved(s.bufferingSize) {
		mib := *s.bufferingSize.ToMebibytes(&awscdk.SizeConversionOptions{Rounding: awscdk.SizeRoundingBehavior_NONE})
		if mib < 1 || mib > maxBufferSizeMiB || mib != math.Trunc(mib) {
			v.errorf("archive.bufferingSize must be a whole number of MiB between 1 and %d, got %v MiB", maxBufferSizeMiB, mib)
		}
	}
	transitionSec, transitionKnown := v.duration("archive.transitionAfter", s.transitionAfter, inDays)
	if transitionKnown && transitionSec < minIATransitionDays*86400 {
		v.errorf("archive.transitionAfter must be at least %d days (S3 Standard-IA minimum), got %s", minIATransitionDays, human(s.transitionAfter))
	}
	expSec, expKnown := v.duration("archive.expiration", s.expiration, inDays)
	if expKnown && transitionKnown && expSec <= transitionSec {
		v.errorf("archive.expiration must be later than archive.transitionAfter (%s), got %s", human(s.transitionAfter), human(s.expiration))
	}
	// Object Lock (CT.S3.PR.9) protects retained data; a destroyed stack
	// empties its buckets, which locked versions would block.
	switch {
	case s.removalPolicy == awscdk.RemovalPolicy_DESTROY && a.ObjectLockRetention != nil:
		v.errorf("archive.objectLockRetention cannot be set with removalPolicy DESTROY, whose buckets are emptied on delete (locked objects cannot be), got %s", human(a.ObjectLockRetention))
	case s.removalPolicy == awscdk.RemovalPolicy_DESTROY:
	default:
		s.objectLockRetention = orDuration(a.ObjectLockRetention, awscdk.Duration_Days(jsii.Number(defaultObjectLockDays)))
	}
	if lockSec, ok := v.duration("archive.objectLockRetention", s.objectLockRetention, inDays); ok {
		switch {
		case lockSec < 86400:
			v.errorf("archive.objectLockRetention must be at least 1 day, got %s", human(s.objectLockRetention))
		case expKnown && lockSec > expSec:
			v.errorf("archive.objectLockRetention must not be longer than archive.expiration (%s), so that expired objects can be deleted, got %s", human(s.expiration), human(s.objectLockRetention))
		}
	}

	// Alarms. The IteratorAge threshold must fire before records are
	// discarded (maxRecordAge) or expire (retention).
	s.iteratorAgeThreshold = al.IteratorAgeThreshold
	if s.iteratorAgeThreshold == nil {
		t := 3600.0
		if ageKnown && ageSec/2 < t {
			t = math.Floor(ageSec / 2)
		}
		s.iteratorAgeThreshold = awscdk.Duration_Seconds(jsii.Number(t))
	}
	if t, ok := v.duration("alarms.iteratorAgeThreshold", s.iteratorAgeThreshold, inMilliseconds); ok {
		switch {
		case t <= 0:
			v.errorf("alarms.iteratorAgeThreshold must be positive, got %s", human(s.iteratorAgeThreshold))
		case retentionKnown && t >= retentionSec:
			v.errorf("alarms.iteratorAgeThreshold must be below retentionPeriod (%s), got %s", human(s.retention), human(s.iteratorAgeThreshold))
		case ageKnown && t >= ageSec:
			v.errorf("alarms.iteratorAgeThreshold must be below consumer.maxRecordAge (%s) so that it fires before records are discarded, got %s", human(s.maxRecordAge), human(s.iteratorAgeThreshold))
		}
	}
	s.freshnessThreshold = al.ArchiveFreshnessThreshold
	if s.freshnessThreshold == nil {
		t := 900.0
		if intervalKnown && 3*intervalSec > t {
			t = 3 * intervalSec
		}
		s.freshnessThreshold = awscdk.Duration_Seconds(jsii.Number(t))
	}
	if t, ok := v.duration("alarms.archiveFreshnessThreshold", s.freshnessThreshold, inSeconds); ok {
		switch {
		case intervalKnown && t <= intervalSec:
			v.errorf("alarms.archiveFreshnessThreshold must be above archive.bufferingInterval (%s), got %s", human(s.bufferingInterval), human(s.freshnessThreshold))
		case retentionKnown && t >= retentionSec:
			v.errorf("alarms.archiveFreshnessThreshold must be below retentionPeriod (%s), got %s", human(s.retention), human(s.freshnessThreshold))
		}
	}

	s.runbookBase = RunbookDir
	if al.RunbookBaseURL != nil && !unresolved(al.RunbookBaseURL) {
		if err := checkRunbookBaseURL(*al.RunbookBaseURL); err != nil {
			v.errorf("alarms.runbookBaseURL %v, got %q", err, *al.RunbookBaseURL)
		} else {
			s.runbookBase = strings.TrimRight(*al.RunbookBaseURL, "/")
		}
	} else if al.RunbookBaseURL != nil {
		s.runbookBase = *al.RunbookBaseURL
	}

	if p.DataModel != nil {
		m := *p.DataModel
		s.dataModel = &m
		s.schema = v.dataModel(&m)
	}

	s.query = v.query(p.Query, p.StreamName, s.archive)
	s.analytics = v.analytics(p.Analytics)
	s.maxRecordSizeKiB = v.maxRecordSize(p.MaxRecordSizeInKiB, s)

	return s, v.err()
}

// maxRunbookBaseURL keeps every alarm description within CloudWatch's
// AlarmDescription limit of 1024 characters: the longest description and
// runbook name take under 300 (TestRunbookBaseURL checks it).
const maxRunbookBaseURL = 256

// checkRunbookBaseURL says what is wrong with a RunbookBaseURL, completing
// "alarms.runbookBaseURL ...".
func checkRunbookBaseURL(raw string) error {
	if n := len(strings.TrimRight(raw, "/")); n > maxRunbookBaseURL {
		return fmt.Errorf("must be at most %d characters without a trailing slash, got %d", maxRunbookBaseURL, n)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return errors.New("must be an absolute http or https URL such as https://github.com/acme/orders/blob/main/docs/runbooks")
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#"):
		return errors.New("must not have a query or fragment, since runbook names are appended to it")
	case strings.ContainsAny(raw, " \t\n"):
		return errors.New("must not contain whitespace")
	}
	return nil
}

type validator struct{ errs []error }

func (v *validator) errorf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

// integerIn checks that n is a whole number in [lo, hi], and reports whether
// it is known (not nil, not a token) and valid.
func (v *validator) integerIn(field string, n *float64, lo, hi float64) bool {
	if n == nil || unresolved(n) {
		return false
	}
	if *n < lo || *n > hi || *n != math.Trunc(*n) {
		v.errorf("%s must be a whole number between %v and %v, got %s", field, lo, hi, num(n))
		return false
	}
	return true
}

// A unit is what CloudFormation counts a duration in. CDK converts a
// Duration to a whole number of it and stops with CannotConvertedIntoWhole,
// naming no field, when it is not one.
type unit struct {
	name string
	in   func(awscdk.Duration, *awscdk.TimeConversionOptions) *float64
}

var (
	inMilliseconds = unit{"milliseconds", awscdk.Duration.ToMilliseconds}
	inSeconds      = unit{"seconds", awscdk.Duration.ToSeconds}
	inDays         = unit{"days", awscdk.Duration.ToDays}
)

// duration returns d in seconds if it is known (not nil, not a token) and a
// whole number of u; it reports a fractional one as an error of field.
func (v *validator) duration(field string, d awscdk.Duration, u unit) (sec float64, ok bool) {
	sec, ok = seconds(d)
	if !ok {
		return 0, false
	}
	if n := *u.in(d, &awscdk.TimeConversionOptions{Integral: jsii.Bool(false)}); n != math.Trunc(n) {
		v.errorf("%s must be a whole number of %s, got %v %s", field, u.name, n, u.name)
		return 0, false
	}
	return sec, true
}

func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return &PropsError{Errs: v.errs}
}

// PropsError lists every invalid value of a StandardStreamProps.
type PropsError struct {
	Errs []error
}

func (e *PropsError) Error() string {
	msg := "invalid StandardStreamProps: "
	if len(e.Errs) == 1 {
		return msg + e.Errs[0].Error()
	}
	return msg + errors.Join(e.Errs...).Error()
}

// Unwrap returns the individual problems.
func (e *PropsError) Unwrap() []error { return e.Errs }

func orDuration(d, def awscdk.Duration) awscdk.Duration {
	if d == nil {
		return def
	}
	return d
}

func orNumber(n *float64, def float64) *float64 {
	if n == nil {
		return jsii.Number(def)
	}
	return n
}

func unresolved(v any) bool {
	return *awscdk.Token_IsUnresolved(v)
}

// seconds converts d to seconds; ok is false for nil and unresolved durations.
func seconds(d awscdk.Duration) (sec float64, ok bool) {
	if d == nil || *d.IsUnresolved() {
		return 0, false
	}
	return *d.ToSeconds(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)}), true
}

func human(d awscdk.Duration) string {
	return *d.ToHumanString()
}

func num(n *float64) string {
	if unresolved(n) {
		return "(token)"
	}
	return fmt.Sprintf("%v", *n)
}
