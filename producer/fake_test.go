package producer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// hang bounds every wait in the tests. It is not a timing assertion: a
// correct producer gets there in microseconds, and a wrong one never does.
const hang = 20 * time.Second

// entry is a PutRecords entry as the fake saw it.
type entry struct{ key, data string }

// fakeClient is an in-process Kinesis: it checks each request against the
// PutRecords limits, accepts or fails entries as respond says, and keeps
// what it accepted, in order, as the stream.
type fakeClient struct {
	// respond returns, for call n (0-based), an error code per entry (""
	// for accepted) or an error for the whole call. nil accepts everything.
	respond func(call int, entries []entry) ([]string, error)
	// gate, if set, makes each call wait for a receive (or its context).
	gate chan struct{}
	// checkOrder checks that no key has two entries in one request and
	// that a key's entry is not sent while an earlier one that failed
	// retryably is not accepted yet. Turn it off where records are given up.
	checkOrder bool

	mu         sync.Mutex
	calls      [][]entry
	stream     []entry
	violations []string
	pending    map[string]string // key: data of its failed entry that must come next
	changed    chan struct{}
}

func newFakeClient() *fakeClient {
	return &fakeClient{checkOrder: true, pending: make(map[string]string), changed: make(chan struct{}, 1)}
}

func (f *fakeClient) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	entries := make([]entry, len(in.Records))
	bytes := 0
	for i, e := range in.Records {
		entries[i] = entry{key: *e.PartitionKey, data: string(e.Data)}
		bytes += len(*e.PartitionKey) + len(e.Data)
	}
	f.mu.Lock()
	call := len(f.calls)
	f.calls = append(f.calls, entries)
	f.check(in, entries, bytes)
	f.mu.Unlock()
	f.notify()

	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var codes []string
	var err error
	if f.respond != nil {
		codes, err = f.respond(call, entries)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	out := &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(entries))}
	failed := int32(0)
	for i, e := range entries {
		code := ""
		if err != nil {
			code = "request"
		} else if i < len(codes) {
			code = codes[i]
		}
		if code == "" {
			f.stream = append(f.stream, e)
			out.Records[i].SequenceNumber = new(strconv.Itoa(len(f.stream)))
			out.Records[i].ShardId = new("shardId-000000000000")
			if f.pending[e.key] == e.data {
				delete(f.pending, e.key)
			}
			continue
		}
		failed++
		if code == "request" || retryableCode(code) {
			f.pending[e.key] = e.data
		}
		out.Records[i].ErrorCode = new(code)
		out.Records[i].ErrorMessage = new("injected " + code)
	}
	if err != nil {
		return nil, err
	}
	out.FailedRecordCount = &failed
	return out, nil
}

// check records what Kinesis would reject, and order violations.
func (f *fakeClient) check(in *kinesis.PutRecordsInput, entries []entry, bytes int) {
	bad := func(format string, args ...any) {
		f.violations = append(f.violations, fmt.Sprintf("call %d: ", len(f.calls)-1)+fmt.Sprintf(format, args...))
	}
	if (in.StreamName == nil) == (in.StreamARN == nil) {
		bad("want exactly one of StreamName and StreamARN")
	}
	if len(entries) == 0 || len(entries) > 500 {
		bad("%d entries, want 1 to 500", len(entries))
	}
	if bytes > 5<<20 && len(entries) > 1 {
		bad("%d bytes in %d entries, want at most 5 MiB", bytes, len(entries))
	}
	seen := make(map[string]bool)
	for _, e := range entries {
		if n := utf8.RuneCountInString(e.key); n < 1 || n > 256 {
			bad("partition key of %d characters", n)
		}
		if !f.checkOrder {
			continue
		}
		if seen[e.key] {
			bad("key %q has two entries in one request", e.key)
		}
		seen[e.key] = true
		if p, ok := f.pending[e.key]; ok && p != e.data {
			bad("key %q: %q sent before the failed %q was accepted", e.key, e.data, p)
		}
	}
}

func (f *fakeClient) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until cond, called with f.mu held, is true.
func (f *fakeClient) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(hang)
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-f.changed:
		case <-deadline:
			t.Fatalf("still waiting for %s after %v", what, hang)
		}
	}
}

func (f *fakeClient) waitCalls(t *testing.T, n int) {
	t.Helper()
	f.waitFor(t, fmt.Sprintf("%d calls", n), func() bool { return len(f.calls) >= n })
}

func (f *fakeClient) numCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// callSizes is the number of entries of each call.
func (f *fakeClient) callSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []int
	for _, c := range f.calls {
		n = append(n, len(c))
	}
	return n
}

