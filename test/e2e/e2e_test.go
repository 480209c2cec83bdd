// Package e2e runs the whole StandardStream pattern locally against a real
// Kinesis API (kinesis-local): the producer writes, the local event-source
// mapping reads with Lambda's rules, and a kinesisbatch consumer handles,
// with poison records and injected failures. Run it with make e2e.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/standardstream/standardstream/internal/kinesislocal"
	"github.com/standardstream/standardstream/lambda/kinesisbatch"
	"github.com/standardstream/standardstream/localesm"
)

// The run's shape. kinesis-local slows down as a shard grows (writing 20,000
// records takes about 60 s into one shard and 4 s into 32), so the records
// are spread over many shards.
const (
	records   = 20000
	keys      = 120
	shards    = 32
	batchSize = 100
	// Every poisonEvery-th record of a few keys is poison: the consumer
	// always rejects it.
	poisonEvery = 1000
	// A record whose hash is 0 modulo transientEvery fails the first time
	// the consumer sees it; one whose hash is 0 modulo crashEvery makes the
	// first invocation that holds it fail after handling the batch, as a
	// function that crashes or times out late does.
	transientEvery = 53
	crashEvery     = 2003
	// Lambda's defaults are no limit; the StandardStream construct's are 3
	// retries with bisection, which the runner gets here too.
	retryAttempts = 3
)

// item is one record the test produces.
type item struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Key    string `json:"key"`
	N      int    `json:"n"` // the record's place among its key's records
	poison bool
}

// plan returns the records to produce, interleaving keys so that each key's
// records are spread over the run.
func plan() []item {
	items := make([]item, records)
	next := make(map[string]int, keys)
	for i := range items {
		key := fmt.Sprintf("customer-%03d", i%keys)
		n := next[key]
		next[key]++
		items[i] = item{
			ID:     fmt.Sprintf("%s/%05d", key, n),
			Type:   "order.created",
			Key:    key,
			N:      n,
			poison: i%poisonEvery == 7,
		}
	}
	return items
}

// data is what the producer writes for it: an event like the reference
// consumer's, or for a poison record, text that is not JSON.
func (it item) data() []byte {
	if it.poison {
		return []byte("poison " + it.ID)
	}
	b, _ := json.Marshal(it)
	return b
}

// idOf returns the ID of a record from its data.
func idOf(data []byte) (string, error) {
	if id, ok := strings.CutPrefix(string(data), "poison "); ok {
		return id, nil
	}
	var it item
	if err := json.Unmarshal(data, &it); err != nil || it.ID == "" {
		return "", fmt.Errorf("record data %.40q is neither an event nor poison", data)
	}
	return it.ID, nil
}

func hashOf(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}

// consumer is the consumer under test. It records the first handling of
// each record in order, per key, and counts every handling.
type consumer struct {
	mu        sync.Mutex
	handled   map[string]int   // handlings per record ID
	order     map[string][]int // per key, N of each record at its first handling
	seen      map[string]bool  // records the consumer has been given
	transient int              // injected failures
}

func newConsumer() *consumer {
	return &consumer{handled: map[string]int{}, order: map[string][]int{}, seen: map[string]bool{}}
}

var errPoison = errors.New("poison record")

