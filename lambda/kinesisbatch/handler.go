package kinesisbatch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Record is one record of a batch: a Kinesis record, or one user record of a
// KPL aggregate.
type Record struct {
	// EventSourceARN is the ARN of the stream the record was read from.
	EventSourceARN string
	// ShardID is the ID of the shard the record was read from, such as
	// shardId-000000000000.
	ShardID string
	// PartitionKey is the record's partition key; for a user record of an
	// aggregate, the user record's own key.
	PartitionKey string
	// SequenceNumber is the Kinesis sequence number; user records of an
	// aggregate share their parent's.
	SequenceNumber string
	// SubSequenceNumber is the index of a user record in its aggregate, and
	// 0 for a record that is not aggregated.
	SubSequenceNumber int
	// Aggregated reports whether the record is a user record of a KPL
	// aggregate.
	Aggregated bool
	// ExplicitHashKey is the explicit hash key a KPL user record was put
	// with, if any. Lambda does not pass it for plain records.
	ExplicitHashKey string
	// Data is the record's payload, decoded from base64. It is not shared
	// with other records and may be kept after the Func returns.
	Data []byte
	// ApproximateArrivalTimestamp is when Kinesis accepted the record.
	ApproximateArrivalTimestamp time.Time
}

// Func handles one record. Returning an error, panicking or calling
// runtime.Goexit fails the record:
// later records with the same partition key are not handled in this
// invocation, and Lambda delivers the record again.
//
// With concurrency above 1 a Func is called from several goroutines at
// once, but never for two records with the same partition key.
type Func func(ctx context.Context, r Record) error

// Handler handles Lambda Kinesis batches with a Func. It implements
// aws-lambda-go's lambda.Handler, so lambda.Start(h) runs it. A Handler is
// safe for concurrent use.
type Handler struct {
	fn           Func
	concurrency  int
	logger       *slog.Logger
	metrics      io.Writer
	namespace    string
	validator    func(data []byte) error
	validatorSet bool // to reject WithValidator(nil)
	margin       time.Duration
	marginSet    bool // else the default, see deadlineMargin
	now          func() time.Time

	metricsMu sync.Mutex
	decoders  sync.Pool
	scratch   sync.Pool
}

// DefaultDeadlineMargin is the deadline margin when WithDeadlineMargin is
// not given (capped at a tenth of the time left). The StandardStream
// construct sizes the consumer's minimum timeout with it.
const DefaultDeadlineMargin = 5 * time.Second

// Defaults of the options.
const (
	defaultNamespace = "StandardStream"
	defaultMargin    = DefaultDeadlineMargin
	// maxNamespace is CloudWatch's limit on a namespace's length.
	maxNamespace = 255
)

// An Option configures a Handler.
type Option func(*Handler)

// WithConcurrency sets how many records with different partition keys are
// handled at once; n must be at least 1.
//
// Default: 1, all records one after another.
func WithConcurrency(n int) Option {
	return func(h *Handler) { h.concurrency = n }
}

// WithLogger sets the logger for the summary line that each batch logs.
//
// Default: JSON lines on standard output (slog.NewJSONHandler(os.Stdout)).
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) { h.logger = l }
}

// WithMetrics sets where each batch writes its CloudWatch Embedded Metric
// Format line, and the metrics' namespace (1-255 characters). Lambda sends
// standard output to CloudWatch Logs, which extracts the metrics; pass
// io.Discard to publish none.
//
// Default: os.Stdout and the namespace "StandardStream".
func WithMetrics(w io.Writer, namespace string) Option {
	return func(h *Handler) { h.metrics, h.namespace = w, namespace }
}

// WithDeadlineMargin sets how long before the invocation's deadline the
// Handler stops starting records, so that records in flight can finish and
// the rest are checkpointed instead of timing out the whole batch. It must
// cover the slowest record; d must not be negative.
//
// Default: 5 s, or a tenth of the time the invocation has left when it
// starts if that is less.
func WithDeadlineMargin(d time.Duration) Option {
	return func(h *Handler) { h.margin, h.marginSet = d, true }
}

// WithValidator checks each record's data before fn sees it; a record it
// rejects is a failure of that record, reported and skipping the rest of its
// key like any other. Package kinesisbatch/schema provides a JSON Schema
// validator; without this option records are not checked.
//
// Default: none.
func WithValidator(validate func(data []byte) error) Option {
	return func(h *Handler) { h.validator, h.validatorSet = validate, true }
}

// New returns a Handler that calls fn for each record. It panics when an
// option is invalid, naming the option and the value.
func New(fn Func, opts ...Option) *Handler {
	h := &Handler{
		fn:          fn,
		concurrency: 1,
		logger:      slog.New(slog.NewJSONHandler(os.Stdout, nil)),
		metrics:     os.Stdout,
		namespace:   defaultNamespace,
		now:         time.Now,
	}
	for _, o := range opts {
		o(h)
	}
	if err := h.validate(); err != nil {
		panic(err)
	}
	h.decoders.New = func() any { return new(decoder) }
	h.scratch.New = func() any { return new(scratch) }
	return h
}

func (h *Handler) validate() error {
	switch {
	case h.fn == nil:
		return fmt.Errorf("kinesisbatch: New: fn is nil")
	case h.concurrency < 1:
		return fmt.Errorf("kinesisbatch: WithConcurrency: n must be at least 1, got %d", h.concurrency)
	case h.logger == nil:
		return fmt.Errorf("kinesisbatch: WithLogger: logger is nil")
	case h.metrics == nil:
		return fmt.Errorf("kinesisbatch: WithMetrics: writer is nil")
	case h.namespace == "" || len(h.namespace) > maxNamespace:
		return fmt.Errorf("kinesisbatch: WithMetrics: namespace must be 1-%d characters, got %d", maxNamespace, len(h.namespace))
	case h.validatorSet && h.validator == nil:
		return fmt.Errorf("kinesisbatch: WithValidator: validate is nil")
	case h.margin < 0:
		return fmt.Errorf("kinesisbatch: WithDeadlineMargin: margin must not be negative, got %v", h.margin)
	}
	return nil
}

// Invoke handles one Lambda Kinesis event and returns the partial batch
// response, {"batchItemFailures":[{"itemIdentifier":"<sequence number>"},...]},
// listing every record that failed or was not handled; an empty list means
// the whole batch succeeded. It returns an error only for a payload that is
// not a Kinesis event, which Lambda retries as a whole.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := h.now()
	d := h.decoders.Get().(*decoder)
	defer func() {
		d.release()
		h.decoders.Put(d)
	}()
	recs, err := d.decode(payload)
	if err != nil {
		err = fmt.Errorf("kinesisbatch: decode payload: %w", err)
		h.logger.LogAttrs(ctx, slog.LevelError, "kinesis batch rejected",
			slog.Int("payload_bytes", len(payload)), slog.String("error", err.Error()))
		return nil, err
	}

	sc := h.scratch.Get().(*scratch)
	defer h.scratch.Put(sc)
	b := newBatch(recs, sc)
	b.run(ctx, h, start)
	resp := b.response()
	h.report(ctx, b, start)
	return resp, nil
}

// deadlineMargin returns the margin for an invocation with left time left.
func (h *Handler) deadlineMargin(left time.Duration) time.Duration {
	if h.marginSet {
		return h.margin
	}
	return min(defaultMargin, left/10)
}