// assertValid fails the test on any request Kinesis would have rejected
// or any order violation.
func (f *fakeClient) assertValid(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.violations {
		t.Error(v)
	}
}

// assertStream checks that the stream holds, for every key, exactly the
// records put (data "key/i" for i = 0, 1, ...), once each and in order,
// except those in skip.
func (f *fakeClient) assertStream(t *testing.T, put map[string]int, skip map[string]bool) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	got := make(map[string][]string)
	for _, e := range f.stream {
		got[e.key] = append(got[e.key], e.data)
	}
	for key, n := range put {
		var want []string
		for i := range n {
			if d := fmt.Sprintf("%s/%d", key, i); !skip[d] {
				want = append(want, d)
			}
		}
		if !slices.Equal(got[key], want) {
			t.Errorf("key %q: got stream %s, want %s", key, short(got[key]), short(want))
		}
	}
	for key := range got {
		if _, ok := put[key]; !ok {
			t.Errorf("got key %q in the stream, never put", key)
		}
	}
}

func short(s []string) string {
	if len(s) > 12 {
		return fmt.Sprintf("%v ... (%d)", strings.Join(s[:12], " "), len(s))
	}
	return fmt.Sprint(s)
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{}
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), changed: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), c: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return t.c, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i >= 0 {
			c.timers = slices.Delete(c.timers, i, i+1)
		}
		return i >= 0
	}
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if t.at.After(c.now) {
			return false
		}
		t.c <- c.now
		return true
	})
}

// waitTimer waits until a timer for at is set: the producer has nothing
// to do until then.
func (c *fakeClock) waitTimer(t *testing.T, at time.Time) {
	t.Helper()
	deadline := time.After(hang)
	for {
		c.mu.Lock()
		ok := slices.ContainsFunc(c.timers, func(tm *fakeTimer) bool { return tm.at.Equal(at) })
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-c.changed:
		case <-deadline:
			t.Fatalf("no timer set for %v after %v", at, hang)
		}
	}
}

// withClock makes the producer use c.
func withClock(c clock) Option { return func(cfg *config) { cfg.clock = c } }

// withJitter replaces the random part of the backoff.
func withJitter(f func(n int64) int64) Option { return func(cfg *config) { cfg.jitter = f } }

// fastRetries makes retries wait microseconds, for tests that are about
// what is retried rather than when.
func fastRetries() Option { return WithBackoff(time.Microsecond, 10*time.Microsecond) }

// mustNew returns a producer that the test closes at its end if it did not.
func mustNew(t *testing.T, c Client, opts ...Option) *Producer {
	t.Helper()
	p, err := New(c, "orders", opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// putN puts n records "key/0" ... for each key, key by key round-robin.
func putN(t *testing.T, p *Producer, keys []string, n int) map[string]int {
	t.Helper()
	put := make(map[string]int)
	for i := range n {
		for _, k := range keys {
			if err := p.Put(context.Background(), k, fmt.Appendf(nil, "%s/%d", k, i)); err != nil {
				t.Fatalf("Put(%q): %v", k, err)
			}
			put[k]++
		}
	}
	return put
}

// failureLog collects what WithOnFailure reports.
type failureLog struct {
	mu sync.Mutex
	fs []Failure
}

func (l *failureLog) option() Option {
	return WithOnFailure(func(f Failure) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.fs = append(l.fs, f)
	})
}

func (l *failureLog) get() []Failure {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.fs)
}

func keysN(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	return keys
}

// instantRetries makes failed records ready again at once, all together,
// for tests that count requests.
func instantRetries() Option {
	return func(cfg *config) {
		WithBackoff(time.Nanosecond, time.Nanosecond)(cfg)
		cfg.jitter = func(int64) int64 { return 0 }
	}
}

// clientFunc accepts every record and shows each request to a function.
type clientFunc func(in *kinesis.PutRecordsInput)

func (f clientFunc) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f(in)
	return &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records))}, nil
}

// nopClient accepts every record at no cost, to measure the producer alone.
type nopClient struct{}

// accepted is a response to share: the producer only reads it.
var accepted = make([]types.PutRecordsResultEntry, 500)

func (nopClient) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	return &kinesis.PutRecordsOutput{Records: accepted[:len(in.Records)]}, nil
}

// sent is the data of every entry of every call, in call order.
func (f *fakeClient) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, c := range f.calls {
		for _, e := range c {
			s = append(s, e.data)
		}
	}
	return s
}
