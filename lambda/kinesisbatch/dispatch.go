package kinesisbatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// state is what became of a record in this invocation.
type state uint8

const (
	pending state = iota
	handled
	failed
	skipped // after a failure of its key, or at the deadline
)

// scratch is the working memory of one batch, reused across invocations.
type scratch struct {
	state     []state
	next      []int32 // the next record with the same partition key, or -1
	ready     []int32 // min-heap of records whose predecessors are handled
	lastOfKey map[string]int32
}

// failure is a record that failed.
type failure struct {
	index int
	err   error
}

// panicError is a panic recovered from a Func.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return "panic: " + valueText(e.value) }

// errGoexit fails a record whose Func (or validator) called runtime.Goexit,
// as t.FailNow does: the goroutine ends, so the call never returns.
var errGoexit = errors.New("Func called runtime.Goexit")

// batch dispatches the records of one invocation. Records are sorted by
// sequence number; each partition key is a chain of records, and a record
// becomes ready when the one before it in its chain has been handled. Free
// workers always take the ready record with the lowest sequence number, so
// that at a deadline the checkpoint is as far on as it can be.
type batch struct {
	recs    []Record
	corrupt map[int]error // aggregates that could not be split, by index
	*scratch

	mu       sync.Mutex
	cond     sync.Cond
	inflight int
	started  int
	stopped  bool // the deadline came or ctx was cancelled

	cutoff    time.Time
	hasCutoff bool

	failures       []failure
	skippedByError int
	atDeadline     int // records left pending when the batch stopped
}

func newBatch(recs []Record, sc *scratch) *batch {
	// Lambda delivers a shard's records in order, so sorting is a check.
	if !slices.IsSortedFunc(recs, compareSeq) {
		slices.SortStableFunc(recs, compareSeq)
	}
	b := &batch{recs: recs, scratch: sc}
	b.cond.L = &b.mu
	if slices.ContainsFunc(recs, func(r Record) bool { return isAggregated(r.Data) }) {
		b.expand()
	}

	n := len(b.recs)
	b.state = slices.Grow(b.state[:0], n)[:n]
	clear(b.state)
	b.next = slices.Grow(b.next[:0], n)[:n]
	b.ready = b.ready[:0]
	if b.lastOfKey == nil {
		b.lastOfKey = make(map[string]int32)
	}
	clear(b.lastOfKey)
	for i := range b.recs {
		b.next[i] = -1
		key := b.recs[i].PartitionKey
		if last, ok := b.lastOfKey[key]; ok {
			b.next[last] = int32(i)
		} else {
			b.ready = append(b.ready, int32(i)) // ascending: already a heap
		}
		b.lastOfKey[key] = int32(i)
	}
	return b
}

// expand replaces each KPL aggregate by its user records.
func (b *batch) expand() {
	out := make([]Record, 0, len(b.recs))
	for _, r := range b.recs {
		if !isAggregated(r.Data) {
			out = append(out, r)
			continue
		}
		var err error
		if out, err = deaggregate(out, r); err != nil {
			if b.corrupt == nil {
				b.corrupt = make(map[int]error)
			}
			b.corrupt[len(out)] = err
			out = append(out, r)
		}
	}
	b.recs = out
}

// compareSeq orders records by sequence number, then sub-sequence number.
// Sequence numbers are decimal strings without leading zeros.
func compareSeq(a, b Record) int {
	if c := cmp.Compare(len(a.SequenceNumber), len(b.SequenceNumber)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.SequenceNumber, b.SequenceNumber); c != 0 {
		return c
	}
	return cmp.Compare(a.SubSequenceNumber, b.SubSequenceNumber)
}

// run handles the records on up to h.concurrency goroutines. Every worker
// is a goroutine of its own, so that a Func calling runtime.Goexit ends a
// worker, which is replaced, and never the caller of Invoke.
func (b *batch) run(ctx context.Context, h *Handler, start time.Time) {
	if dl, ok := ctx.Deadline(); ok {
		b.cutoff, b.hasCutoff = dl.Add(-h.deadlineMargin(dl.Sub(start))), true
	}
	var wg sync.WaitGroup
	for range min(h.concurrency, len(b.ready)) {
		wg.Go(func() { b.work(ctx, h, &wg) })
	}
	wg.Wait()
	for i, s := range b.state {
		if s == pending {
			b.state[i] = skipped
			b.atDeadline++
		}
	}
}