// handle is the kinesisbatch.Func. Like the reference consumer it rejects a
// record that is not an event.
func (c *consumer) handle(_ context.Context, r kinesisbatch.Record) error {
	var it item
	if err := json.Unmarshal(r.Data, &it); err != nil {
		return fmt.Errorf("%w: %v", errPoison, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	first := !c.seen[it.ID]
	c.seen[it.ID] = true
	if first && hashOf(it.ID)%transientEvery == 0 {
		c.transient++
		return fmt.Errorf("downstream unavailable for %s", it.ID)
	}
	if c.handled[it.ID] == 0 {
		c.order[it.Key] = append(c.order[it.Key], it.N)
	}
	c.handled[it.ID]++
	return nil
}

// crasher wraps the consumer's Handler: the first invocation holding a crash
// record runs the batch, then fails as a whole.
type crasher struct {
	h       localesm.Handler
	mu      sync.Mutex
	crashed map[string]bool
}

func (c *crasher) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	resp, err := c.h.Invoke(ctx, payload)
	var e struct {
		Records []struct {
			Kinesis struct {
				Data []byte `json:"data"`
			} `json:"kinesis"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range e.Records {
		id, _ := idOf(r.Kinesis.Data)
		if hashOf(id)%crashEvery == 0 && !c.crashed[id] {
			c.crashed[id] = true
			return nil, fmt.Errorf("function crashed after handling a batch holding %s", id)
		}
	}
	return resp, err
}

// summary is the outcome of a run.
type summary struct {
	produced, handled, failed, lost, duplicates, violations int
}

func (s summary) String() string {
	return fmt.Sprintf("e2e: produced %d, handled %d, failure-destination %d, lost %d, duplicates %d, order violations %d",
		s.produced, s.handled, s.failed, s.lost, s.duplicates, s.violations)
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kinesis-local and moves 20,000 records; skipped with -short")
	}
	// The deadline only keeps a broken run from hanging until go test's
	// own timeout; a healthy run takes a fraction of it.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	server := kinesislocal.StartT(t)
	stream := kinesislocal.StreamName("e2e")
	if _, err := server.CreateStream(ctx, stream, shards); err != nil {
		t.Fatal(err)
	}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := newConsumer()
	fn := &crasher{
		h: kinesisbatch.New(c.handle,
			kinesisbatch.WithConcurrency(8),
			kinesisbatch.WithLogger(quiet),
			kinesisbatch.WithMetrics(io.Discard, "E2E")),
		crashed: map[string]bool{},
	}
	dest := &localesm.MemoryDestination{}
	runner, err := localesm.New(server.Client, stream, fn,
		localesm.WithBatchSize(batchSize),
		localesm.WithReportBatchItemFailures(),
		localesm.WithBisectBatchOnFunctionError(),
		localesm.WithMaximumRetryAttempts(retryAttempts),
		localesm.WithFailureDestination(dest),
		localesm.WithPollInterval(time.Second),
		localesm.WithLogger(quiet),
	)
	if err != nil {
		t.Fatal(err)
	}
	stopRunner := runner.Start(ctx)
	defer stopRunner()

	items := plan()
	start := time.Now()
	pstats, err := produce(ctx, server, stream, items)
	if err != nil {
		t.Fatal(err)
	}
	produced := time.Since(start)
	if err := runner.CaughtUp(ctx); err != nil {
		t.Fatalf("runner did not catch up: %v (Run: %v; stats %+v)", err, stopRunner(), runner.Stats())
	}
	if err := stopRunner(); err != nil {
		t.Fatalf("runner: %v", err)
	}
	t.Logf("produced in %v, consumed %v later\nproducer %+v\nrunner %+v", produced.Round(time.Millisecond),
		(time.Since(start) - produced).Round(time.Millisecond), pstats, runner.Stats())

	s, problems := check(t, items, c, dest)
	fmt.Println(s)
	for _, p := range problems {
		t.Error(p)
	}
	if s.lost > 0 || s.violations > 0 {
		t.Errorf("%d records lost and %d order violations, want 0 and 0", s.lost, s.violations)
	}

	// The run must have gone through every failure path, or it proves less
	// than it says.
	st := runner.Stats()
	if c.transient == 0 || st.PartialFailures == 0 || st.Bisections == 0 || st.FunctionErrors == 0 || s.failed == 0 {
		t.Errorf("failure paths not exercised: %d transient failures, runner %+v, %d records in the failure destination",
			c.transient, st, s.failed)
	}
}

// check compares what was produced with what was handled and what is in
// the failure destination.
func check(t *testing.T, items []item, c *consumer, dest *localesm.MemoryDestination) (summary, []string) {
	t.Helper()
	var problems []string
	failed := map[string]bool{}
	for _, f := range dest.Failures() {
		e, err := f.Event()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range e.Records {
			id, err := idOf(r.Kinesis.Data)
			if err != nil {
				problems = append(problems, "failure destination: "+err.Error())
				continue
			}
			failed[id] = true
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	s := summary{produced: len(items), handled: len(c.handled), failed: len(failed)}
	for _, it := range items {
		n := c.handled[it.ID]
		if n == 0 && !failed[it.ID] {
			s.lost++
			if s.lost <= 10 {
				problems = append(problems, fmt.Sprintf("record %s lost: neither handled nor in the failure destination", it.ID))
			}
		}
		if n > 1 {
			s.duplicates += n - 1
		}
		if it.poison && (n > 0 || !failed[it.ID]) {
			problems = append(problems, fmt.Sprintf("poison record %s: handled %d times, in the failure destination: %v; want 0 and true", it.ID, n, failed[it.ID]))
		}
	}
	for key, ns := range c.order {
		for i := 1; i < len(ns); i++ {
			if ns[i] <= ns[i-1] {
				s.violations++
				if s.violations <= 10 {
					problems = append(problems, fmt.Sprintf("key %s: record %d first handled after record %d", key, ns[i], ns[i-1]))
				}
			}
		}
	}
	if !slices.ContainsFunc(items, func(it item) bool { return it.poison }) {
		problems = append(problems, "the plan has no poison records")
	}
	return s, problems
}
