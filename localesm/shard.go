package localesm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// shard is the state of one shard. idle and closed are guarded by the
// Runner's mu.
type shard struct {
	src    source
	behind atomic.Int64

	idle   uint64 // ticket of the latest empty GetRecords with nothing in flight
	closed bool   // the shard is closed and all its records dealt with
}

// page is the result of one GetRecords call, passed from a shard's reader
// to its processor.
type page struct {
	recs   []record
	ticket uint64
	tip    bool // the call found no records and reported none behind
	end    bool // the shard is closed: no page follows
}

// read reads sh from TRIM_HORIZON into pages until the shard ends or ctx is
// cancelled. Reading runs ahead of processing by up to cap(pages) pages, so
// that a GetRecords call overlaps an invocation.
func (r *Runner) read(ctx context.Context, sh *shard, pages chan<- page) error {
	defer close(pages)
	iter, err := r.iterator(ctx, sh, "")
	if err != nil {
		return err
	}
	last := ""
	failures := 0 // GetRecords calls failed in a row
	for {
		ticket := r.tickets.Add(1)
		out, err := r.client.GetRecords(ctx, &kinesis.GetRecordsInput{
			ShardIterator: iter,
			Limit:         aws.Int32(int32(r.batchSize)),
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			var expired *types.ExpiredIteratorException
			var throttled *types.ProvisionedThroughputExceededException
			switch {
			case errors.As(err, &expired):
				// Iterators expire after 5 minutes; one that waited out a
				// long retry loop is renewed where reading stopped.
				if iter, err = r.iterator(ctx, sh, last); err != nil {
					return err
				}
			case errors.As(err, &throttled):
				r.stats.readRetries.Add(1)
				r.logger.LogAttrs(ctx, slog.LevelWarn, "localesm: GetRecords throttled",
					slog.String("shard", sh.src.shardID))
				if !sleep(ctx, r.poll) {
					return nil
				}
			case transient(err):
				// Like Lambda, the runner keeps polling through errors that
				// may pass: a server fault, a connection reset.
				r.stats.readRetries.Add(1)
				r.logger.LogAttrs(ctx, slog.LevelWarn, "localesm: GetRecords failed; retrying",
					slog.String("shard", sh.src.shardID), slog.String("error", err.Error()))
				if !sleep(ctx, backoff(failures)) {
					return nil
				}
			default:
				return fmt.Errorf("localesm: get records of %s: %w", sh.src.shardID, err)
			}
			continue
		}
		failures = 0
		sh.behind.Store(aws.ToInt64(out.MillisBehindLatest))

		p := page{ticket: ticket, recs: make([]record, 0, len(out.Records))}
		p.tip = len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0
		for _, kr := range out.Records {
			rec, err := newRecord(sh.src, kr)
			if err != nil {
				return fmt.Errorf("localesm: shard %s: %w", sh.src.shardID, err)
			}
			p.recs = append(p.recs, rec)
			last = rec.seq
		}
		r.stats.read.Add(int64(len(p.recs)))
		iter = out.NextShardIterator
		p.end = iter == nil
		select {
		case pages <- p:
		case <-ctx.Done():
			return nil
		}
		if p.end {
			return nil
		}
		// A page short of the limit means the reader has caught up with
		// the shard: like Lambda, it polls again at the base rate instead
		// of at once, which would return a record or two per call.
		if len(p.recs) < r.batchSize && !sleep(ctx, r.poll) {
			return nil
		}
	}
}

// iterator returns a shard iterator at TRIM_HORIZON, or after the sequence
// number after when it is not empty.
func (r *Runner) iterator(ctx context.Context, sh *shard, after string) (*string, error) {
	in := &kinesis.GetShardIteratorInput{
		StreamName:        aws.String(r.stream),
		ShardId:           aws.String(sh.src.shardID),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	}
	if after != "" {
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(after)
	}
	for attempt := 1; ; attempt++ {
		out, err := r.client.GetShardIterator(ctx, in)
		if err == nil {
			return out.ShardIterator, nil
		}
		err = fmt.Errorf("localesm: shard iterator of %s: %w", sh.src.shardID, err)
		if ctx.Err() != nil || !transient(err) {
			return nil, err
		}
		r.stats.readRetries.Add(1)
		r.logger.LogAttrs(ctx, slog.LevelWarn, "localesm: GetShardIterator failed; retrying",
			slog.String("shard", sh.src.shardID), slog.String("error", err.Error()))
		if !sleep(ctx, backoff(attempt)) {
			return nil, err
		}
	}
}

// transientErrors are the errors the AWS SDK's standard retryer retries:
// throttling, HTTP 500, 502, 503 and 504, connection errors.
var transientErrors = retry.IsErrorRetryables(retry.DefaultRetryables)

// transient reports whether a Kinesis call that failed with err may
// succeed when made again.
func transient(err error) bool {
	return transientErrors.IsErrorRetryable(err) == aws.TrueTernary
}

// process forms batches from pages and delivers them, one at a time. When
// the shard is closed and every record of it dealt with, it marks the shard
// done.
func (r *Runner) process(ctx context.Context, sh *shard, pages <-chan page) error {
	var pending []record
	var end *page // the shard's last page, once read
	for {
		if len(pending) == 0 {
			if end != nil {
				r.markIdle(sh, end.ticket, true)
				return nil
			}
			var p page
			var ok bool
			select {
			case p, ok = <-pages:
			case <-ctx.Done():
				return nil
			}
			if !ok {
				return nil // the reader stopped; it reports why
			}
			if p.end {
				end = &p
			}
			if len(p.recs) == 0 {
				if p.tip && !p.end {
					r.markIdle(sh, p.ticket, false)
				}
				continue
			}
			pending = p.recs
		}
		if end == nil {
			pending, end = r.gather(ctx, pending, pages)
		}
		n := r.cut(pending)
		if err := r.deliver(ctx, sh, pending[:n]); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		pending = pending[n:]
	}
}

// gather adds pages to pending until it holds a full batch, or the batching
// window since the call has passed; with no window it takes only pages that
// are already read. It returns the shard's last page when it read it: no
// page follows that one.
func (r *Runner) gather(ctx context.Context, pending []record, pages <-chan page) ([]record, *page) {
	var timeout <-chan time.Time
	if r.window > 0 {
		t := time.NewTimer(r.window)
		defer t.Stop()
		timeout = t.C
	}
	for len(pending) < r.batchSize && r.cut(pending) == len(pending) {
		var p page
		var ok bool
		if timeout == nil {
			select {
			case p, ok = <-pages:
			default:
				return pending, nil
			}
		} else {
			select {
			case p, ok = <-pages:
			case <-timeout:
				return pending, nil
			case <-ctx.Done():
				return pending, nil
			}
		}
		if !ok {
			return pending, nil
		}
		pending = append(pending, p.recs...)
		if p.end {
			return pending, &p
		}
	}
	return pending, nil
}

// cut returns how many records of recs, from the start, form the next
// batch: at most the batch size, and an event within Lambda's payload limit.
func (r *Runner) cut(recs []record) int {
	size := eventOverhead
	for i, rec := range recs {
		size += len(rec.json) + perRecord
		if i == r.batchSize || (size > maxPayload && i > 0) {
			return i
		}
	}
	return len(recs)
}

// attempt is a run of records to invoke, and what they have been through.
type attempt struct {
	recs    []record
	retries int // retries used so far
	invokes int // invocations that included these records so far
}

// deliver invokes the handler with batch until every record is checkpointed
// or given up, following Lambda's rules (see the package documentation).
// Records are dealt with strictly in order, so that the records of a
// partition key reach the function in order across retries and bisection.
func (r *Runner) deliver(ctx context.Context, sh *shard, batch []record) error {
	work := []attempt{{recs: batch}}
	for len(work) > 0 && ctx.Err() == nil {
		a := work[0]
		work = work[1:]

		if r.maxAge > 0 {
			// Records age out from the front: a shard is in arrival order.
			now := r.now()
			n := 0
			for n < len(a.recs) && now.Sub(a.recs[n].arrival) > r.maxAge {
				n++
			}
			if n > 0 {
				if err := r.giveUp(ctx, sh, a.recs[:n], RecordAgeExceeded, a.invokes, nil); err != nil {
					return err
				}
				if a.recs = a.recs[n:]; len(a.recs) == 0 {
					continue
				}
			}
		}

		res := r.invoke(ctx, a.recs)
		a.invokes++
		switch {
		case res.failedAt < 0:
			r.stats.checkpointed.Add(int64(len(a.recs)))

		case res.partial:
			// A partial batch response: the checkpoint moves to the lowest
			// failed record, and the records from there are retried.
			r.stats.checkpointed.Add(int64(res.failedAt))
			rest := attempt{recs: a.recs[res.failedAt:], retries: a.retries + 1, invokes: a.invokes}
			if r.exhausted(a.retries) {
				if err := r.giveUp(ctx, sh, rest.recs, RetryAttemptsExhausted, a.invokes, &ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST"}); err != nil {
					return err
				}
				continue
			}
			work = append([]attempt{rest}, work...)
			r.retry(ctx, rest.retries)

		case res.functionError && r.bisect && len(a.recs) > 1:
			// Splitting does not consume the retry quota; halves go in
			// order, the first one finished before the second starts.
			mid := len(a.recs) / 2
			r.stats.bisections.Add(1)
			work = append([]attempt{
				{recs: a.recs[:mid], retries: a.retries, invokes: a.invokes},
				{recs: a.recs[mid:], retries: a.retries, invokes: a.invokes},
			}, work...)

		default:
			// The whole batch failed.
			resp := &ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST"}
			if res.functionError {
				resp.FunctionError = "Unhandled"
			}
			if r.exhausted(a.retries) {
				if err := r.giveUp(ctx, sh, a.recs, RetryAttemptsExhausted, a.invokes, resp); err != nil {
					return err
				}
				continue
			}
			a.retries++
			work = append([]attempt{a}, work...)
			r.retry(ctx, a.retries)
		}
	}
	return nil
}

// exhausted reports whether a batch that has used retries retries may not
// be retried again.
func (r *Runner) exhausted(retries int) bool {
	return r.maxRetries >= 0 && retries >= r.maxRetries
}

// retry counts the nth retry of a batch and waits its backoff.
func (r *Runner) retry(ctx context.Context, n int) {
	r.stats.retries.Add(1)
	sleep(ctx, r.retryDelay(n))
}

// result is the outcome of one invocation.
type result struct {
	// failedAt is the index of the first record to retry: -1 when the
	// batch succeeded, 0 when all of it failed.
	failedAt      int
	partial       bool // the response reported failed records
	functionError bool // the function returned an error, panicked or timed out
}

// invoke calls the handler with recs and judges its response as Lambda does.
func (r *Runner) invoke(ctx context.Context, recs []record) result {
	r.stats.invocations.Add(1)
	// Cancelling Run does not cut an invocation short; its deadline does.
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	resp, err := r.call(ictx, payload(recs))
	if err == nil && ictx.Err() != nil {
		err = fmt.Errorf("task timed out after %v", r.timeout)
	}
	if err != nil {
		r.stats.functionErrors.Add(1)
		return result{failedAt: 0, functionError: true}
	}
	if !r.reportFailures {
		return result{failedAt: -1}
	}
	at, ok := failedAt(resp, recs)
	switch {
	case !ok:
		r.stats.invalid.Add(1)
		return result{failedAt: 0}
	case at >= 0:
		r.stats.partial.Add(1)
		return result{failedAt: at, partial: true}
	}
	return result{failedAt: -1}
}

// call invokes the handler, turning a panic into an error as the Lambda
// runtime does.
func (r *Runner) call(ctx context.Context, p []byte) (resp []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %s\n%s", panicText(v), debug.Stack())
		}
	}()
	return r.handler.Invoke(ctx, p)
}

