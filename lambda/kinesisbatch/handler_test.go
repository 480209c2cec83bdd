package kinesisbatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

var _ lambda.Handler = (*Handler)(nil)

// quiet returns options that keep a test's logs and metrics out of its output.
func quiet() []Option {
	return []Option{WithLogger(slog.New(slog.DiscardHandler)), WithMetrics(io.Discard, "Test")}
}

// calls records which records a Func was called with, and checks that no
// two records of one key ever run at once.
type calls struct {
	mu       sync.Mutex
	got      []Record
	busy     map[string]bool
	inflight int
	peak     int
	overlap  []string // keys that ran twice at once
}

func (c *calls) start(r Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy == nil {
		c.busy = map[string]bool{}
	}
	if c.busy[r.PartitionKey] {
		c.overlap = append(c.overlap, r.PartitionKey)
	}
	c.busy[r.PartitionKey] = true
	c.inflight++
	c.peak = max(c.peak, c.inflight)
	c.got = append(c.got, r)
}

func (c *calls) end(r Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy[r.PartitionKey] = false
	c.inflight--
}

// seqs returns the sequence numbers handled, per key, in call order.
func (c *calls) seqs() map[string][]string {
	out := map[string][]string{}
	for _, r := range c.got {
		out[r.PartitionKey] = append(out[r.PartitionKey], r.SequenceNumber)
	}
	return out
}

func TestInvokeKeepsKeyOrder(t *testing.T) {
	payload := event(keyed(300, "a", "b", "c", "d", "e", "f", "g")...)
	for _, n := range []int{1, 4, 32} {
		t.Run(fmt.Sprintf("concurrency=%d", n), func(t *testing.T) {
			var c calls
			h := New(func(ctx context.Context, r Record) error {
				c.start(r)
				runtime.Gosched() // let other keys interleave
				c.end(r)
				return nil
			}, append(quiet(), WithConcurrency(n))...)
			resp, err := h.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatal(err)
			}
			if ids := response(t, resp); len(ids) != 0 {
				t.Errorf("got failures %v, want none", ids)
			}
			if len(c.got) != 300 {
				t.Errorf("got %d calls, want 300", len(c.got))
			}
			for key, seqs := range c.seqs() {
				if !slices.IsSorted(seqs) {
					t.Errorf("key %s: got sequence numbers in order %v, want ascending", key, short(seqs))
				}
			}
			if len(c.overlap) > 0 {
				t.Errorf("got keys %v handled twice at once, want one record per key at a time", c.overlap)
			}
			if c.peak > n {
				t.Errorf("got %d records at once, want at most %d", c.peak, n)
			}
		})
	}
}

func TestInvokeRunsKeysInParallel(t *testing.T) {
	// Key a's record waits for key b's record to start, which only
	// happens if the two run at once.
	bStarted := make(chan struct{})
	guard, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := New(func(ctx context.Context, r Record) error {
		if r.PartitionKey == "b" {
			close(bStarted)
			return nil
		}
		select {
		case <-bStarted:
			return nil
		case <-guard.Done():
			return errors.New("key b never started while key a ran")
		}
	}, append(quiet(), WithConcurrency(2))...)
	resp, err := h.Invoke(context.Background(), event(keyed(2, "a", "b")...))
	if err != nil {
		t.Fatal(err)
	}
	if ids := response(t, resp); len(ids) != 0 {
		t.Errorf("got failures %v, want none", short(ids))
	}
}

