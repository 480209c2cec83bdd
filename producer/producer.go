package producer

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Client is the part of the Kinesis API the producer uses. *kinesis.Client
// from github.com/aws/aws-sdk-go-v2/service/kinesis implements it.
type Client interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// A Producer batches records into PutRecords requests for one stream and
// retries what fails, keeping each partition key's order. Its methods are
// safe for use by many goroutines. Close must be called to deliver the last
// records and stop its goroutines.
type Producer struct {
	client     Client
	cfg        config
	streamName *string // one of these two is set
	streamARN  *string

	wake       chan struct{} // capacity 1: something changed, run should look
	quit       chan struct{} // closed by Close: run returns
	runDone    chan struct{}
	sendCtx    context.Context // cancelled when Close gives up
	cancelSend context.CancelFunc
	senders    sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	mu           sync.Mutex
	closed       bool
	keys         map[string]*keyState
	free         []*keyState // keyStates to reuse
	ready        readyHeap
	readyBytes   int
	backoff      backoffHeap
	inFlight     int // requests
	nextSeq      uint64
	outstanding  int           // records put and not done (delivered, or given up and reported)
	space        chan struct{} // closed and replaced when buffer space is freed
	spaceWaiters int
	flushers     []*flushWaiter
	stats        Stats
	failed       DeliveryError // every record given up on, for Close
}

// A flushWaiter is a Flush (or Close) waiting for the records put before it.
type flushWaiter struct {
	upto      uint64 // records with seq < upto
	remaining int
	done      chan struct{}
	failed    DeliveryError
}

// New returns a producer that writes to stream, a stream name or ARN
// (arn:aws:kinesis:<region>:<account>:stream/<name>; AWS recommends the
// ARN). It starts a goroutine; call Close when done. New returns an error
// naming every invalid argument and option.
func New(client Client, stream string, opts ...Option) (*Producer, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	var errClient error
	if client == nil {
		errClient = errors.New("producer: client is nil")
	}
	name, arn, errStream := parseStream(stream)
	if err := errors.Join(errClient, errStream, cfg.validate()); err != nil {
		return nil, err
	}
	p := &Producer{
		client:     client,
		cfg:        cfg,
		streamName: name,
		streamARN:  arn,
		wake:       make(chan struct{}, 1),
		quit:       make(chan struct{}),
		runDone:    make(chan struct{}),
		keys:       make(map[string]*keyState),
		space:      make(chan struct{}),
	}
	p.sendCtx, p.cancelSend = context.WithCancel(context.Background())
	go p.run()
	return p, nil
}

// parseStream checks a stream name or ARN against the CreateStream and
// PutRecords constraints: a name is 1 to 128 characters of a-z, A-Z, 0-9,
// '_', '.' and '-'; an ARN is at most 2048 characters.
func parseStream(s string) (name, arn *string, err error) {
	if s == "" {
		return nil, nil, errors.New("producer: stream name is empty")
	}
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(s) > 2048 || len(parts) != 6 || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") {
			return nil, nil, fmt.Errorf("producer: stream ARN %q is not a Kinesis stream ARN, want arn:<partition>:kinesis:<region>:<account>:stream/<name>", s)
		}
		if _, _, err := parseStream(strings.TrimPrefix(parts[5], "stream/")); err != nil {
			return nil, nil, fmt.Errorf("producer: stream ARN %q: %w", s, err)
		}
		return nil, &s, nil
	}
	if n := utf8.RuneCountInString(s); n > 128 {
		return nil, nil, fmt.Errorf("producer: stream name %q has %d characters, want at most 128", s, n)
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return nil, nil, fmt.Errorf("producer: stream name %q has invalid character %q at byte %d, want a-z, A-Z, 0-9, '_', '.' or '-'", s, c, i)
		}
	}
	return &s, nil, nil
}