// panicText formats a panic's value as %v does, or names its type when
// formatting it panics too (fmt repanics then).
func panicText(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("%T whose Error or String method panicked", v)
		}
	}()
	return fmt.Sprint(v)
}

// failedAt reads a partial batch response: the index in recs of the lowest
// reported record, or -1 when none is reported. ok is false when Lambda
// would fail the whole batch: an itemIdentifier that is missing, null,
// empty or not in the batch, or a response that is not JSON. A null or
// empty response, or one without batchItemFailures, reports none.
func failedAt(resp []byte, recs []record) (at int, ok bool) {
	var r struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(resp) > 0 {
		if err := json.Unmarshal(resp, &r); err != nil {
			return 0, false
		}
	}
	if len(r.BatchItemFailures) == 0 {
		return -1, true
	}
	index := make(map[string]int, len(recs))
	for i, rec := range recs {
		index[rec.seq] = i
	}
	at = len(recs)
	for _, f := range r.BatchItemFailures {
		if f.ItemIdentifier == nil {
			return 0, false
		}
		i, found := index[*f.ItemIdentifier]
		if !found {
			return 0, false
		}
		at = min(at, i)
	}
	return at, true
}

// giveUp sends recs to the failure destination, and moves the checkpoint
// past them.
func (r *Runner) giveUp(ctx context.Context, sh *shard, recs []record, condition string, invokes int, resp *ResponseContext) error {
	r.stats.givenUp.Add(int64(len(recs)))
	first, last := recs[0], recs[len(recs)-1]
	r.logger.LogAttrs(ctx, slog.LevelWarn, "localesm: records given up",
		slog.String("shard", sh.src.shardID),
		slog.String("condition", condition),
		slog.Int("records", len(recs)),
		slog.String("start_sequence_number", first.seq),
		slog.Int("invocations", invokes))
	if r.dest == nil {
		return nil
	}
	f := &Failure{
		RequestContext: RequestContext{
			RequestID:              newUUID(),
			FunctionArn:            "arn:aws:lambda:" + sh.src.region + ":" + sh.src.account + ":function:localesm",
			Condition:              condition,
			ApproximateInvokeCount: invokes,
		},
		ResponseContext: resp,
		Version:         "1.0",
		Timestamp:       Timestamp(r.now()),
		KinesisBatchInfo: BatchInfo{
			ShardID:                         sh.src.shardID,
			StartSequenceNumber:             first.seq,
			EndSequenceNumber:               last.seq,
			ApproximateArrivalOfFirstRecord: Timestamp(first.arrival),
			ApproximateArrivalOfLastRecord:  Timestamp(last.arrival),
			BatchSize:                       len(recs),
			StreamArn:                       sh.src.streamARN,
		},
		Payload:     payload(recs),
		MappingUUID: r.uuid,
	}
	// The write completes even when Run is being cancelled: the records
	// are already past the checkpoint.
	if err := r.dest.Put(context.WithoutCancel(ctx), f); err != nil {
		return fmt.Errorf("localesm: shard %s: write %d records to the failure destination: %w", sh.src.shardID, len(recs), err)
	}
	return nil
}

// sleep waits d, and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