func TestInvokeFailures(t *testing.T) {
	// Records 0-9 have keys a b c a b c a b c a.
	payload := event(keyed(10, "a", "b", "c")...)
	seqs := func(idx ...int) []string {
		out := []string{}
		for _, i := range idx {
			out = append(out, seqNumber(i))
		}
		return out
	}
	tests := []struct {
		name        string
		fail, panic []int
		wantHandled []int
		wantIDs     []string
	}{
		{name: "none", wantHandled: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, wantIDs: seqs()},
		{name: "error", fail: []int{3}, wantHandled: []int{0, 1, 2, 4, 5, 7, 8}, wantIDs: seqs(3, 6, 9)},
		{name: "panic", panic: []int{4}, wantHandled: []int{0, 1, 2, 3, 5, 6, 8, 9}, wantIDs: seqs(4, 7)},
		{name: "first record", fail: []int{0}, wantHandled: []int{1, 2, 4, 5, 7, 8}, wantIDs: seqs(0, 3, 6, 9)},
		{name: "last record", fail: []int{9}, wantHandled: []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, wantIDs: seqs(9)},
		{name: "two keys", fail: []int{1}, panic: []int{5}, wantHandled: []int{0, 2, 3, 6, 9}, wantIDs: seqs(1, 4, 5, 7, 8)},
		{name: "every key", fail: []int{0, 1, 2}, wantHandled: []int{}, wantIDs: seqs(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
	}
	for _, tt := range tests {
		for _, n := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/concurrency=%d", tt.name, n), func(t *testing.T) {
				var mu sync.Mutex
				handled := []int{}
				h := New(func(ctx context.Context, r Record) error {
					i := 0
					fmt.Sscanf(r.SequenceNumber[len(r.SequenceNumber)-4:], "%d", &i)
					i -= 1000
					switch {
					case slices.Contains(tt.fail, i):
						return fmt.Errorf("record %d is bad", i)
					case slices.Contains(tt.panic, i):
						panic(fmt.Sprintf("record %d is worse", i))
					}
					mu.Lock()
					handled = append(handled, i)
					mu.Unlock()
					return nil
				}, append(quiet(), WithConcurrency(n))...)
				resp, err := h.Invoke(context.Background(), payload)
				if err != nil {
					t.Fatalf("got error %v, want none: record failures must not fail the invocation", err)
				}
				slices.Sort(handled)
				if fmt.Sprint(handled) != fmt.Sprint(tt.wantHandled) {
					t.Errorf("got handled %v, want %v", handled, tt.wantHandled)
				}
				if got := response(t, resp); !slices.Equal(got, tt.wantIDs) {
					t.Errorf("got itemIdentifiers %v, want %v", short(got), short(tt.wantIDs))
				}
			})
		}
	}
}

