package localesm

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// closedStream has two shards: shard 0 closed after 10 records, as a
// parent shard after resharding, and shard 1 open with 5. GetRecords
// returns 3 records at most, so the shard's end comes in a later page than
// its first records.
func closedStream() *fakeStream {
	s := newFakeStream(2)
	s.closed = map[int]bool{0: true}
	s.pageSize = 3
	for i := range 10 {
		s.put(0, "a", []byte("x"), t0.Add(time.Duration(i)*time.Millisecond))
	}
	for i := range 5 {
		s.put(1, "b", []byte("y"), t0.Add(time.Duration(i)*time.Millisecond))
	}
	return s
}

// TestCaughtUpWithClosedShard: a closed shard whose records are all
// checkpointed counts as caught up, also when its end arrives while a
// batch is being gathered (a batching window gathers every page).
func TestCaughtUpWithClosedShard(t *testing.T) {
	for _, window := range []time.Duration{0, 50 * time.Millisecond} {
		t.Run("window "+window.String(), func(t *testing.T) {
			h := &recorder{script: func(int, []string) ([]byte, error) { return nil, nil }}
			r, err := New(closedStream(), "orders", h, WithBatchSize(100), WithMaxBatchingWindow(window),
				WithPollInterval(time.Millisecond), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				t.Fatal(err)
			}
			stop := r.Start(context.Background())
			defer stop()
			// A correct runner catches up in milliseconds; the deadline
			// only turns a hang into a failure.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := r.CaughtUp(ctx); err != nil {
				t.Fatalf("CaughtUp: %v (stats %+v)", err, r.Stats())
			}
			if got := r.Stats().RecordsCheckpointed; got != 15 {
				t.Errorf("got %d records checkpointed, want 15", got)
			}
		})
	}
}

// TestCaughtUpAfterRunEnds: when every shard is closed, Run returns by
// itself once it has dealt with all records, and CaughtUp then returns nil,
// every time.
func TestCaughtUpAfterRunEnds(t *testing.T) {
	s := closedStream()
	s.closed[1] = true
	h := &recorder{script: func(int, []string) ([]byte, error) { return nil, nil }}
	r, err := New(s, "orders", h, WithMaxBatchingWindow(20*time.Millisecond), WithPollInterval(time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run did not end by itself after every shard closed")
	}
	for i := range 100 {
		if err := r.CaughtUp(ctx); err != nil {
			t.Fatalf("CaughtUp call %d: %v, want nil", i, err)
		}
	}
}