// checkRecord rejects what Kinesis would reject in a whole request.
func (p *Producer) checkRecord(key string, dataLen int) error {
	if key == "" {
		return fmt.Errorf("producer: put: %w: empty, want 1 to %d Unicode characters", ErrInvalidPartitionKey, maxPartitionKeyChars)
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("producer: put: %w %s: not valid UTF-8", ErrInvalidPartitionKey, quoteKey(key))
	}
	// Kinesis counts Unicode characters: the API reference's length
	// constraint on PartitionKey is Smithy's @length, which counts Unicode
	// scalar values, so a character outside the Basic Multilingual Plane
	// is one character (four UTF-8 bytes, two UTF-16 code units).
	if len(key) > maxPartitionKeyChars {
		if n := utf8.RuneCountInString(key); n > maxPartitionKeyChars {
			return fmt.Errorf("producer: put: %w %s: %d characters, want 1 to %d", ErrInvalidPartitionKey, quoteKey(key), n, maxPartitionKeyChars)
		}
	}
	if size := len(key) + dataLen; size > p.cfg.maxRecord {
		return fmt.Errorf("producer: put: %w: key %s: %d bytes (partition key %d + data %d), more than the stream's maximum record size of %d bytes (WithMaxRecordSize)",
			ErrRecordTooLarge, quoteKey(key), size, len(key), dataLen, p.cfg.maxRecord)
	}
	return nil
}

