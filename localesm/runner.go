package localesm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"golang.org/x/sync/errgroup"
)

// Handler is a Lambda function: it takes an invocation payload and returns
// the function's response, or an error for a failed invocation.
// *kinesisbatch.Handler is one.
type Handler interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f HandlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// Client is the part of the Kinesis API that the runner reads with.
// *kinesis.Client is one.
type Client interface {
	DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// Runner is a local event-source mapping: it reads every shard of a stream
// and invokes a Handler with Lambda Kinesis events, following Lambda's
// batching, checkpointing and error-handling rules (see the package
// documentation).
type Runner struct {
	client  Client
	stream  string
	handler Handler

	batchSize      int
	window         time.Duration
	reportFailures bool
	bisect         bool
	maxRetries     int           // -1: no limit
	maxAge         time.Duration // -1: no limit
	timeout        time.Duration
	dest           Destination
	poll           time.Duration
	logger         *slog.Logger
	now            func() time.Time
	retryDelay     func(retry int) time.Duration

	uuid string

	running atomic.Bool
	tickets atomic.Uint64 // numbers GetRecords calls in the order they start

	mu      sync.Mutex
	shards  []*shard
	started chan struct{} // closed once shards is set
	stopped chan struct{} // closed when Run returns
	changed chan struct{} // closed and replaced when a shard goes idle

	stats stats
}

// Defaults of the options. BatchSize, MaxBatchingWindow, the retry and age
// limits and the poll interval are Lambda's; the timeout is the
// StandardStream consumer's.
const (
	defaultBatchSize = 100
	defaultTimeout   = 60 * time.Second
	defaultPoll      = time.Second // Lambda polls an idle shard once a second

	maxBatchSize  = 10000
	maxWindow     = 300 * time.Second
	maxRetries    = 10000
	minRecordAge  = 60 * time.Second
	maxRecordAge  = 7 * 24 * time.Hour
	maxTimeout    = 900 * time.Second
	maxRetryDelay = time.Second
)

// An Option configures a Runner.
type Option func(*Runner)

// WithBatchSize sets the largest number of records per invocation, 1-10000.
//
// Default: 100.
func WithBatchSize(n int) Option { return func(r *Runner) { r.batchSize = n } }

// WithMaxBatchingWindow sets how long the runner gathers records before it
// invokes the function with less than a full batch, 0-300 s.
//
// Default: 0, invoke as soon as records are available.
func WithMaxBatchingWindow(d time.Duration) Option { return func(r *Runner) { r.window = d } }

// WithReportBatchItemFailures makes the runner read the function's partial
// batch response ({"batchItemFailures":[{"itemIdentifier":"<seq>"}]}), as
// FunctionResponseTypes: ["ReportBatchItemFailures"] does.
//
// Default: off; the response is ignored and only an error fails a batch.
func WithReportBatchItemFailures() Option { return func(r *Runner) { r.reportFailures = true } }

// WithBisectBatchOnFunctionError makes the runner split a batch in two when
// the function returns an error, and retry each half on its own.
//
// Default: off.
func WithBisectBatchOnFunctionError() Option { return func(r *Runner) { r.bisect = true } }

// WithMaximumRetryAttempts sets how many times a failed batch is retried
// before its records go to the failure destination, 0-10000, or -1 for no
// limit.
//
// Default: -1, retry until the records exceed the maximum record age.
func WithMaximumRetryAttempts(n int) Option { return func(r *Runner) { r.maxRetries = n } }

// WithMaximumRecordAge sets the age at which records go to the failure
// destination instead of the function, 60 s to 7 days.
//
// Default: no limit.
func WithMaximumRecordAge(d time.Duration) Option { return func(r *Runner) { r.maxAge = d } }

// WithFunctionTimeout sets the deadline of each invocation's context, 1 ms
// to 900 s. An invocation that returns after it counts as a timed-out
// function error; the runner cannot stop a handler that ignores it.
//
// Default: 60 s, the StandardStream consumer's timeout.
func WithFunctionTimeout(d time.Duration) Option { return func(r *Runner) { r.timeout = d } }

// WithFailureDestination sets where records that the runner gives up on are
// written.
//
// Default: none; records given up are dropped, as Lambda drops them, and
// only counted in Stats.
func WithFailureDestination(d Destination) Option { return func(r *Runner) { r.dest = d } }

// WithPollInterval sets how long a shard's reader waits after a GetRecords
// call that found no records; d must be positive.
//
// Default: 1 s, Lambda's base polling rate.
func WithPollInterval(d time.Duration) Option { return func(r *Runner) { r.poll = d } }

// WithLogger sets the logger for records given up and for errors the runner
// retries.
//
// Default: slog.Default().
func WithLogger(l *slog.Logger) Option { return func(r *Runner) { r.logger = l } }

// New returns a Runner that reads stream with client and invokes h. It
// checks the options and returns an error naming the first invalid one.
func New(client Client, stream string, h Handler, opts ...Option) (*Runner, error) {
	r := &Runner{
		client:     client,
		stream:     stream,
		handler:    h,
		batchSize:  defaultBatchSize,
		maxRetries: -1,
		maxAge:     -1,
		timeout:    defaultTimeout,
		poll:       defaultPoll,
		logger:     slog.Default(),
		now:        time.Now,
		retryDelay: backoff,
		uuid:       newUUID(),
		started:    make(chan struct{}),
		stopped:    make(chan struct{}),
		changed:    make(chan struct{}),
	}
	for _, o := range opts {
		o(r)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runner) validate() error {
	switch {
	case r.client == nil:
		return errors.New("localesm: New: client is nil")
	case r.stream == "":
		return errors.New("localesm: New: stream is empty")
	case r.handler == nil:
		return errors.New("localesm: New: handler is nil")
	case r.batchSize < 1 || r.batchSize > maxBatchSize:
		return fmt.Errorf("localesm: WithBatchSize: batch size must be 1-%d, got %d", maxBatchSize, r.batchSize)
	case r.window < 0 || r.window > maxWindow:
		return fmt.Errorf("localesm: WithMaxBatchingWindow: window must be 0-%v, got %v", maxWindow, r.window)
	case r.maxRetries < -1 || r.maxRetries > maxRetries:
		return fmt.Errorf("localesm: WithMaximumRetryAttempts: attempts must be -1-%d, got %d", maxRetries, r.maxRetries)
	case r.maxAge != -1 && (r.maxAge < minRecordAge || r.maxAge > maxRecordAge):
		return fmt.Errorf("localesm: WithMaximumRecordAge: age must be %v-%v, got %v", minRecordAge, maxRecordAge, r.maxAge)
	case r.timeout < time.Millisecond || r.timeout > maxTimeout:
		return fmt.Errorf("localesm: WithFunctionTimeout: timeout must be 1ms-%v, got %v", maxTimeout, r.timeout)
	case r.poll <= 0:
		return fmt.Errorf("localesm: WithPollInterval: interval must be positive, got %v", r.poll)
	case r.logger == nil:
		return errors.New("localesm: WithLogger: logger is nil")
	}
	return nil
}

// backoff is the wait before the nth retry of a batch (n from 1): 10 ms,
// doubling, at most 1 s. Lambda backs off too; without it a record that
// always fails would spin a core when retries are unlimited.
func backoff(n int) time.Duration {
	d := 10 * time.Millisecond << min(n-1, 10)
	return min(d, maxRetryDelay)
}

// UUID returns the runner's UUID, which names it in failure records as an
// event-source mapping's UUID does.
func (r *Runner) UUID() string { return r.uuid }

// Run reads every shard of the stream from TRIM_HORIZON and invokes the
// handler until ctx is cancelled, then returns nil. Each shard has one batch
// in flight at a time. An invocation in flight when ctx is cancelled runs to
// its end. Run returns an error when the stream cannot be read or the
// failure destination fails; a Runner runs once.
//
// Shards are listed once, when Run starts; shards created later by
// resharding are not read.
func (r *Runner) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("localesm: Run called twice")
	}
	defer close(r.stopped)
	src, err := r.describe(ctx)
	if err != nil {
		return err
	}
	ids, err := r.listShards(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	for _, id := range ids {
		s := src
		s.shardID = id
		r.shards = append(r.shards, &shard{src: s})
	}
	close(r.started)
	r.mu.Unlock()

	g, gctx := errgroup.WithContext(ctx)
	for _, sh := range r.shards {
		pages := make(chan page, 2)
		g.Go(func() error { return r.read(gctx, sh, pages) })
		g.Go(func() error { return r.process(gctx, sh, pages) })
	}
	err = g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Start runs Run in the background. The returned stop cancels it, waits for
// it to return and returns its error; calling stop again returns the same.
func (r *Runner) Start(ctx context.Context) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return sync.OnceValue(func() error {
		cancel()
		return <-done
	})
}

// describe returns what every event record of the stream repeats, less the
// shard ID.
func (r *Runner) describe(ctx context.Context) (source, error) {
	out, err := r.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(r.stream)})
	if err != nil {
		return source{}, fmt.Errorf("localesm: describe stream %s: %w", r.stream, err)
	}
	arn := aws.ToString(out.StreamDescriptionSummary.StreamARN)
	region, account, err := parseARN(arn)
	if err != nil {
		return source{}, fmt.Errorf("localesm: stream %s: %w", r.stream, err)
	}
	return source{
		streamARN: arn,
		region:    region,
		account:   account,
		identity:  "arn:aws:iam::" + account + ":role/localesm",
	}, nil
}

