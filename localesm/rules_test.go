package localesm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// t0 is when the fake records arrive.
var t0 = time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)

// script decides an invocation's outcome from its number (from 1) and the
// sequence numbers of its records.
type script func(call int, seqs []string) ([]byte, error)

// recorder is a Handler that records each invocation's sequence numbers and
// answers as its script says.
type recorder struct {
	mu     sync.Mutex
	calls  [][]string
	script script
}

func (h *recorder) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var e events.KinesisEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, err
	}
	seqs := make([]string, len(e.Records))
	for i, r := range e.Records {
		seqs[i] = r.Kinesis.SequenceNumber
	}
	h.mu.Lock()
	h.calls = append(h.calls, seqs)
	n := len(h.calls)
	h.mu.Unlock()
	return h.script(n, seqs)
}

// runToEnd runs a Runner over s until it has dealt with every record, and
// returns it. Retries do not wait.
func runToEnd(t *testing.T, s *fakeStream, h Handler, opts ...Option) *Runner {
	t.Helper()
	opts = append([]Option{WithPollInterval(time.Millisecond), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)
	r, err := New(s, "orders", h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.retryDelay = func(int) time.Duration { return 0 }
	runUntilCaughtUp(t, r)
	return r
}

func runUntilCaughtUp(t *testing.T, r *Runner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	// The timeout only keeps a broken runner from hanging the test.
	wait, waitCancel := context.WithTimeout(context.Background(), time.Minute)
	defer waitCancel()
	if err := r.CaughtUp(wait); err != nil {
		t.Errorf("CaughtUp: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// seqs returns the sequence numbers from..to of a fake stream.
func seqs(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, fmt.Sprint(i))
	}
	return s
}

func report(seqs ...string) []byte {
	var items []string
	for _, s := range seqs {
		items = append(items, fmt.Sprintf(`{"itemIdentifier":%q}`, s))
	}
	return []byte(`{"batchItemFailures":[` + strings.Join(items, ",") + `]}`)
}

// given is a failure destination's content, in short.
type given struct {
	condition     string
	seqs          []string
	invokes       int
	functionError string
	noResponse    bool // ResponseContext is nil
}

func TestRules(t *testing.T) {
	errPoison := errors.New("poison")
	tests := []struct {
		name    string
		records int // 1001, 1002, ...
		opts    []Option
		script  script
		calls   [][]string
		given   []given
		stats   Stats
	}{
		{
			name:    "batches of BatchSize",
			records: 5,
			opts:    []Option{WithBatchSize(2)},
			script:  func(int, []string) ([]byte, error) { return nil, nil },
			calls:   [][]string{seqs(1001, 1002), seqs(1003, 1004), seqs(1005, 1005)},
			stats:   Stats{RecordsCheckpointed: 5, Invocations: 3},
		},
		{
			name:    "partial failure retries from the lowest reported record",
			records: 6,
			opts:    []Option{WithReportBatchItemFailures()},
			script: func(call int, _ []string) ([]byte, error) {
				if call == 1 {
					return report("1005", "1003"), nil
				}
				return []byte(`{"batchItemFailures":[]}`), nil
			},
			calls: [][]string{seqs(1001, 1006), seqs(1003, 1006)},
			stats: Stats{RecordsCheckpointed: 6, Invocations: 2, PartialFailures: 1, Retries: 1},
		},
		{
			name:    "without ReportBatchItemFailures the response is ignored",
			records: 3,
			script:  func(int, []string) ([]byte, error) { return report("1002"), nil },
			calls:   [][]string{seqs(1001, 1003)},
			stats:   Stats{RecordsCheckpointed: 3, Invocations: 1},
		},
		{
			name:    "null, empty and list-less responses are successes",
			records: 3,
			opts:    []Option{WithReportBatchItemFailures(), WithBatchSize(1)},
			script: func(call int, _ []string) ([]byte, error) {
				return [][]byte{nil, []byte("null"), []byte(`{"batchItemFailures":null}`)}[call-1], nil
			},
			calls: [][]string{{"1001"}, {"1002"}, {"1003"}},
			stats: Stats{RecordsCheckpointed: 3, Invocations: 3},
		},
		{
			name:    "an itemIdentifier not in the batch fails the whole batch",
			records: 3,
			opts:    []Option{WithReportBatchItemFailures(), WithBisectBatchOnFunctionError()},
			script: func(call int, _ []string) ([]byte, error) {
				if call == 1 {
					return report("999"), nil
				}
				return nil, nil
			},
			calls: [][]string{seqs(1001, 1003), seqs(1001, 1003)},
			stats: Stats{RecordsCheckpointed: 3, Invocations: 2, InvalidResponses: 1, Retries: 1},
		},
		{
			name:    "an empty or null itemIdentifier fails the whole batch",
			records: 2,
			opts:    []Option{WithReportBatchItemFailures()},
			script: func(call int, _ []string) ([]byte, error) {
				switch call {
				case 1:
					return []byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`), nil
				case 2:
					return []byte(`{"batchItemFailures":[{"itemIdentifer":"1001"}]}`), nil // misspelt: null
				}
				return nil, nil
			},
			calls: [][]string{seqs(1001, 1002), seqs(1001, 1002), seqs(1001, 1002)},
			stats: Stats{RecordsCheckpointed: 2, Invocations: 3, InvalidResponses: 2, Retries: 2},
		},
		{
			name:    "a response that is not JSON fails the whole batch",
			records: 2,
			opts:    []Option{WithReportBatchItemFailures()},
			script: func(call int, _ []string) ([]byte, error) {
				if call == 1 {
					return []byte("ok"), nil
				}
				return nil, nil
			},
			calls: [][]string{seqs(1001, 1002), seqs(1001, 1002)},
			stats: Stats{RecordsCheckpointed: 2, Invocations: 2, InvalidResponses: 1, Retries: 1},
		},
		{
			name:    "bisect isolates a poison record without consuming retries",
			records: 4,
			opts:    []Option{WithBisectBatchOnFunctionError(), WithMaximumRetryAttempts(0)},
			script: func(_ int, s []string) ([]byte, error) {
				if slices.Contains(s, "1003") {
					return nil, errPoison
				}
				return nil, nil
			},
			calls: [][]string{seqs(1001, 1004), seqs(1001, 1002), seqs(1003, 1004), {"1003"}, {"1004"}},
			given: []given{{condition: RetryAttemptsExhausted, seqs: []string{"1003"}, invokes: 3, functionError: "Unhandled"}},
			stats: Stats{RecordsCheckpointed: 3, RecordsGivenUp: 1, Invocations: 5, FunctionErrors: 3, Bisections: 2},
		},
		{
			name:    "function errors retry the whole batch until retries run out",
			records: 2,
			opts:    []Option{WithMaximumRetryAttempts(2)},
			script:  func(int, []string) ([]byte, error) { return nil, errPoison },
			calls:   [][]string{seqs(1001, 1002), seqs(1001, 1002), seqs(1001, 1002)},
			given:   []given{{condition: RetryAttemptsExhausted, seqs: seqs(1001, 1002), invokes: 3, functionError: "Unhandled"}},
			stats:   Stats{RecordsGivenUp: 2, Invocations: 3, FunctionErrors: 3, Retries: 2},
		},
		{
			name:    "partial failures give up the records from the checkpoint on",
			records: 4,
			opts:    []Option{WithReportBatchItemFailures(), WithBisectBatchOnFunctionError(), WithMaximumRetryAttempts(1)},
			script:  func(int, []string) ([]byte, error) { return report("1003", "1004"), nil },
			calls:   [][]string{seqs(1001, 1004), seqs(1003, 1004)},
			given:   []given{{condition: RetryAttemptsExhausted, seqs: seqs(1003, 1004), invokes: 2}},
			stats:   Stats{RecordsCheckpointed: 2, RecordsGivenUp: 2, Invocations: 2, PartialFailures: 2, Retries: 1},
		},
		{
			name:    "a panic is a function error",
			records: 1,
			opts:    []Option{WithMaximumRetryAttempts(1)},
			script: func(call int, _ []string) ([]byte, error) {
				if call == 1 {
					panic("boom")
				}
				return nil, nil
			},
			calls: [][]string{{"1001"}, {"1001"}},
			stats: Stats{RecordsCheckpointed: 1, Invocations: 2, FunctionErrors: 1, Retries: 1},
		},
		{
			name:    "unlimited retries go on until the batch succeeds",
			records: 1,
			script: func(call int, _ []string) ([]byte, error) {
				if call < 4 {
					return nil, errPoison
				}
				return nil, nil
			},
			calls: [][]string{{"1001"}, {"1001"}, {"1001"}, {"1001"}},
			stats: Stats{RecordsCheckpointed: 1, Invocations: 4, FunctionErrors: 3, Retries: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeStream(1)
			for i := range tt.records {
				s.put(0, fmt.Sprint("key-", i%2), []byte("x"), t0)
			}
			h := &recorder{script: tt.script}
			dest := &MemoryDestination{}
			r := runToEnd(t, s, h, append(tt.opts, WithFailureDestination(dest))...)

			if !slices.EqualFunc(h.calls, tt.calls, slices.Equal) {
				t.Errorf("got invocations %v, want %v", h.calls, tt.calls)
			}
			checkGiven(t, dest, tt.given)
			got := r.Stats()
			tt.stats.Shards, tt.stats.RecordsRead = 1, int64(tt.records)
			if got != tt.stats {
				t.Errorf("got stats %+v, want %+v", got, tt.stats)
			}
		})
	}
}

func checkGiven(t *testing.T, dest *MemoryDestination, want []given) {
	t.Helper()
	fs := dest.Failures()
	if len(fs) != len(want) {
		t.Fatalf("got %d failures, want %d", len(fs), len(want))
	}
	for i, f := range fs {
		e, err := f.Event()
		if err != nil {
			t.Fatal(err)
		}
		var got given
		got.condition = f.RequestContext.Condition
		got.invokes = f.RequestContext.ApproximateInvokeCount
		got.noResponse = f.ResponseContext == nil
		if f.ResponseContext != nil {
			got.functionError = f.ResponseContext.FunctionError
		}
		for _, r := range e.Records {
			got.seqs = append(got.seqs, r.Kinesis.SequenceNumber)
		}
		w := want[i]
		if got.condition != w.condition || got.invokes != w.invokes || got.functionError != w.functionError ||
			got.noResponse != w.noResponse || !slices.Equal(got.seqs, w.seqs) {
			t.Errorf("failure %d: got %+v, want %+v", i, got, w)
		}
		info := f.KinesisBatchInfo
		if info.StartSequenceNumber != w.seqs[0] || info.EndSequenceNumber != w.seqs[len(w.seqs)-1] ||
			info.BatchSize != len(w.seqs) || info.ShardID != shardID(0) || info.StreamArn != fakeARN {
			t.Errorf("failure %d: got batch info %+v for records %v", i, info, w.seqs)
		}
	}
}

// TestMaximumRecordAge checks that records past the age go to the
// destination uninvoked, and the younger rest of the batch is invoked.
func TestMaximumRecordAge(t *testing.T) {
	s := newFakeStream(1)
	s.put(0, "a", []byte("x"), t0)
	s.put(0, "b", []byte("x"), t0.Add(time.Second))
	s.put(0, "a", []byte("x"), t0.Add(10*time.Minute))
	h := &recorder{script: func(int, []string) ([]byte, error) { return nil, nil }}
	dest := &MemoryDestination{}
	r, err := New(s, "orders", h, WithPollInterval(time.Millisecond), WithMaximumRecordAge(5*time.Minute), WithFailureDestination(dest),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	r.now = func() time.Time { return t0.Add(11 * time.Minute) }
	runUntilCaughtUp(t, r)

	if want := [][]string{{"1003"}}; !slices.EqualFunc(h.calls, want, slices.Equal) {
		t.Errorf("got invocations %v, want %v", h.calls, want)
	}
	checkGiven(t, dest, []given{{condition: RecordAgeExceeded, seqs: seqs(1001, 1002), noResponse: true}})
}

// TestFunctionTimeout checks that an invocation that outlives its deadline
// is a function error.
func TestFunctionTimeout(t *testing.T) {
	s := newFakeStream(1)
	s.put(0, "a", []byte("x"), t0)
	calls := 0
	h := HandlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		calls++
		if calls == 1 {
			<-ctx.Done() // returns only after the deadline
		}
		return nil, nil
	})
	r := runToEnd(t, s, h, WithFunctionTimeout(time.Millisecond))
	if got := r.Stats(); got.FunctionErrors != 1 || got.RecordsCheckpointed != 1 {
		t.Errorf("got %d function errors and %d records checkpointed, want 1 and 1", got.FunctionErrors, got.RecordsCheckpointed)
	}
}

// TestPayloadLimit checks that a batch stops short of Lambda's 6 MB
// payload limit.
func TestPayloadLimit(t *testing.T) {
	s := newFakeStream(1)
	big := make([]byte, 1<<20) // 1 MiB, the largest Kinesis record; 1.4 MB in base64
	for range 6 {
		s.put(0, "a", big, t0)
	}
	h := &recorder{script: func(int, []string) ([]byte, error) { return nil, nil }}
	runToEnd(t, s, h, WithBatchSize(10))
	if want := [][]string{seqs(1001, 1004), seqs(1005, 1006)}; !slices.EqualFunc(h.calls, want, slices.Equal) {
		t.Errorf("got invocations %v, want %v", h.calls, want)
	}
}

// TestBatchingWindow checks that with a window the runner waits for a full
// batch instead of invoking with the records it has.
func TestBatchingWindow(t *testing.T) {
	s := newFakeStream(1)
	for range 3 {
		s.put(0, "a", []byte("x"), t0)
	}
	h := &recorder{script: func(int, []string) ([]byte, error) { return nil, nil }}
	r, err := New(s, "orders", h, WithPollInterval(time.Millisecond), WithBatchSize(5), WithMaxBatchingWindow(300*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for r.Stats().RecordsRead < 3 {
		time.Sleep(time.Millisecond)
	}
	for range 2 {
		s.put(0, "a", []byte("x"), t0)
	}
	wait, waitCancel := context.WithTimeout(context.Background(), time.Minute)
	defer waitCancel()
	if err := r.CaughtUp(wait); err != nil {
		t.Error(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if want := [][]string{seqs(1001, 1005)}; !slices.EqualFunc(h.calls, want, slices.Equal) {
		t.Errorf("got invocations %v, want %v", h.calls, want)
	}
}

// TestShardsInParallel checks that every shard is read, and that a batch
// never mixes shards.
func TestShardsInParallel(t *testing.T) {
	s := newFakeStream(3)
	for i := range 30 {
		s.put(i%3, "k", []byte("x"), t0)
	}
	var mu sync.Mutex
	got := map[string]int{}
	h := HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) {
		var e events.KinesisEvent
		if err := json.Unmarshal(p, &e); err != nil {
			return nil, err
		}
		shard, _, _ := strings.Cut(e.Records[0].EventID, ":")
		mu.Lock()
		defer mu.Unlock()
		for _, r := range e.Records {
			if s, _, _ := strings.Cut(r.EventID, ":"); s != shard {
				return nil, fmt.Errorf("batch mixes %s and %s", shard, s)
			}
			got[shard]++
		}
		return nil, nil
	})
	r := runToEnd(t, s, h, WithBatchSize(4))
	want := map[string]int{shardID(0): 10, shardID(1): 10, shardID(2): 10}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got records per shard %v, want %v", got, want)
	}
	if st := r.Stats(); st.FunctionErrors != 0 || st.Shards != 3 {
		t.Errorf("got %+v, want 3 shards and no function errors", st)
	}
}

func TestNewValidates(t *testing.T) {
	s := newFakeStream(1)
	h := HandlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil })
	tests := []struct {
		opt  Option
		want string
	}{
		{WithBatchSize(0), "localesm: WithBatchSize: batch size must be 1-10000, got 0"},
		{WithBatchSize(10001), "localesm: WithBatchSize: batch size must be 1-10000, got 10001"},
		{WithMaxBatchingWindow(301 * time.Second), "localesm: WithMaxBatchingWindow: window must be 0-5m0s, got 5m1s"},
		{WithMaximumRetryAttempts(-2), "localesm: WithMaximumRetryAttempts: attempts must be -1-10000, got -2"},
		{WithMaximumRecordAge(time.Second), "localesm: WithMaximumRecordAge: age must be 1m0s-168h0m0s, got 1s"},
		{WithFunctionTimeout(901 * time.Second), "localesm: WithFunctionTimeout: timeout must be 1ms-15m0s, got 15m1s"},
		{WithPollInterval(0), "localesm: WithPollInterval: interval must be positive, got 0s"},
		{WithLogger(nil), "localesm: WithLogger: logger is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := New(s, "orders", h, tt.opt)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got error %v, want %s", err, tt.want)
			}
		})
	}
	if _, err := New(s, "orders", h); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// TestCaughtUpAfterRunFails checks that CaughtUp does not wait for a runner
// that has stopped.
func TestCaughtUpAfterRunFails(t *testing.T) {
	h := HandlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil })
	r, err := New(failingClient{newFakeStream(1)}, "orders", h)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "localesm: list shards of orders: stream gone") {
		t.Errorf("got Run error %v, want one saying the shards could not be listed", err)
	}
	if err := r.CaughtUp(context.Background()); !errors.Is(err, errStopped) {
		t.Errorf("got CaughtUp error %v, want %v", err, errStopped)
	}
}

type failingClient struct{ *fakeStream }

func (failingClient) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	return nil, errors.New("stream gone")
}
