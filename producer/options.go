package producer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Kinesis limits the producer depends on. See "Quotas and limits" in the
// Amazon Kinesis Data Streams Developer Guide and the PutRecords API reference.
const (
	// maxRequestRecords is the most entries one PutRecords request may carry.
	maxRequestRecords = 500
	// maxRequestBytes is the most bytes (partition keys plus data, before
	// base64) one PutRecords request may carry: 5 MiB. Streams that allow
	// records over 5 MiB accept requests up to 10 MiB; a record over 5 MiB is
	// therefore sent in a request of its own.
	maxRequestBytes = 5 << 20
	// defaultMaxRecordSize is a stream's maximum record size (partition key
	// plus data) unless UpdateMaxRecordSize raised it: 1 MiB.
	defaultMaxRecordSize = 1 << 20
	// maxMaxRecordSize is the most UpdateMaxRecordSize allows: 10 MiB.
	maxMaxRecordSize = 10 << 20
	// maxPartitionKeyChars is the longest partition key, in Unicode characters.
	maxPartitionKeyChars = 256
)

// Defaults of the options.
const (
	defaultLinger      = 100 * time.Millisecond
	defaultMaxAttempts = 10
	defaultBackoffBase = 100 * time.Millisecond
	// Kinesis meters shard throughput per second, so waiting much longer
	// than a few seconds only adds latency.
	defaultBackoffMax  = 5 * time.Second
	defaultMaxBuffered = 32 << 20
	defaultMaxInFlight = 4
)

// An Option changes a default of [New]. New validates every option and
// returns an error naming the option and the value it got.
type Option func(*config)

type config struct {
	linger      time.Duration
	maxAttempts int
	backoffBase time.Duration
	backoffMax  time.Duration
	maxRecord   int
	maxBuffered int64
	maxInFlight int
	onFailure   func(Failure)
	onRequest   func(RequestInfo)

	// Tests replace these.
	clock  clock
	jitter func(n int64) int64 // uniform in [0, n)
}

func defaultConfig() config {
	return config{
		linger:      defaultLinger,
		maxAttempts: defaultMaxAttempts,
		backoffBase: defaultBackoffBase,
		backoffMax:  defaultBackoffMax,
		maxRecord:   defaultMaxRecordSize,
		maxBuffered: defaultMaxBuffered,
		maxInFlight: defaultMaxInFlight,
		clock:       realClock{},
		jitter:      rand.Int64N,
	}
}

// WithLinger sets how long a record may wait for more records to fill its
// request. A request is sent as soon as it is full (500 records or 5 MiB),
// when its oldest record has waited d, or on Flush and Close. 0 sends
// whatever is ready at once.
//
// Default: 100 ms. d must be at least 0.
func WithLinger(d time.Duration) Option {
	return func(c *config) { c.linger = d }
}

// WithMaxAttempts sets how many times a record is sent before the producer
// gives up on it and reports it (see [WithOnFailure]). Only retryable
// failures are tried again: throttling, internal errors and requests that
// got no answer.
//
// Default: 10. n must be at least 1.
func WithMaxAttempts(n int) Option {
	return func(c *config) { c.maxAttempts = n }
}

// WithBackoff sets the exponential backoff between attempts of a record:
// before attempt k+1 the record waits a random time between 0 and
// min(max, base·2^(k-1)) ("full jitter"), so producers that were throttled
// together do not come back together.
//
// Default: base 100 ms, max 5 s. base must be more than 0 and max at least base.
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) { c.backoffBase, c.backoffMax = base, max }
}

// WithMaxRecordSize sets the stream's maximum record size in bytes
// (partition key plus data). Put rejects a larger record with
// [ErrRecordTooLarge]. Raise it only for a stream whose maximum record size
// was raised with UpdateMaxRecordSize (the StreamDescriptionSummary's
// MaxRecordSizeInKiB); otherwise Kinesis rejects the whole request.
//
// Default: 1 MiB (1048576), the Kinesis default. n must be between 1 and
// 10 MiB (10485760), the most Kinesis allows.
func WithMaxRecordSize(n int) Option {
	return func(c *config) { c.maxRecord = n }
}

// WithMaxBufferedBytes bounds the memory of records not yet delivered
// (partition keys plus data, including records waiting for a retry). When
// the buffer is full, Put blocks until there is room or its context ends:
// back-pressure instead of unbounded memory when Kinesis throttles or is
// unreachable.
//
// Default: 32 MiB. n must be at least the maximum record size.
func WithMaxBufferedBytes(n int64) Option {
	return func(c *config) { c.maxBuffered = n }
}

// WithMaxInFlight sets how many PutRecords requests may be in flight at
// once. More hides network latency; the per-key order does not depend on it.
//
// Default: 4. n must be at least 1.
func WithMaxInFlight(n int) Option {
	return func(c *config) { c.maxInFlight = n }
}

// WithOnFailure sets a function that gets every record the producer gave up
// on, with the reason. It runs on the producer's goroutines, possibly
// several at once, and delays the producer while it runs. It may call Put
// (to park the record elsewhere or try it again later) but not Flush or
// Close. Flush and Close return after the calls for the records they waited
// for have returned.
//
// Default: none. Failed records are still counted in [Stats].Failures and
// summarised in the error of Flush and Close; nothing is dropped silently.
func WithOnFailure(f func(Failure)) Option {
	return func(c *config) { c.onFailure = f }
}

// WithOnRequest sets a function that gets a [RequestInfo] after each
// PutRecords call, for example to feed a latency histogram. It runs on the
// producer's goroutines, possibly several at once.
//
// Default: none; [Producer.Stats] has the totals.
func WithOnRequest(f func(RequestInfo)) Option {
	return func(c *config) { c.onRequest = f }
}

// validate checks the options and returns one error per invalid option.
func (c *config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("producer: "+format, args...))
	}
	if c.linger < 0 {
		bad("WithLinger: d must be at least 0, got %v", c.linger)
	}
	if c.maxAttempts < 1 {
		bad("WithMaxAttempts: n must be at least 1, got %d", c.maxAttempts)
	}
	if c.backoffBase <= 0 {
		bad("WithBackoff: base must be more than 0, got %v", c.backoffBase)
	}
	if c.backoffMax < c.backoffBase {
		bad("WithBackoff: max must be at least base (%v), got %v", c.backoffBase, c.backoffMax)
	}
	recordOK := c.maxRecord >= 1 && c.maxRecord <= maxMaxRecordSize
	if !recordOK {
		bad("WithMaxRecordSize: n must be between 1 and %d (10 MiB), got %d", maxMaxRecordSize, c.maxRecord)
	}
	if recordOK && c.maxBuffered < int64(c.maxRecord) {
		bad("WithMaxBufferedBytes: n must be at least the maximum record size (%d), got %d", c.maxRecord, c.maxBuffered)
	}
	if c.maxInFlight < 1 {
		bad("WithMaxInFlight: n must be at least 1, got %d", c.maxInFlight)
	}
	return errors.Join(errs...)
}

// backoff returns how long to wait before the next attempt of a record
// that has failed attempts times (attempts ≥ 1): full jitter over an
// exponentially growing ceiling.
func (c *config) backoff(attempts int) time.Duration {
	ceiling := c.backoffMax
	if shift := attempts - 1; shift < 62 {
		if d := c.backoffBase << shift; d > 0 && d < ceiling && d>>shift == c.backoffBase {
			ceiling = d
		}
	}
	return time.Duration(c.jitter(int64(ceiling) + 1))
}
