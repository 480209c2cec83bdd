package producer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

const mib = 1 << 20

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name   string
		client Client
		stream string
		opts   []Option
		want   []string // substrings of the error; none: valid
	}{
		{name: "defaults", stream: "orders"},
		{name: "stream ARN", stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"},
		{name: "every option valid", stream: "orders.v2_x-y", opts: []Option{
			WithLinger(0), WithMaxAttempts(1), WithBackoff(time.Millisecond, time.Millisecond),
			WithMaxRecordSize(10 * mib), WithMaxBufferedBytes(10 * mib), WithMaxInFlight(1),
			WithOnFailure(func(Failure) {}), WithOnRequest(func(RequestInfo) {}), nil,
		}},
		{name: "nil client", client: Client(nil), stream: "orders", want: []string{"producer: client is nil"}},
		{name: "empty stream", stream: "", want: []string{"producer: stream name is empty"}},
		{name: "stream with space", stream: "my orders", want: []string{`producer: stream name "my orders" has invalid character ' ' at byte 2`}},
		{name: "stream too long", stream: strings.Repeat("s", 129), want: []string{"has 129 characters, want at most 128"}},
		{name: "not a kinesis ARN", stream: "arn:aws:sqs:eu-west-1:123456789012:orders", want: []string{`producer: stream ARN "arn:aws:sqs:eu-west-1:123456789012:orders" is not a Kinesis stream ARN`}},
		{name: "ARN with bad name", stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/a b", want: []string{`has invalid character ' '`}},
		{name: "negative linger", stream: "orders", opts: []Option{WithLinger(-time.Millisecond)}, want: []string{"producer: WithLinger: d must be at least 0, got -1ms"}},
		{name: "zero attempts", stream: "orders", opts: []Option{WithMaxAttempts(0)}, want: []string{"producer: WithMaxAttempts: n must be at least 1, got 0"}},
		{name: "zero backoff", stream: "orders", opts: []Option{WithBackoff(0, time.Second)}, want: []string{"producer: WithBackoff: base must be more than 0, got 0s"}},
		{name: "backoff max below base", stream: "orders", opts: []Option{WithBackoff(time.Second, time.Millisecond)}, want: []string{"producer: WithBackoff: max must be at least base (1s), got 1ms"}},
		{name: "record size 0", stream: "orders", opts: []Option{WithMaxRecordSize(0)}, want: []string{"producer: WithMaxRecordSize: n must be between 1 and 10485760 (10 MiB), got 0"}},
		{name: "record size over 10 MiB", stream: "orders", opts: []Option{WithMaxRecordSize(10*mib + 1)}, want: []string{"got 10485761"}},
		{name: "buffer below record size", stream: "orders", opts: []Option{WithMaxBufferedBytes(mib - 1)}, want: []string{"producer: WithMaxBufferedBytes: n must be at least the maximum record size (1048576), got 1048575"}},
		{name: "zero in flight", stream: "orders", opts: []Option{WithMaxInFlight(0)}, want: []string{"producer: WithMaxInFlight: n must be at least 1, got 0"}},
		{name: "all errors at once", client: Client(nil), stream: "", opts: []Option{WithLinger(-1), WithMaxInFlight(0)}, want: []string{
			"client is nil", "stream name is empty", "WithLinger", "WithMaxInFlight",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.client
			if c == nil && !slices.ContainsFunc(tt.want, func(s string) bool { return strings.Contains(s, "client is nil") }) {
				c = newFakeClient()
			}
			p, err := New(c, tt.stream, tt.opts...)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if err := p.Close(context.Background()); err != nil {
					t.Errorf("Close: %v", err)
				}
				return
			}
			if err == nil {
				p.Close(context.Background())
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestPutValidates(t *testing.T) {
	// Kinesis counts a partition key in Unicode characters (the API
	// reference's "Length Constraints: Maximum length of 256" is Smithy's
	// @length, which counts Unicode scalar values), not UTF-16 code units:
	// a character outside the BMP is one character, and four UTF-8 bytes.
	emoji := "\U0001F600"
	tests := []struct {
		name    string
		opts    []Option
		key     string
		dataLen int
		is      error  // nil: accepted
		want    string // substring of the error
	}{
		{name: "one character key", key: "k", dataLen: 10},
		{name: "256 characters", key: strings.Repeat("k", 256)},
		{name: "256 multibyte characters", key: strings.Repeat("é", 256)},
		{name: "256 characters outside the BMP", key: strings.Repeat(emoji, 256)},
		{name: "255 ASCII characters and one outside the BMP", key: strings.Repeat("k", 255) + emoji},
		{name: "empty key", key: "", is: ErrInvalidPartitionKey, want: "producer: put: invalid partition key: empty, want 1 to 256 Unicode characters"},
		{name: "257 characters", key: strings.Repeat("k", 257), is: ErrInvalidPartitionKey, want: `producer: put: invalid partition key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"...: 257 characters, want 1 to 256`},
		{name: "257 characters outside the BMP", key: strings.Repeat(emoji, 257), is: ErrInvalidPartitionKey, want: "257 characters, want 1 to 256"},
		{name: "256 ASCII characters and one outside the BMP", key: strings.Repeat("k", 256) + emoji, is: ErrInvalidPartitionKey, want: "257 characters, want 1 to 256"},
		{name: "invalid UTF-8", key: "k\xff", is: ErrInvalidPartitionKey, want: `invalid partition key "k\xff": not valid UTF-8`},
		{name: "exactly 1 MiB", key: "k", dataLen: mib - 1},
		{name: "1 MiB plus 1", key: "k", dataLen: mib, is: ErrRecordTooLarge,
			want: `producer: put: record too large: key "k": 1048577 bytes (partition key 1 + data 1048576), more than the stream's maximum record size of 1048576 bytes`},
		{name: "2 MiB with a raised limit", opts: []Option{WithMaxRecordSize(2 * mib)}, key: "k", dataLen: 2*mib - 1},
		{name: "over a raised limit", opts: []Option{WithMaxRecordSize(2 * mib)}, key: "kk", dataLen: 2 * mib, is: ErrRecordTooLarge,
			want: "2097154 bytes (partition key 2 + data 2097152), more than the stream's maximum record size of 2097152 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeClient()
			p := mustNew(t, f, append(tt.opts, WithMaxBufferedBytes(20*mib))...)
			err := p.Put(context.Background(), tt.key, make([]byte, tt.dataLen))
			if tt.is == nil {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if err := p.Close(context.Background()); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if got := p.Stats().RecordsSent; got != 1 {
					t.Errorf("got %d records sent, want 1", got)
				}
				return
			}
			if !errors.Is(err, tt.is) {
				t.Fatalf("got error %v, want one wrapping %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want it to contain %q", err, tt.want)
			}
			if got := p.Stats().RecordsPut; got != 0 {
				t.Errorf("got %d records put, want 0", got)
			}
		})
	}
}

func TestBatchesWithinLimits(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		sizes []int // record sizes, partition key included
		want  []int // entries per request
	}{
		{name: "500 entries", sizes: repeat(1200, 100), want: []int{500, 500, 200}},
		{name: "exactly 500", sizes: repeat(500, 20), want: []int{500}},
		{name: "5 MiB of 1 MiB records", sizes: repeat(12, mib), want: []int{5, 5, 2}},
		{name: "5 MiB of 0.9 MiB records", sizes: repeat(6, 9*mib/10), want: []int{5, 1}},
		{name: "small records then a big one", sizes: append(repeat(4, mib), 2*mib), opts: []Option{WithMaxRecordSize(2 * mib)}, want: []int{4, 1}},
		{name: "record over 5 MiB goes alone", sizes: []int{100, 6 * mib, 100}, opts: []Option{WithMaxRecordSize(10 * mib)}, want: []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeClient()
			// One request at a time, and a linger that never passes on the
			// fake clock: only a full request or Close sends.
			p := mustNew(t, f, append(tt.opts, WithMaxInFlight(1), withClock(newFakeClock()), WithMaxBufferedBytes(64*mib))...)
			put := make(map[string]int)
			for i, size := range tt.sizes {
				key := fmt.Sprintf("k%05d", i)
				data := fmt.Appendf(nil, "%s/0", key)
				data = append(data, make([]byte, size-len(key)-len(data))...)
				if err := p.Put(context.Background(), key, data); err != nil {
					t.Fatalf("Put %d: %v", i, err)
				}
				put[key] = 1
			}
			if err := p.Close(context.Background()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if got := f.callSizes(); !slices.Equal(got, tt.want) {
				t.Errorf("got requests of %v entries, want %v", got, tt.want)
			}
			f.assertValid(t)
			if got := p.Stats().RecordsSent; got != int64(len(tt.sizes)) {
				t.Errorf("got %d records sent, want %d", got, len(tt.sizes))
			}
		})
	}
}

func repeat(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestLingerFlush(t *testing.T) {
	const linger = 100 * time.Millisecond
	clk := newFakeClock()
	f := newFakeClient()
	p := mustNew(t, f, withClock(clk), WithLinger(linger))
	start := clk.Now()
	putN(t, p, []string{"a", "b", "c"}, 1)

	// given the producer waits for the oldest record's linger to pass
	clk.waitTimer(t, start.Add(linger))
	clk.Advance(linger - time.Nanosecond)
	if n := f.numCalls(); n != 0 {
		t.Fatalf("got %d requests before the linger passed, want 0", n)
	}
	// when it passes, then one request carries all three
	clk.Advance(time.Nanosecond)
	f.waitCalls(t, 1)
	if got := f.callSizes(); !slices.Equal(got, []int{3}) {
		t.Errorf("got requests of %v entries, want [3]", got)
	}
}

func TestLingerZeroSendsAtOnce(t *testing.T) {
	f := newFakeClient()
	p := mustNew(t, f, withClock(newFakeClock()), WithLinger(0))
	putN(t, p, []string{"a"}, 1)
	f.waitCalls(t, 1) // the fake clock never moves
}

func TestFlush(t *testing.T) {
	f := newFakeClient()
	p := mustNew(t, f, WithLinger(time.Hour))
	put := putN(t, p, keysN(10), 3)
	if err := p.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	// Flush returned: everything put before it is in the stream.
	f.assertStream(t, put, nil)
	if s := p.Stats(); s.RecordsSent != 30 || s.BufferedRecords != 0 || s.BufferedBytes != 0 {
		t.Errorf("got %d sent, %d records and %d bytes buffered, want 30, 0, 0", s.RecordsSent, s.BufferedRecords, s.BufferedBytes)
	}
	if err := p.Flush(context.Background()); err != nil {
		t.Errorf("Flush with nothing buffered: %v", err)
	}
}

func TestFlushContextEnds(t *testing.T) {
	f := newFakeClient()
	f.gate = make(chan struct{})
	p := mustNew(t, f)
	putN(t, p, []string{"a"}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Flush(ctx); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "producer: flush: ") {
		t.Errorf("got %v, want producer: flush: context canceled", err)
	}
	close(f.gate)
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f.assertStream(t, map[string]int{"a": 1}, nil)
}

func TestCloseFlushes(t *testing.T) {
	f := newFakeClient()
	p := mustNew(t, f, WithLinger(time.Hour), withClock(newFakeClock()))
	put := putN(t, p, keysN(7), 1)
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := f.callSizes(); !slices.Equal(got, []int{7}) {
		t.Errorf("got requests of %v entries, want [7]", got)
	}
	f.assertStream(t, put, nil)

	if err := p.Put(context.Background(), "a", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: got %v, want ErrClosed", err)
	}
	if err := p.Flush(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: got %v, want ErrClosed", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

func TestBackPressure(t *testing.T) {
	f := newFakeClient()
	f.gate = make(chan struct{})
	// Ten 100-byte records fill the buffer.
	p := mustNew(t, f, WithMaxRecordSize(100), WithMaxBufferedBytes(1000), WithLinger(0))
	record := func(i int) []byte { return fmt.Appendf(bytes.Repeat([]byte{'.'}, 90), "%09d", i) } // 99 bytes + key "k"
	for i := range 10 {
		if err := p.Put(context.Background(), "k", record(i)); err != nil {
			t.Fatalf("Put %d: %v", i, err)
		}
	}

	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled while blocked", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline while blocked", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled before", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			// The buffer is full and the client blocked: Put can only
			// return by its context ending.
			err := p.Put(ctx, "k", record(99))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if want := "producer: put: waiting for buffer space: "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("got %q, want it to start with %q", err, want)
			}
		})
	}

	// A blocked Put goes on once requests complete.
	done := make(chan error)
	go func() { done <- p.Put(context.Background(), "k", record(10)) }()
	close(f.gate)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("blocked Put: %v", err)
		}
	case <-time.After(hang):
		t.Fatal("blocked Put did not return after the client went on")
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if s := p.Stats(); s.RecordsPut != 11 || s.RecordsSent != 11 {
		t.Errorf("got %d put and %d sent, want 11 and 11", s.RecordsPut, s.RecordsSent)
	}
}

func TestCloseWakesBlockedPut(t *testing.T) {
	f := newFakeClient()
	f.gate = make(chan struct{})
	p := mustNew(t, f, WithMaxRecordSize(10), WithMaxBufferedBytes(10))
	if err := p.Put(context.Background(), "k", []byte("123456789")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- p.Put(context.Background(), "k", []byte("123456789")) }()
	closed := make(chan error)
	go func() { closed <- p.Close(context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("blocked Put: got %v, want ErrClosed", err)
		}
	case <-time.After(hang):
		t.Fatal("blocked Put did not return after Close")
	}
	close(f.gate)
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestRetriesOnlyFailedEntries(t *testing.T) {
	tests := []struct {
		name      string
		codes     []string // first call's codes for keys k000..k004
		throttles int64
	}{
		{"throughput", []string{"", "ProvisionedThroughputExceededException", "", "", "ProvisionedThroughputExceededException"}, 2},
		{"internal", []string{"InternalFailure", "", "", "", ""}, 0},
		{"kms throttling", []string{"", "", "KMSThrottlingException", "", ""}, 1},
		{"mixed", []string{"InternalFailure", "ProvisionedThroughputExceededException", "", "KMSThrottlingException", ""}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeClient()
			f.respond = func(call int, _ []entry) ([]string, error) {
				if call == 0 {
					return tt.codes, nil
				}
				return nil, nil
			}
			p := mustNew(t, f, instantRetries(), WithLinger(time.Hour))
			put := putN(t, p, keysN(5), 1)
			if err := p.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			var want []entry
			for i, c := range tt.codes {
				if c != "" {
					want = append(want, entry{fmt.Sprintf("k%03d", i), fmt.Sprintf("k%03d/0", i)})
				}
			}
			f.mu.Lock()
			calls := slices.Clone(f.calls)
			f.mu.Unlock()
			if len(calls) != 2 || !slices.Equal(calls[1], want) {
				t.Fatalf("got calls %v, want the second to retry exactly %v", calls, want)
			}
			f.assertStream(t, put, nil)
			f.assertValid(t)
			s := p.Stats()
			if s.Retries != int64(len(want)) || s.Throttles != tt.throttles || s.Failures != 0 || s.Entries != int64(5+len(want)) {
				t.Errorf("got %d retries, %d throttles, %d failures, %d entries; want %d, %d, 0, %d",
					s.Retries, s.Throttles, s.Failures, s.Entries, len(want), tt.throttles, 5+len(want))
			}
		})
	}
}

// TestPerKeyOrderUnderFailures puts records of many keys from many
// goroutines while the fake fails entries and whole requests, and checks
// that no key's record is sent before an earlier failed one is accepted,
// and that each key's records end up in the stream once, in order.
func TestPerKeyOrderUnderFailures(t *testing.T) {
	tests := []struct {
		name        string
		keys        int
		perKey      int
		entryFail   float64 // share of entries failed
		requestFail float64 // share of requests failed as a whole
		opts        []Option
	}{
		{name: "entry failures", keys: 50, perKey: 40, entryFail: 0.3},
		{name: "request failures", keys: 50, perKey: 40, requestFail: 0.3},
		{name: "both, few keys", keys: 3, perKey: 200, entryFail: 0.3, requestFail: 0.1},
		{name: "one key", keys: 1, perKey: 300, entryFail: 0.5},
		{name: "one request at a time", keys: 20, perKey: 50, entryFail: 0.3, requestFail: 0.1, opts: []Option{WithMaxInFlight(1)}},
		{name: "many in flight, lingering", keys: 200, perKey: 10, entryFail: 0.2, requestFail: 0.05, opts: []Option{WithMaxInFlight(16), WithLinger(time.Millisecond)}},
		{name: "small buffer", keys: 20, perKey: 50, entryFail: 0.3, opts: []Option{WithMaxRecordSize(100), WithMaxBufferedBytes(500)}},
	}
	codes := []string{"ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeClient()
			var mu sync.Mutex
			rng := rand.New(rand.NewPCG(1, 2))
			f.respond = func(_ int, entries []entry) ([]string, error) {
				mu.Lock()
				defer mu.Unlock()
				if rng.Float64() < tt.requestFail {
					return nil, &types.ProvisionedThroughputExceededException{Message: new("Rate exceeded")}
				}
				out := make([]string, len(entries))
				for i := range out {
					if rng.Float64() < tt.entryFail {
						out[i] = codes[rng.IntN(len(codes))]
					}
				}
				return out, nil
			}
			opts := append([]Option{fastRetries(), WithMaxAttempts(1000), WithLinger(0)}, tt.opts...)
			p := mustNew(t, f, opts...)

			keys := keysN(tt.keys)
			var wg sync.WaitGroup
			const goroutines = 8
			for g := range goroutines {
				wg.Go(func() {
					// Each key belongs to one goroutine, so its Put order is defined.
					for i := range tt.perKey {
						for k := g; k < len(keys); k += goroutines {
							if err := p.Put(context.Background(), keys[k], fmt.Appendf(nil, "%s/%d", keys[k], i)); err != nil {
								t.Errorf("Put: %v", err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			if err := p.Close(context.Background()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			f.assertValid(t)
			put := make(map[string]int)
			for _, k := range keys {
				put[k] = tt.perKey
			}
			f.assertStream(t, put, nil)
			s := p.Stats()
			if want := int64(tt.keys * tt.perKey); s.RecordsSent != want || s.RecordsPut != want {
				t.Errorf("got %d put and %d sent, want %d", s.RecordsPut, s.RecordsSent, want)
			}
			if s.Retries == 0 {
				t.Error("got no retries; the test injected no failures")
			}
			if s.Entries != s.RecordsSent+s.Retries {
				t.Errorf("got %d entries, want sent + retries = %d", s.Entries, s.RecordsSent+s.Retries)
			}
		})
	}
}

// TestFailedKeyHoldsBack checks the rule step by step: while a key's
// record waits for a retry, the key's next record is not sent, and other
// keys go on.
func TestFailedKeyHoldsBack(t *testing.T) {
	clk := newFakeClock()
	f := newFakeClient()
	f.respond = func(call int, entries []entry) ([]string, error) {
		codes := make([]string, len(entries))
		for i, e := range entries {
			if e.data == "a/0" && call == 0 {
				codes[i] = "ProvisionedThroughputExceededException"
			}
		}
		return codes, nil
	}
	p := mustNew(t, f, withClock(clk), WithLinger(0), WithMaxInFlight(1),
		WithBackoff(time.Second, time.Second), withJitter(func(n int64) int64 { return n - 1 }))
	start := clk.Now()
	for _, e := range []entry{{"a", "a/0"}, {"a", "a/1"}, {"b", "b/0"}} {
		if err := p.Put(context.Background(), e.key, []byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	// a/0 and b/0 go first (a/1 waits for a/0), a/0 fails, b/0 is accepted.
	f.waitFor(t, "b/0 accepted", func() bool { return slices.Contains(f.stream, entry{"b", "b/0"}) })
	clk.waitTimer(t, start.Add(time.Second)) // a/0's backoff
	if got := f.sent(); !slices.Equal(got, []string{"a/0", "b/0"}) {
		t.Fatalf("got entries sent %v before a/0's backoff passed, want [a/0 b/0]", got)
	}
	clk.Advance(time.Second)
	f.waitFor(t, "a/1 accepted", func() bool { return len(f.stream) == 3 })
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sent, want := f.sent(), []string{"a/0", "b/0", "a/0", "a/1"}; !slices.Equal(sent, want) {
		t.Errorf("got entries sent in order %v, want %v", sent, want)
	}
	f.assertValid(t)
}

func TestRequestErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		retried   bool
		throttled bool
		reason    string
	}{
		{"throughput", &types.ProvisionedThroughputExceededException{Message: new("Rate exceeded")}, true, true, "ProvisionedThroughputExceededException"},
		{"kms throttling", &types.KMSThrottlingException{}, true, true, "KMSThrottlingException"},
		{"limit exceeded", &types.LimitExceededException{}, true, true, "LimitExceededException"},
		{"internal failure", &types.InternalFailureException{}, true, false, "InternalFailureException"},
		{"server fault", &smithy.GenericAPIError{Code: "Boom", Fault: smithy.FaultServer}, true, false, "Boom"},
		{"network", errors.New("dial tcp 127.0.0.1:4567: connect: connection refused"), true, false, "request error"},
		{"wrapped network", fmt.Errorf("operation error Kinesis: PutRecords: %w", context.DeadlineExceeded), true, false, "request error"},
		{"access denied", &types.AccessDeniedException{Message: new("not authorized")}, false, false, "AccessDeniedException"},
		{"stream not found", &types.ResourceNotFoundException{}, false, false, "ResourceNotFoundException"},
		{"kms disabled", &types.KMSDisabledException{}, false, false, "KMSDisabledException"},
		{"invalid params", &smithy.InvalidParamsError{Context: "PutRecordsInput"}, false, false, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeClient()
			f.respond = func(call int, _ []entry) ([]string, error) {
				if call < 2 {
					return nil, tt.err
				}
				return nil, nil
			}
			var infos []RequestInfo
			var mu sync.Mutex
			log := &failureLog{}
			p := mustNew(t, f, instantRetries(), WithLinger(time.Hour), log.option(), WithOnRequest(func(ri RequestInfo) {
				mu.Lock()
				defer mu.Unlock()
				infos = append(infos, ri)
			}))
			put := putN(t, p, keysN(3), 1)
			err := p.Close(context.Background())
			s := p.Stats()
			if tt.retried {
				if err != nil {
					t.Fatalf("Close: %v", err)
				}
				f.assertStream(t, put, nil)
				if s.Requests != 3 || s.RequestErrors != 2 || s.Retries != 6 {
					t.Errorf("got %d requests, %d failed, %d retries; want 3, 2, 6", s.Requests, s.RequestErrors, s.Retries)
				}
				wantThrottles := int64(0)
				if tt.throttled {
					wantThrottles = 6
				}
				if s.Throttles != wantThrottles {
					t.Errorf("got %d throttles, want %d", s.Throttles, wantThrottles)
				}
				mu.Lock()
				defer mu.Unlock()
				// The hook runs after each request, in no particular order.
				failed, ok := 0, 0
				for _, ri := range infos {
					switch {
					case ri.Err != nil && ri.Failed == 3 && (ri.Throttled == 3) == tt.throttled:
						failed++
					case ri.Err == nil && ri.Records == 3 && ri.Bytes == 30 && ri.Failed == 0:
						ok++
					}
				}
				if failed != 2 || ok != 1 || len(infos) != 3 {
					t.Errorf("got request infos %+v, want 2 failed and 1 of 3 records", infos)
				}
				return
			}
			// Not retryable: every record reported after one attempt.
			if s.Requests != 1 || s.Failures != 3 || s.Retries != 0 {
				t.Errorf("got %d requests, %d failures, %d retries; want 1, 3, 0", s.Requests, s.Failures, s.Retries)
			}
			var de *DeliveryError
			if !errors.As(err, &de) || de.Records != 3 || de.Reasons[tt.reason] != 3 {
				t.Fatalf("Close: got %v, want a DeliveryError of 3 records for %s", err, tt.reason)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Close: got %v, want it to wrap %v", err, tt.err)
			}
			fs := log.get()
			if len(fs) != 3 {
				t.Fatalf("got %d failures reported, want 3", len(fs))
			}
			for _, fl := range fs {
				if fl.Attempts != 1 || !errors.Is(fl.Err, tt.err) || !strings.HasPrefix(fl.Err.Error(), "producer: put records: ") {
					t.Errorf("got failure %+v, want 1 attempt and error producer: put records: %v", fl, tt.err)
				}
			}
		})
	}
}

func TestNonRetryableEntryReported(t *testing.T) {
	tests := []struct{ code string }{
		{"AccessDeniedException"},
		{"KMSDisabledException"},
		{"KMSNotFoundException"},
		{"InvalidArgumentException"},
		{"SomeFutureException"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := newFakeClient()
			f.checkOrder = false // bad/1 goes after bad/0 was given up on
			f.respond = func(_ int, entries []entry) ([]string, error) {
				codes := make([]string, len(entries))
				for i, e := range entries {
					if e.data == "bad/0" {
						codes[i] = tt.code
					}
				}
				return codes, nil
			}
			log := &failureLog{}
			p := mustNew(t, f, fastRetries(), log.option())
			put := putN(t, p, []string{"bad", "good"}, 2)
			err := p.Close(context.Background())

			fs := log.get()
			if len(fs) != 1 {
				t.Fatalf("got %d failures reported, want 1", len(fs))
			}
			fl := fs[0]
			var ee *EntryError
			if fl.PartitionKey != "bad" || string(fl.Data) != "bad/0" || fl.Attempts != 1 || !errors.As(fl.Err, &ee) || ee.Code != tt.code {
				t.Errorf("got failure %+v, want bad/0 after 1 attempt with code %s", fl, tt.code)
			}
			if want := "producer: kinesis rejected the record: " + tt.code + ": injected " + tt.code; fl.Err.Error() != want {
				t.Errorf("got error %q, want %q", fl.Err, want)
			}
			want := fmt.Sprintf("producer: close: 1 record not delivered (%s: 1); producer: kinesis rejected the record: %s: injected %s", tt.code, tt.code, tt.code)
			if err == nil || err.Error() != want {
				t.Errorf("Close: got %v, want %s", err, want)
			}
			// The key goes on after the record given up on.
			f.assertStream(t, put, map[string]bool{"bad/0": true})
			if s := p.Stats(); s.Failures != 1 || s.Retries != 0 || s.RecordsSent != 3 {
				t.Errorf("got %d failures, %d retries, %d sent; want 1, 0, 3", s.Failures, s.Retries, s.RecordsSent)
			}
		})
	}
}

func TestAttemptsExhausted(t *testing.T) {
	for _, attempts := range []int{1, 3} {
		t.Run(fmt.Sprint(attempts), func(t *testing.T) {
			f := newFakeClient()
			f.checkOrder = false
			f.respond = func(_ int, entries []entry) ([]string, error) {
				codes := make([]string, len(entries))
				for i, e := range entries {
					if e.data == "hot/0" {
						codes[i] = "ProvisionedThroughputExceededException"
					}
				}
				return codes, nil
			}
			log := &failureLog{}
			p := mustNew(t, f, fastRetries(), WithMaxAttempts(attempts), log.option())
			put := putN(t, p, []string{"hot", "cold"}, 2)
			if err := p.Flush(context.Background()); err == nil ||
				!errors.Is(err, ErrAttemptsExhausted) || !strings.HasPrefix(err.Error(), "producer: flush: 1 record not delivered (attempts exhausted: ProvisionedThroughputExceededException: 1)") {
				t.Errorf("Flush: got %v, want a DeliveryError for hot/0", err)
			}
			err := p.Close(context.Background())
			if !errors.Is(err, ErrAttemptsExhausted) {
				t.Errorf("Close: got %v, want it to wrap ErrAttemptsExhausted", err)
			}
			fs := log.get()
			if len(fs) != 1 || fs[0].Attempts != attempts || string(fs[0].Data) != "hot/0" {
				t.Fatalf("got failures %+v, want hot/0 after %d attempts", fs, attempts)
			}
			want := fmt.Sprintf("producer: attempts exhausted (%d of %d), last: ProvisionedThroughputExceededException: injected ProvisionedThroughputExceededException", attempts, attempts)
			if fs[0].Err.Error() != want {
				t.Errorf("got error %q, want %q", fs[0].Err, want)
			}
			sentHot := 0
			for _, c := range f.calls {
				for _, e := range c {
					if e.data == "hot/0" {
						sentHot++
					}
				}
			}
			if sentHot != attempts {
				t.Errorf("got hot/0 sent %d times, want %d", sentHot, attempts)
			}
			f.assertStream(t, put, map[string]bool{"hot/0": true})
			if s := p.Stats(); s.Throttles != int64(attempts) || s.Retries != int64(attempts-1) || s.Failures != 1 {
				t.Errorf("got %d throttles, %d retries, %d failures; want %d, %d, 1", s.Throttles, s.Retries, s.Failures, attempts, attempts-1)
			}
		})
	}
}

// TestBackoffWaits checks on the fake clock that a retry waits for its
// backoff, and that the ceiling doubles.
func TestBackoffWaits(t *testing.T) {
	clk := newFakeClock()
	f := newFakeClient()
	f.respond = func(call int, _ []entry) ([]string, error) {
		if call < 3 {
			return []string{"InternalFailure"}, nil
		}
		return nil, nil
	}
	p := mustNew(t, f, withClock(clk), WithLinger(0), WithBackoff(100*time.Millisecond, time.Second),
		withJitter(func(n int64) int64 { return n - 1 })) // always the ceiling
	putN(t, p, []string{"a"}, 1)
	for i, wait := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		f.waitCalls(t, i+1)
		at := clk.Now().Add(wait)
		clk.waitTimer(t, at)
		clk.Advance(wait - time.Nanosecond)
		if n := f.numCalls(); n != i+1 {
			t.Fatalf("attempt %d: got %d calls before the backoff of %v passed, want %d", i+2, n, wait, i+1)
		}
		clk.Advance(time.Nanosecond)
	}
	f.waitCalls(t, 4)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestBackoffCeiling(t *testing.T) {
	cfg := defaultConfig()
	cfg.backoffBase, cfg.backoffMax = 100*time.Millisecond, 5*time.Second
	cfg.jitter = func(n int64) int64 { return n - 1 }
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{6, 3200 * time.Millisecond},
		{7, 5 * time.Second},
		{63, 5 * time.Second},
		{1000, 5 * time.Second},
	}
	for _, tt := range tests {
		if got := cfg.backoff(tt.attempts); got != tt.want {
			t.Errorf("backoff(%d): got %v, want %v", tt.attempts, got, tt.want)
		}
	}
	cfg.jitter = func(int64) int64 { return 0 }
	if got := cfg.backoff(3); got != 0 {
		t.Errorf("backoff with jitter 0: got %v, want 0", got)
	}
}

func TestCloseContextEndsReportsRest(t *testing.T) {
	f := newFakeClient()
	f.gate = make(chan struct{}) // never opens: requests wait for their context
	log := &failureLog{}
	p := mustNew(t, f, log.option(), WithMaxInFlight(1), WithLinger(0))
	putN(t, p, keysN(2), 3)
	f.waitCalls(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Close(ctx)
	var de *DeliveryError
	if !errors.As(err, &de) || de.Records != 6 || de.Reasons["not sent before close"] != 6 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: got %v, want 6 records not sent before close, wrapping context.Canceled", err)
	}
	fs := log.get()
	if len(fs) != 6 {
		t.Fatalf("got %d failures reported, want 6", len(fs))
	}
	// Reported oldest first, with the attempts made.
	for i, fl := range fs {
		want := fmt.Sprintf("k%03d/%d", i%2, i/2)
		if string(fl.Data) != want || !errors.Is(fl.Err, context.Canceled) {
			t.Errorf("failure %d: got %s (%v), want %s", i, fl.Data, fl.Err, want)
		}
	}
	if fs[0].Attempts != 1 || fs[2].Attempts != 0 {
		t.Errorf("got attempts %d and %d, want 1 for a record in flight and 0 for one never sent", fs[0].Attempts, fs[2].Attempts)
	}
	if s := p.Stats(); s.BufferedRecords != 0 || s.Failures != 6 {
		t.Errorf("got %d buffered and %d failures after Close, want 0 and 6", s.BufferedRecords, s.Failures)
	}
}

func TestNoGoroutinesAfterClose(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, tt := range []struct {
		name string
		gate bool
	}{{"delivered", false}, {"abandoned", true}} {
		f := newFakeClient()
		if tt.gate {
			f.gate = make(chan struct{})
		}
		p, err := New(f, "orders", WithMaxInFlight(8), WithLinger(0))
		if err != nil {
			t.Fatal(err)
		}
		putN(t, p, keysN(100), 5)
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		if !tt.gate {
			ctx, cancel = context.WithCancel(context.Background())
		}
		err = p.Close(ctx)
		cancel()
		if (err != nil) != tt.gate {
			t.Errorf("%s: Close: %v", tt.name, err)
		}
	}
	// Goroutines that called wg.Done may still be on their way out.
	deadline := time.Now().Add(hang)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("got %d goroutines after Close, want %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStatsAndLatency(t *testing.T) {
	clk := newFakeClock()
	f := newFakeClient()
	// Each call takes 5 ms on the fake clock.
	f.respond = func(call int, entries []entry) ([]string, error) {
		clk.Advance(time.Duration(call+1) * 5 * time.Millisecond)
		return nil, nil
	}
	p := mustNew(t, f, withClock(clk), WithLinger(time.Hour), WithMaxInFlight(1))
	putN(t, p, keysN(3), 1)
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	putN(t, p, []string{"long key"}, 1)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := p.Stats()
	want := Stats{
		RecordsPut: 4, RecordsSent: 4, BytesSent: 3*(4+6) + (8 + 10),
		Requests: 2, Entries: 4,
		RequestLatency: 15 * time.Millisecond, MaxRequestLatency: 10 * time.Millisecond,
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got.MeanRequestLatency() != 7500*time.Microsecond || got.EntriesPerRequest() != 2 {
		t.Errorf("got mean latency %v and %v entries per request, want 7.5ms and 2", got.MeanRequestLatency(), got.EntriesPerRequest())
	}
	if (Stats{}).MeanRequestLatency() != 0 || (Stats{}).EntriesPerRequest() != 0 {
		t.Error("got non-zero derived stats before any request")
	}
}

func TestStreamARNIsSent(t *testing.T) {
	arn := "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
	var got *string
	c := clientFunc(func(in *kinesis.PutRecordsInput) {
		if in.StreamName != nil {
			t.Errorf("got StreamName %q, want none with an ARN", *in.StreamName)
		}
		got = in.StreamARN
	})
	p, err := New(c, arn)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Put(context.Background(), "k", nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil || *got != arn {
		t.Errorf("got StreamARN %v, want %s", got, arn)
	}
}

func TestFill100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100k records")
	}
	p, err := New(nopClient{}, "orders")
	if err != nil {
		t.Fatal(err)
	}
	keys := keysN(10000)
	data := make([]byte, 100)
	for i := range 100_000 {
		if err := p.Put(context.Background(), keys[i%len(keys)], data); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := p.Stats().EntriesPerRequest(); got < 475 {
		t.Errorf("got %.1f entries per request, want at least 475 (95%% of 500)", got)
	}
}

// TestPutRacesClose puts from many goroutines while Close runs: every Put
// that returned nil is delivered, in order, and every other one returned
// ErrClosed.
func TestPutRacesClose(t *testing.T) {
	f := newFakeClient()
	p := mustNew(t, f, WithLinger(0), WithMaxBufferedBytes(mib))
	const goroutines = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	put := make(map[string]int)
	started := make(chan struct{}, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			key := fmt.Sprintf("g%d", g)
			for i := 0; ; i++ {
				if i == 10 {
					started <- struct{}{}
				}
				err := p.Put(context.Background(), key, fmt.Appendf(nil, "%s/%d", key, i))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				mu.Lock()
				put[key]++
				mu.Unlock()
			}
		})
	}
	for range goroutines {
		<-started
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	f.assertValid(t)
	f.assertStream(t, put, nil)
}