// quoteKey quotes a partition key for an error message, shortened.
func quoteKey(key string) string {
	const max = 40
	if len(key) <= max {
		return fmt.Sprintf("%q", key)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(key[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...", key[:cut])
}

// Put adds a record to the buffer and returns; the producer sends it in a
// batch later (see [WithLinger]). It returns an error at once for a record
// Kinesis would reject: an empty or too long partition key
// ([ErrInvalidPartitionKey]) or a record over the stream's maximum record
// size ([ErrRecordTooLarge]). When the buffer is full (see
// [WithMaxBufferedBytes]) Put blocks until there is room; if ctx ends
// first, it returns an error wrapping ctx's error and the record is not
// put. After Close it returns [ErrClosed].
//
// Records of one partition key are written in the order of their Put
// calls. The producer keeps data until the record is delivered or given
// up on; the caller must not modify it after Put. Nil data is an empty
// record, which Kinesis accepts: it is sent, and reported in a [Failure],
// as an empty, non-nil slice.
func (p *Producer) Put(ctx context.Context, partitionKey string, data []byte) error {
	if err := p.checkRecord(partitionKey, len(data)); err != nil {
		return err
	}
	if data == nil {
		// The AWS SDK rejects a whole PutRecords request before sending
		// it when one entry's Data is nil ("missing required field").
		data = []byte{}
	}
	size := len(partitionKey) + len(data)
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		if p.stats.BufferedBytes+int64(size) <= p.cfg.maxBuffered {
			break
		}
		space := p.space
		p.spaceWaiters++
		p.mu.Unlock()
		select {
		case <-space:
			p.mu.Lock()
			p.spaceWaiters--
		case <-ctx.Done():
			p.mu.Lock()
			p.spaceWaiters--
			p.mu.Unlock()
			return fmt.Errorf("producer: put: waiting for buffer space: %w", ctx.Err())
		}
	}
	ks := p.keys[partitionKey]
	if ks == nil {
		ks = p.newKey(partitionKey)
	}
	ks.queue = append(ks.queue, record{
		key:   partitionKey,
		data:  data,
		size:  size,
		seq:   p.nextSeq,
		putAt: p.cfg.clock.Now(),
	})
	p.nextSeq++
	p.outstanding++
	p.stats.RecordsPut++
	p.stats.BufferedRecords++
	p.stats.BufferedBytes += int64(size)
	signal := false
	if ks.len() == 1 {
		// A new key: nothing of it is in flight or waiting. run needs to
		// know when there is a first record to linger on, and when a
		// request fills up; senders wake it when requests complete.
		wasFull := p.full()
		p.makeReady(ks)
		signal = len(p.ready) == 1 || p.cfg.linger == 0 || !wasFull && p.full()
	}
	p.mu.Unlock()
	if signal {
		p.signal()
	}
	return nil
}

// Flush sends the records put before the call without waiting for the
// linger interval, and waits until each is delivered or given up on. It
// returns a [*DeliveryError] if some of them could not be delivered, an
// error wrapping ctx's error if ctx ends first (the records stay buffered
// and are still sent), or [ErrClosed] after Close.
func (p *Producer) Flush(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	w := p.addFlusher()
	p.mu.Unlock()
	if w == nil {
		return nil
	}
	p.signal()
	select {
	case <-w.done:
	case <-ctx.Done():
		p.mu.Lock()
		waiting := p.removeFlusher(w)
		p.mu.Unlock()
		if waiting {
			return fmt.Errorf("producer: flush: %w", ctx.Err())
		}
	}
	w.failed.Op = "flush"
	return w.failed.orNil()
}

// Close stops accepting records, sends everything buffered (waiting out
// the backoff of records in retry) and returns when every record is
// delivered or given up on, and the producer's goroutines have ended. If
// ctx ends first, Close cancels the requests in flight and gives up on the
// records not yet delivered, reporting each as a [Failure] whose error
// wraps ctx's error. Close returns a [*DeliveryError] summarising every
// record the producer could not deliver during its life, or nil.
// Calling Close again returns the same result.
func (p *Producer) Close(ctx context.Context) error {
	p.closeOnce.Do(func() { p.closeErr = p.close(ctx) })
	return p.closeErr
}

func (p *Producer) close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	close(p.space) // blocked Puts wake up and see closed
	w := p.addFlusher()
	p.mu.Unlock()
	p.signal()

	var abandon error
	if w != nil {
		select {
		case <-w.done:
		case <-ctx.Done():
			select {
			case <-w.done:
			default:
				abandon = ctx.Err()
			}
		}
	}
	close(p.quit)
	p.cancelSend()
	<-p.runDone
	p.senders.Wait()
	if abandon != nil {
		p.abandon(abandon)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	p.failed.Op = "close"
	return p.failed.orNil()
}

// abandon gives up on every record still buffered, once nothing runs.
func (p *Producer) abandon(cause error) {
	p.mu.Lock()
	var recs []readyItem
	for _, ks := range p.keys {
		for _, r := range ks.queue[ks.head:] {
			recs = append(recs, readyItem{r.seq, ks})
		}
	}
	// Oldest first, so each record is the front of its key when released.
	slices.SortFunc(recs, func(a, b readyItem) int { return cmp.Compare(a.seq, b.seq) })
	// Nothing is sent any more; release must not find keys in the heaps.
	p.ready, p.backoff, p.readyBytes = nil, nil, 0
	const reason = "not sent before close"
	failures := make([]failure, len(recs))
	for i, it := range recs {
		r := it.ks.front()
		err := fmt.Errorf("producer: close: record not delivered before the context ended: %w", cause)
		failures[i] = failure{seq: r.seq, reason: reason, Failure: Failure{PartitionKey: r.key, Data: r.data, Attempts: r.attempts, Err: err}}
		p.giveUp(it.ks, reason, err)
	}
	p.mu.Unlock()
	p.report(failures)
}

// Stats returns a snapshot of the producer's counters.
func (p *Producer) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *Producer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run decides when to send what: it starts a request when one can be
// filled, when the oldest ready record has lingered long enough, or when a
// Flush or Close waits, and moves records whose backoff has passed back to
// the ready heap.
func (p *Producer) run() {
	defer close(p.runDone)
	for {
		p.mu.Lock()
		now := p.cfg.clock.Now()
		for len(p.backoff) > 0 && !p.backoff[0].readyAt.After(now) {
			p.makeReady(heap.Pop(&p.backoff).(*keyState))
		}
		for p.inFlight < p.cfg.maxInFlight && len(p.ready) > 0 && p.due(now) {
			b := p.takeBatch()
			p.inFlight++
			p.senders.Add(1)
			go p.send(b)
		}
		var next time.Time
		if len(p.backoff) > 0 {
			next = p.backoff[0].readyAt
		}
		if p.inFlight < p.cfg.maxInFlight && len(p.ready) > 0 {
			// Not due yet, or it would have been sent.
			if at := p.ready[0].ks.front().putAt.Add(p.cfg.linger); next.IsZero() || at.Before(next) {
				next = at
			}
		}
		p.mu.Unlock()

		var timer <-chan time.Time
		stop := func() bool { return false }
		if !next.IsZero() {
			timer, stop = p.cfg.clock.NewTimer(next.Sub(now))
		}
		select {
		case <-p.wake:
		case <-timer:
		case <-p.quit:
			stop()
			return
		}
		stop()
	}
}

// full says whether the ready records fill a request.
func (p *Producer) full() bool {
	return len(p.ready) >= maxRequestRecords || p.readyBytes >= maxRequestBytes
}

// due says whether to send a request now rather than wait for more records.
func (p *Producer) due(now time.Time) bool {
	return p.closed || len(p.flushers) > 0 || p.full() ||
		!now.Before(p.ready[0].ks.front().putAt.Add(p.cfg.linger))
}

// A batch is one PutRecords request: the front record of each key.
type batch struct {
	keys    []*keyState
	entries []types.PutRecordsRequestEntry
	pkeys   []string // the entries' PartitionKey point here
	bytes   int
}

// takeBatch takes the oldest ready records, one per key, up to the
// PutRecords limits: 500 entries and 5 MiB. A record over 5 MiB (possible
// with WithMaxRecordSize) goes alone.
func (p *Producer) takeBatch() *batch {
	n := min(len(p.ready), maxRequestRecords)
	b := &batch{
		keys:    make([]*keyState, 0, n),
		entries: make([]types.PutRecordsRequestEntry, 0, n),
		pkeys:   make([]string, n),
	}
	for len(p.ready) > 0 && len(b.keys) < n {
		ks := p.ready[0].ks
		r := ks.front()
		if len(b.keys) > 0 && b.bytes+r.size > maxRequestBytes {
			break
		}
		p.ready.pop()
		ks.state = sending
		r.attempts++
		p.readyBytes -= r.size
		b.bytes += r.size
		b.pkeys[len(b.keys)] = r.key
		b.entries = append(b.entries, types.PutRecordsRequestEntry{Data: r.data, PartitionKey: &b.pkeys[len(b.keys)]})
		b.keys = append(b.keys, ks)
	}
	return b
}

// A failure is a record given up on, to report outside the lock.
type failure struct {
	Failure
	seq    uint64
	reason string
}

// send makes one PutRecords call and settles each record: delivered,
// scheduled for another attempt, or given up on.
func (p *Producer) send(b *batch) {
	defer p.senders.Done()
	start := p.cfg.clock.Now()
	out, err := p.client.PutRecords(p.sendCtx, &kinesis.PutRecordsInput{
		StreamName: p.streamName,
		StreamARN:  p.streamARN,
		Records:    b.entries,
	})
	end := p.cfg.clock.Now()
	n := len(b.keys)
	if err == nil && (out == nil || len(out.Records) != n) {
		got := 0
		if out != nil {
			got = len(out.Records)
		}
		err = fmt.Errorf("response has %d entries for %d records", got, n)
	}
	info := RequestInfo{Records: n, Bytes: b.bytes, Latency: end.Sub(start), Err: err}
	// After Close gave up, records not delivered are left to abandon.
	aborted := err != nil && p.sendCtx.Err() != nil
	var failures []failure

	p.mu.Lock()
	p.inFlight--
	st := &p.stats
	st.Requests++
	st.Entries += int64(n)
	st.RequestLatency += info.Latency
	st.MaxRequestLatency = max(st.MaxRequestLatency, info.Latency)
	var reqRetryable bool
	var reqReason string
	if err != nil {
		st.RequestErrors++
		var throttled bool
		reqRetryable, throttled, reqReason = classifyRequestError(err)
		info.Failed = n
		if throttled {
			info.Throttled = n
			st.Throttles += int64(n)
		}
	}
	freed := false
	for i, ks := range b.keys {
		r := ks.front()
		var last error // the attempt's error, without context
		var retryable bool
		var reason string
		switch {
		case aborted:
			ks.state = waiting
			continue
		case err != nil:
			last, retryable, reason = err, reqRetryable, reqReason
		default:
			e := out.Records[i]
			if e.ErrorCode == nil || *e.ErrorCode == "" {
				st.RecordsSent++
				st.BytesSent += int64(r.size)
				seq := r.seq
				p.release(ks)
				p.done(seq, "", nil)
				freed = true
				continue
			}
			ee := &EntryError{Code: *e.ErrorCode}
			if e.ErrorMessage != nil {
				ee.Message = *e.ErrorMessage
			}
			info.Failed++
			if throttleCodes[ee.Code] {
				info.Throttled++
				st.Throttles++
			}
			last, retryable, reason = ee, retryableCode(ee.Code), ee.Code
		}
		if retryable && r.attempts < p.cfg.maxAttempts {
			st.Retries++
			ks.state = waiting
			ks.readyAt = end.Add(p.cfg.backoff(r.attempts))
			heap.Push(&p.backoff, ks)
			continue
		}
		var cause error
		switch {
		case retryable:
			reason = "attempts exhausted: " + reason
			cause = fmt.Errorf("producer: %w (%d of %d), last: %w", ErrAttemptsExhausted, r.attempts, p.cfg.maxAttempts, last)
		case err != nil:
			cause = fmt.Errorf("producer: put records: %w", last)
		default:
			cause = fmt.Errorf("producer: kinesis rejected the record: %w", last)
		}
		failures = append(failures, failure{seq: r.seq, reason: reason, Failure: Failure{PartitionKey: r.key, Data: r.data, Attempts: r.attempts, Err: cause}})
		p.giveUp(ks, reason, cause)
		freed = true
	}
	if freed && p.spaceWaiters > 0 && !p.closed {
		close(p.space)
		p.space = make(chan struct{})
	}
	p.mu.Unlock()
	p.signal()

	if p.cfg.onRequest != nil {
		p.cfg.onRequest(info)
	}
	p.report(failures)
}

// giveUp counts the front record of ks as failed and frees its place;
// report finishes it.
func (p *Producer) giveUp(ks *keyState, reason string, err error) {
	p.stats.Failures++
	p.failed.add(reason, err)
	p.release(ks)
}

// report passes records given up on to the WithOnFailure function, then
// marks them done, so that Flush and Close return after the calls.
func (p *Producer) report(failures []failure) {
	if len(failures) == 0 {
		return
	}
	if p.cfg.onFailure != nil {
		for _, f := range failures {
			p.cfg.onFailure(f.Failure)
		}
	}
	p.mu.Lock()
	for _, f := range failures {
		p.done(f.seq, f.reason, f.Err)
	}
	p.mu.Unlock()
}

// release removes the front record of ks, settled, from the buffer and
// lets the key's next record go.
func (p *Producer) release(ks *keyState) {
	p.stats.BufferedRecords--
	p.stats.BufferedBytes -= int64(ks.front().size)
	ks.popFront()
	if ks.len() > 0 {
		p.makeReady(ks)
		return
	}
	delete(p.keys, ks.key)
	ks.key = ""
	p.free = append(p.free, ks)
}

// done finishes record seq for the Flush and Close waiting for it.
func (p *Producer) done(seq uint64, reason string, err error) {
	p.outstanding--
	kept := p.flushers[:0]
	for _, w := range p.flushers {
		if seq < w.upto {
			if err != nil {
				w.failed.add(reason, err)
			}
			if w.remaining--; w.remaining == 0 {
				close(w.done)
				continue
			}
		}
		kept = append(kept, w)
	}
	clear(p.flushers[len(kept):])
	p.flushers = kept
}

// addFlusher registers a waiter for every record not done yet, or returns
// nil if there is none.
func (p *Producer) addFlusher() *flushWaiter {
	if p.outstanding == 0 {
		return nil
	}
	w := &flushWaiter{upto: p.nextSeq, remaining: p.outstanding, done: make(chan struct{})}
	p.flushers = append(p.flushers, w)
	return w
}

// removeFlusher drops a waiter that gave up; it reports whether it was
// still waiting.
func (p *Producer) removeFlusher(w *flushWaiter) bool {
	i := slices.Index(p.flushers, w)
	if i < 0 {
		return false
	}
	p.flushers = slices.Delete(p.flushers, i, i+1)
	return true
}

func (p *Producer) newKey(key string) *keyState {
	var ks *keyState
	if n := len(p.free); n > 0 {
		ks = p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
	} else {
		ks = &keyState{}
	}
	ks.key = key
	p.keys[key] = ks
	return ks
}

// makeReady puts a key whose front record may be sent in the ready heap.
func (p *Producer) makeReady(ks *keyState) {
	ks.state = ready
	r := ks.front()
	p.ready.push(readyItem{r.seq, ks})
	p.readyBytes += r.size
}
