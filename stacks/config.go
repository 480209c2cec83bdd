package stacks

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
)

// Environment is the typed configuration of one deployment environment.
// Only main.go and this package know about environments; the construct takes
// plain props.
type Environment struct {
	// Name is the environment's short name (dev, staging, prod); it names
	// the stack (StackName) and the stream.
	Name string
	// Account and Region pin the stack to one AWS environment. Both empty
	// gives an environment-agnostic stack that deploys wherever the CLI's
	// credentials point.
	Account, Region string
	// Retention is the stream's retention period (24 h to 365 days).
	Retention time.Duration
	// LogRetention is how long consumer and archive logs are kept.
	LogRetention awslogs.RetentionDays
	// IteratorAgeThreshold is the consumer lag that raises the IteratorAge
	// alarms.
	IteratorAgeThreshold time.Duration
	// ArchiveBufferInterval and ArchiveBufferMiB set Firehose buffering:
	// short in dev to see data quickly, long in prod for fewer, larger objects.
	ArchiveBufferInterval time.Duration
	ArchiveBufferMiB      int
	// RemovalPolicy applies to the stream and its buckets.
	RemovalPolicy awscdk.RemovalPolicy
	// AlarmEmails are subscribed to the alarm topic.
	AlarmEmails []string
	// TerminationProtection guards the stack against deletion.
	TerminationProtection bool
}

// Environments returns the reference app's environments, in deploy order.
func Environments() []Environment {
	return []Environment{
		{
			Name:                  "dev",
			Retention:             24 * time.Hour,
			LogRetention:          awslogs.RetentionDays_ONE_WEEK,
			IteratorAgeThreshold:  15 * time.Minute,
			ArchiveBufferInterval: 60 * time.Second,
			ArchiveBufferMiB:      5,
			RemovalPolicy:         awscdk.RemovalPolicy_DESTROY,
		},
		{
			Name:                  "staging",
			Retention:             48 * time.Hour,
			LogRetention:          awslogs.RetentionDays_ONE_MONTH,
			IteratorAgeThreshold:  30 * time.Minute,
			ArchiveBufferInterval: 300 * time.Second,
			ArchiveBufferMiB:      64,
			RemovalPolicy:         awscdk.RemovalPolicy_RETAIN,
		},
		{
			Name:                  "prod",
			Retention:             7 * 24 * time.Hour,
			LogRetention:          awslogs.RetentionDays_THREE_MONTHS,
			IteratorAgeThreshold:  30 * time.Minute,
			ArchiveBufferInterval: 300 * time.Second,
			ArchiveBufferMiB:      128,
			RemovalPolicy:         awscdk.RemovalPolicy_RETAIN,
			TerminationProtection: true,
		},
	}
}

// Lookup returns the environment called name.
func Lookup(name string) (Environment, error) {
	var names []string
	for _, e := range Environments() {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	return Environment{}, fmt.Errorf("environment %q not found; known environments: %q", name, names)
}

// StackName is the name of the environment's stack: `cdk deploy <StackName>`.
func (e Environment) StackName() string { return "StandardStream-" + e.Name }

var (
	envNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

// Validate reports every problem of the environment, each naming the field
// and the value. The construct validates the rest (ranges of retention and
// thresholds) when the stack is built.
func (e Environment) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !envNamePattern.MatchString(e.Name) {
		add("name must be 1-32 lowercase letters, digits or '-', starting with a letter, got %q", e.Name)
	}
	if e.Account != "" && !accountPattern.MatchString(e.Account) {
		add("account must be 12 digits, got %q", e.Account)
	}
	if e.Region != "" && !regionPattern.MatchString(e.Region) {
		add("region must look like eu-west-1, got %q", e.Region)
	}
	if (e.Account == "") != (e.Region == "") {
		add("account and region must be set together, got account %q and region %q", e.Account, e.Region)
	}
	if e.Retention <= 0 || e.Retention%time.Hour != 0 {
		add("retention must be a positive whole number of hours, got %s", e.Retention)
	}
	if e.LogRetention == "" {
		add("logRetention must be set, got an empty value")
	}
	if e.IteratorAgeThreshold <= 0 || e.IteratorAgeThreshold%time.Second != 0 {
		add("iteratorAgeThreshold must be a positive whole number of seconds, got %s", e.IteratorAgeThreshold)
	}
	if e.ArchiveBufferInterval < 0 || e.ArchiveBufferInterval%time.Second != 0 {
		add("archiveBufferInterval must be a whole number of seconds, got %s", e.ArchiveBufferInterval)
	}
	if e.ArchiveBufferMiB <= 0 {
		add("archiveBufferMiB must be positive, got %d", e.ArchiveBufferMiB)
	}
	switch e.RemovalPolicy {
	case awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_DESTROY:
	default:
		add("removalPolicy must be RETAIN or DESTROY, got %q", string(e.RemovalPolicy))
	}
	for _, addr := range e.AlarmEmails {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			add("alarmEmails: %q is not an email address", addr)
		}
	}
	if e.Name == "prod" && !e.TerminationProtection {
		add("terminationProtection must be true for prod, got false")
	}
	if e.Name == "prod" && e.RemovalPolicy == awscdk.RemovalPolicy_DESTROY {
		add("removalPolicy must be RETAIN for prod, got DESTROY")
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("environment %q: %w", e.Name, errors.Join(errs...))
}