func (r *Runner) listShards(ctx context.Context) ([]string, error) {
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String(r.stream)}
	for {
		out, err := r.client.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("localesm: list shards of %s: %w", r.stream, err)
		}
		for _, s := range out.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		if out.NextToken == nil {
			return ids, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// CaughtUp waits until the runner has dealt with every record that was in
// the stream when CaughtUp was called: each shard's reader has since found
// no more records, and the shard has no batch in flight. Records dealt with
// were either checkpointed or given up. CaughtUp waits for Run to list the
// shards; it returns an error if Run stops or ctx ends first.
func (r *Runner) CaughtUp(ctx context.Context) error {
	mark := r.tickets.Load()
	// started first: after Run ended by itself, both are closed, and the
	// shards' state decides, not a random choice of select.
	select {
	case <-r.started:
	default:
		select {
		case <-r.started:
		case <-r.stopped:
			return errStopped
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		r.mu.Lock()
		changed := r.changed
		done := true
		for _, sh := range r.shards {
			if !sh.closed && sh.idle <= mark {
				done = false
				break
			}
		}
		r.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-r.stopped:
			return errStopped
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

var errStopped = errors.New("localesm: runner stopped before it caught up")

// markIdle records that sh had nothing in flight when the GetRecords call
// numbered ticket found no records, or that sh is closed and done.
func (r *Runner) markIdle(sh *shard, ticket uint64, closed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sh.idle = max(sh.idle, ticket)
	sh.closed = sh.closed || closed
	close(r.changed)
	r.changed = make(chan struct{})
}

// Stats counts what a Runner has done. Every record read is eventually
// checkpointed or given up, unless Run stops first.
type Stats struct {
	// Shards is the number of shards being read.
	Shards int
	// RecordsRead counts records read from the stream.
	RecordsRead int64
	// RecordsCheckpointed counts records the checkpoint has passed after a
	// successful invocation.
	RecordsCheckpointed int64
	// RecordsGivenUp counts records sent to the failure destination, or
	// dropped when there is none.
	RecordsGivenUp int64
	// Invocations counts calls of the handler.
	Invocations int64
	// FunctionErrors counts invocations that returned an error, panicked or
	// timed out.
	FunctionErrors int64
	// PartialFailures counts invocations whose response reported failed
	// records.
	PartialFailures int64
	// InvalidResponses counts responses that failed a whole batch because
	// Lambda could not use them (an itemIdentifier that is empty, null or
	// not in the batch, or a response that is not JSON).
	InvalidResponses int64
	// Retries counts invocations that retried records after a failure.
	Retries int64
	// Bisections counts batches split in two after a function error.
	Bisections int64
	// ReadRetries counts GetRecords and GetShardIterator calls made again
	// after a throttle or an error that may pass (HTTP 5xx, a connection
	// reset); the runner keeps reading through them, as Lambda does.
	ReadRetries int64
	// MillisBehindLatest is the largest MillisBehindLatest of the latest
	// GetRecords call of each shard.
	MillisBehindLatest int64
}

type stats struct {
	read, checkpointed, givenUp                   atomic.Int64
	invocations, functionErrors, partial, invalid atomic.Int64
	retries, bisections, readRetries              atomic.Int64
}

// Stats returns the runner's counters. It is safe to call at any time.
func (r *Runner) Stats() Stats {
	r.mu.Lock()
	n := len(r.shards)
	var behind int64
	for _, sh := range r.shards {
		behind = max(behind, sh.behind.Load())
	}
	r.mu.Unlock()
	return Stats{
		Shards:              n,
		RecordsRead:         r.stats.read.Load(),
		RecordsCheckpointed: r.stats.checkpointed.Load(),
		RecordsGivenUp:      r.stats.givenUp.Load(),
		Invocations:         r.stats.invocations.Load(),
		FunctionErrors:      r.stats.functionErrors.Load(),
		PartialFailures:     r.stats.partial.Load(),
		InvalidResponses:    r.stats.invalid.Load(),
		Retries:             r.stats.retries.Load(),
		Bisections:          r.stats.bisections.Load(),
		ReadRetries:         r.stats.readRetries.Load(),
		MillisBehindLatest:  behind,
	}
}