func TestInvokeEmptyBatch(t *testing.T) {
	h := New(func(context.Context, Record) error { return nil }, quiet()...)
	got, err := h.Invoke(context.Background(), []byte(`{"Records":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[]}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestInvokeSortsBySequenceNumber(t *testing.T) {
	// Sequence numbers compare as numbers: 9 < 10 < 100.
	payload := []byte(`{"Records":[` +
		`{"kinesis":{"partitionKey":"k","sequenceNumber":"100","data":""}},` +
		`{"kinesis":{"partitionKey":"k","sequenceNumber":"9","data":""}},` +
		`{"kinesis":{"partitionKey":"k","sequenceNumber":"10","data":""}}]}`)
	var got []string
	h := New(func(ctx context.Context, r Record) error {
		got = append(got, r.SequenceNumber)
		return nil
	}, quiet()...)
	if _, err := h.Invoke(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
	if want := []string{"9", "10", "100"}; !slices.Equal(got, want) {
		t.Errorf("got order %v, want %v", got, want)
	}
}

func TestInvokeAggregated(t *testing.T) {
	payload := readTestdata(t, "kinesis-event-kpl.json")
	type call struct {
		key, seq string
		sub      int
		agg      bool
		hashKey  string
	}
	tests := []struct {
		name    string
		failKey string
		want    []call
		wantIDs []string
	}{
		{
			name: "all handled",
			want: []call{
				{"customer-17", seqNumber(0), 0, false, ""},
				{"customer-42", seqNumber(1), 0, true, ""},
				{"customer-99", seqNumber(1), 1, true, ""},
				{"customer-42", seqNumber(1), 2, true, ""},
				{"customer-17", seqNumber(1), 3, true, "170141183460469231731687303715884105728"},
				{"customer-42", seqNumber(2), 0, false, ""},
			},
			wantIDs: []string{},
		},
		{
			// The user record fails; Lambda only knows its parent, so the
			// parent is reported, once although two user records of it
			// are not handled.
			name:    "user record fails",
			failKey: "customer-42",
			want: []call{
				{"customer-17", seqNumber(0), 0, false, ""},
				{"customer-42", seqNumber(1), 0, true, ""},
				{"customer-99", seqNumber(1), 1, true, ""},
				{"customer-17", seqNumber(1), 3, true, "170141183460469231731687303715884105728"},
			},
			wantIDs: []string{seqNumber(1), seqNumber(2)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []call
			h := New(func(ctx context.Context, r Record) error {
				got = append(got, call{r.PartitionKey, r.SequenceNumber, r.SubSequenceNumber, r.Aggregated, r.ExplicitHashKey})
				var o struct{ CustomerID string }
				if err := json.Unmarshal(r.Data, &o); err != nil || o.CustomerID != r.PartitionKey {
					t.Errorf("record %s/%d: got data %s, want an order of %s", r.SequenceNumber, r.SubSequenceNumber, r.Data, r.PartitionKey)
				}
				if r.PartitionKey == tt.failKey {
					return errors.New("no")
				}
				return nil
			}, quiet()...)
			resp, err := h.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got calls\n%v\nwant\n%v", got, tt.want)
			}
			if ids := response(t, resp); !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("got itemIdentifiers %v, want %v", short(ids), short(tt.wantIDs))
			}
		})
	}
}

func TestInvokeCorruptAggregate(t *testing.T) {
	var logs bytes.Buffer
	var got []string
	h := New(func(ctx context.Context, r Record) error {
		got = append(got, r.SequenceNumber)
		return nil
	}, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithMetrics(io.Discard, "Test"))
	resp, err := h.Invoke(context.Background(), readTestdata(t, "kinesis-event-corrupt-kpl.json"))
	if err != nil {
		t.Fatalf("got error %v, want none: a corrupt aggregate fails its record only", err)
	}
	// Record 1 is corrupt (key customer-99), record 2 has the same key.
	if want := []string{seqNumber(0), seqNumber(3)}; !slices.Equal(got, want) {
		t.Errorf("got handled %v, want %v", short(got), short(want))
	}
	if ids, want := response(t, resp), []string{seqNumber(1), seqNumber(2)}; !slices.Equal(ids, want) {
		t.Errorf("got itemIdentifiers %v, want %v", short(ids), short(want))
	}
	if want := "corrupt KPL aggregate: MD5 checksum mismatch"; !strings.Contains(logs.String(), want) {
		t.Errorf("got log %s, want it to contain %q", logs.String(), want)
	}
}

func TestInvokeDeadline(t *testing.T) {
	base := time.Now().Add(time.Hour) // the fake clock; ctx never expires in real time
	seqs := func(from int) []string {
		out := []string{}
		for i := from; i < 10; i++ {
			out = append(out, seqNumber(i))
		}
		return out
	}
	tests := []struct {
		name     string
		timeout  time.Duration
		margin   *time.Duration
		advance  map[int]time.Duration // when record i runs, the clock moves to base+d
		cancel   bool
		wantRuns int
		wantIDs  []string
	}{
		{name: "no deadline reached", timeout: time.Minute, margin: ptr(10 * time.Second), advance: map[int]time.Duration{9: 49 * time.Second}, wantRuns: 10, wantIDs: seqs(10)},
		{name: "checkpoint before deadline", timeout: time.Minute, margin: ptr(10 * time.Second), advance: map[int]time.Duration{4: 50 * time.Second}, wantRuns: 5, wantIDs: seqs(5)},
		{name: "default margin is 5s", timeout: time.Minute, advance: map[int]time.Duration{2: 55 * time.Second}, wantRuns: 3, wantIDs: seqs(3)},
		{name: "default margin within 5s", timeout: time.Minute, advance: map[int]time.Duration{2: 54 * time.Second}, wantRuns: 10, wantIDs: seqs(10)},
		{name: "default margin is a tenth of short timeouts", timeout: 3 * time.Second, advance: map[int]time.Duration{6: 2700 * time.Millisecond}, wantRuns: 7, wantIDs: seqs(7)},
		{name: "margin longer than timeout", timeout: time.Second, margin: ptr(5 * time.Second), wantRuns: 1, wantIDs: seqs(1)},
		{name: "zero margin", timeout: time.Minute, margin: ptr(time.Duration(0)), advance: map[int]time.Duration{0: time.Minute}, wantRuns: 1, wantIDs: seqs(1)},
		{name: "cancelled", timeout: time.Minute, cancel: true, wantRuns: 0, wantIDs: seqs(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var now atomic.Pointer[time.Time]
			now.Store(&base)
			runs := 0
			opts := quiet()
			if tt.margin != nil {
				opts = append(opts, WithDeadlineMargin(*tt.margin))
			}
			h := New(func(ctx context.Context, r Record) error {
				if d, ok := tt.advance[runs]; ok {
					at := base.Add(d)
					now.Store(&at)
				}
				runs++
				return nil
			}, opts...)
			h.now = func() time.Time { return *now.Load() }
			ctx, cancel := context.WithDeadline(context.Background(), base.Add(tt.timeout))
			defer cancel()
			if tt.cancel {
				cancel()
			}
			resp, err := h.Invoke(ctx, event(keyed(10, "a", "b", "c")...))
			if err != nil {
				t.Fatal(err)
			}
			if runs != tt.wantRuns {
				t.Errorf("got %d records handled, want %d", runs, tt.wantRuns)
			}
			if ids := response(t, resp); !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("got itemIdentifiers %v, want %v", short(ids), short(tt.wantIDs))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestInvokeDeadlineConcurrent checks the invariants that hold whichever
// records were in flight when the deadline came: every record not handled
// is reported, and what was handled of a key is a prefix of it.
func TestInvokeDeadlineConcurrent(t *testing.T) {
	base := time.Now().Add(time.Hour)
	var c calls
	var count atomic.Int32
	h := New(func(ctx context.Context, r Record) error {
		c.start(r)
		defer c.end(r)
		count.Add(1)
		runtime.Gosched()
		return nil
	}, append(quiet(), WithConcurrency(8), WithDeadlineMargin(time.Second))...)
	// The clock passes the deadline the moment the 40th call starts: a clock
	// moved by that call itself could be moved late, when its goroutine is
	// descheduled between counting and moving it while others go on.
	h.now = func() time.Time {
		if count.Load() >= 40 {
			return base.Add(time.Minute)
		}
		return base
	}
	ctx, cancel := context.WithDeadline(context.Background(), base.Add(30*time.Second))
	defer cancel()
	recs := keyed(200, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")
	resp, err := h.Invoke(ctx, event(recs...))
	if err != nil {
		t.Fatal(err)
	}
	ids := response(t, resp)
	handled := map[string]bool{}
	for _, r := range c.got {
		handled[r.SequenceNumber] = true
	}
	if n := len(handled); n < 40 || n >= 48 {
		t.Errorf("got %d records handled, want 40 and fewer than 40+8", n)
	}
	var want []string
	for _, r := range recs {
		if !handled[r.seq] {
			want = append(want, r.seq)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("got itemIdentifiers %v, want every record not handled %v", short(ids), short(want))
	}
	prefix := map[string]bool{} // keys with a record not handled
	for _, r := range recs {
		if !handled[r.seq] {
			prefix[r.key] = true
		} else if prefix[r.key] {
			t.Errorf("key %s: got record %s handled after one that was not", r.key, r.seq)
		}
	}
}

func TestInvokeBadPayload(t *testing.T) {
	tests := []struct{ name, payload, want string }{
		{"bad JSON", `{"Records":[`, "kinesisbatch: decode payload: invalid JSON: unexpected end of input, want value"},
		{"bad base64", `{"Records":[{"kinesis":{"sequenceNumber":"1","data":"!"}}]}`, "kinesisbatch: decode payload: Records[0]: kinesis.data is not base64"},
		{"no Records", `{"Records2":[]}`, "kinesisbatch: decode payload: payload has no Records array (not a Kinesis event)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			called := false
			h := New(func(context.Context, Record) error { called = true; return nil },
				WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithMetrics(io.Discard, "Test"))
			resp, err := h.Invoke(context.Background(), []byte(tt.payload))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one starting %q", err, tt.want)
			}
			if resp != nil || called {
				t.Errorf("got response %s and called %v, want neither", resp, called)
			}
			if !strings.Contains(logs.String(), `"msg":"kinesis batch rejected"`) {
				t.Errorf("got log %q, want a rejection line", logs.String())
			}
		})
	}
}

func TestInvokeConcurrentInvocations(t *testing.T) {
	// Lambda managed instances may invoke one process concurrently; the
	// pooled decoders and scratch space must not be shared.
	h := New(func(ctx context.Context, r Record) error {
		if r.PartitionKey == "fail" {
			return errors.New("no")
		}
		return nil
	}, quiet()...)
	payloads := [][]byte{
		event(keyed(50, "a", "b")...),
		event(keyed(30, "fail")...),
		readTestdata(t, "kinesis-event-kpl.json"),
	}
	want := make([]string, len(payloads))
	for i, p := range payloads {
		resp, err := h.Invoke(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = string(resp)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for j := range 20 {
				i := (g + j) % len(payloads)
				resp, err := h.Invoke(context.Background(), payloads[i])
				if err != nil || string(resp) != want[i] {
					t.Errorf("payload %d: got %.80s, %v, want %.80s", i, resp, err, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestNewRejectsBadOptions(t *testing.T) {
	fn := func(context.Context, Record) error { return nil }
	tests := []struct {
		name string
		fn   Func
		opt  Option
		want string
	}{
		{"nil fn", nil, WithConcurrency(1), "kinesisbatch: New: fn is nil"},
		{"concurrency 0", fn, WithConcurrency(0), "kinesisbatch: WithConcurrency: n must be at least 1, got 0"},
		{"nil logger", fn, WithLogger(nil), "kinesisbatch: WithLogger: logger is nil"},
		{"nil metrics writer", fn, WithMetrics(nil, "X"), "kinesisbatch: WithMetrics: writer is nil"},
		{"empty namespace", fn, WithMetrics(io.Discard, ""), "kinesisbatch: WithMetrics: namespace must be 1-255 characters, got 0"},
		{"long namespace", fn, WithMetrics(io.Discard, strings.Repeat("n", 256)), "kinesisbatch: WithMetrics: namespace must be 1-255 characters, got 256"},
		{"negative margin", fn, WithDeadlineMargin(-time.Second), "kinesisbatch: WithDeadlineMargin: margin must not be negative, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				got := fmt.Sprint(recover())
				if got != tt.want {
					t.Errorf("got panic %q, want %q", got, tt.want)
				}
			}()
			New(tt.fn, tt.opt)
		})
	}
}