// work takes ready records until none are left or the batch stops.
func (b *batch) work(ctx context.Context, h *Handler, wg *sync.WaitGroup) {
	running := int32(-1) // the record whose Func runs, without the lock
	defer func() {
		if running < 0 {
			return
		}
		// The Func called runtime.Goexit: deferred calls run, but this
		// goroutine ends whatever they do. Fail the record and start a
		// worker in its place, before wg's Done of this one runs.
		b.mu.Lock()
		b.settle(running, errGoexit)
		wg.Go(func() { b.work(ctx, h, wg) })
		b.mu.Unlock()
	}()

	b.mu.Lock()
	for {
		for len(b.ready) == 0 && b.inflight > 0 && !b.stopped {
			b.cond.Wait()
		}
		if len(b.ready) == 0 || b.stopped {
			break
		}
		// The first record always starts, so that a margin longer than the
		// whole timeout still lets the shard make progress.
		if ctx.Err() != nil || b.started > 0 && b.hasCutoff && !h.now().Before(b.cutoff) {
			b.stopped = true
			break
		}
		i := b.pop()
		b.started++
		b.inflight++
		b.mu.Unlock()
		err := b.corrupt[int(i)]
		if err == nil {
			running = i
			err = h.call(ctx, b.recs[i])
			running = -1
		}
		b.mu.Lock()
		b.settle(i, err)
	}
	b.cond.Broadcast()
	b.mu.Unlock()
}

// settle records the outcome of record i, which was in flight, and wakes
// the workers. b.mu is held.
func (b *batch) settle(i int32, err error) {
	b.inflight--
	if err == nil {
		b.state[i] = handled
		if n := b.next[i]; n >= 0 {
			b.push(n)
		}
	} else {
		b.state[i] = failed
		b.failures = append(b.failures, failure{int(i), err})
		for n := b.next[i]; n >= 0; n = b.next[n] {
			b.state[n] = skipped
			b.skippedByError++
		}
	}
	b.cond.Broadcast()
}

// call calls the Func, turning a panic into an error.
func (h *Handler) call(ctx context.Context, r Record) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	if h.validator != nil {
		if err := h.validator(r.Data); err != nil {
			return &invalidError{err}
		}
	}
	return h.fn(ctx, r)
}

// invalidError is a record the validator rejected.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return "invalid record: " + errorText(e.err) }
func (e *invalidError) Unwrap() error { return e.err }

// errorText returns err.Error(), or, when that panics (a typed nil error
// whose method dereferences its receiver, say), a text naming err's type
// and the panic. A Func's error must never fail the batch.
func errorText(err error) (s string) {
	defer func() {
		if v := recover(); v != nil {
			s = fmt.Sprintf("%T whose Error method panicked: %s", err, valueText(v))
		}
	}()
	return err.Error()
}

// valueText formats a value the way %v does, or, when its Error or String
// method panics, names its type. fmt itself prints a nil pointer whose
// method panics as "<nil>", which hides the type, and repanics when the
// panic's own value panics.
func valueText(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("%T whose Error or String method panicked", v)
		}
	}()
	switch x := v.(type) {
	case error:
		return errorText(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func (b *batch) push(i int32) {
	h := append(b.ready, i)
	for j := len(h) - 1; j > 0; {
		p := (j - 1) / 2
		if h[p] <= h[j] {
			break
		}
		h[p], h[j] = h[j], h[p]
		j = p
	}
	b.ready = h
}

func (b *batch) pop() int32 {
	h := b.ready
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for j := 0; ; {
		l := 2*j + 1
		if l >= len(h) {
			break
		}
		if r := l + 1; r < len(h) && h[r] < h[l] {
			l = r
		}
		if h[j] <= h[l] {
			break
		}
		h[j], h[l] = h[l], h[j]
		j = l
	}
	b.ready = h
	return top
}

// response is the partial batch response: the sequence number of every
// record that failed or was skipped, lowest first and each once. Lambda
// resumes the shard at the lowest.
func (b *batch) response() []byte {
	out := append(make([]byte, 0, 64), `{"batchItemFailures":[`...)
	last := ""
	for i, s := range b.state {
		if s != failed && s != skipped {
			continue
		}
		// User records of one aggregate share its sequence number.
		seq := b.recs[i].SequenceNumber
		if seq == last {
			continue
		}
		if last != "" {
			out = append(out, ',')
		}
		// Sequence numbers are checked to be decimal: nothing to escape.
		out = append(out, `{"itemIdentifier":"`...)
		out = append(out, seq...)
		out = append(out, `"}`...)
		last = seq
	}
	return append(out, "]}"...)
}
