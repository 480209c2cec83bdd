// Package e2e runs the whole StandardStream pattern locally against a real
// Kinesis API (kinesis-local) under faults: the producer writes and the
// local event-source mapping reads through a proxy that resets
// connections, answers 500 and 503, throttles requests and PutRecords
// entries and adds latency; the consumer, a kinesisbatch Lambda binary
// behind localesm's Runtime API, rejects poison records, fails some
// records once, and kills its own process part-way through some batches.
// Nothing may be lost and no key may go out of order. Run it with make e2e.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/standardstream/standardstream/internal/faultproxy"
	"github.com/standardstream/standardstream/internal/syncio"
	"github.com/standardstream/standardstream/kinesislocal"
	"github.com/standardstream/standardstream/localesm"
)

// The run's shape. kinesis-local slows down as a shard grows, so the
// records are spread over several shards; the producer moves one record per
// key per round trip (that is how it keeps each key's order), so there are
// many keys.
const (
	records   = 4000
	keys      = 200
	shards    = 16
	batchSize = 100
	// environments is how many consumer processes take invocations; the
	// shards share them.
	environments = 8
	// Every poisonEvery-th record is poison: the consumer always rejects it.
	poisonEvery = 1000
	// A record whose hash is 0 modulo transientEvery fails the first time
	// the consumer sees it; one whose hash is 0 modulo crashEvery kills
	// the consumer's process the first time, in the middle of its batch.
	transientEvery = 53
	crashEvery     = 1009
	// Lambda's defaults are no limit; the StandardStream construct's are 3
	// retries with bisection, which the runner gets here too.
	retryAttempts = 3
)

// faults is what the proxy injects, per request of the hot path
// (PutRecords, GetRecords, GetShardIterator). With a fixed seed the faults
// of the first n requests are fixed: each kind comes within the first 20,
// and a run makes hundreds.
var faults = faultproxy.Config{
	Operations:     []string{"PutRecords", "GetRecords", "GetShardIterator"},
	Resets:         0.03,
	ServerErrors:   0.03,
	Throttles:      0.04,
	EntryThrottles: 0.02,
	Latency:        5 * time.Millisecond,
	Seed:           1,
}

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

// data is what the producer writes for it: an event, or for a poison
// record, text that is not JSON.
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

// summary is the outcome of a run.
type summary struct {
	produced, handled, failed, lost, duplicates, violations int
	resets, serverErrors, throttled, crashes                int64
}

func (s summary) String() string {
	return fmt.Sprintf("e2e: produced %d, handled %d, failure-destination %d, lost %d, duplicates %d, order violations %d (faults: resets %d, 5xx %d, throttled %d, crashes %d)",
		s.produced, s.handled, s.failed, s.lost, s.duplicates, s.violations, s.resets, s.serverErrors, s.throttled, s.crashes)
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kinesis-local and moves 4,000 records through faults; skipped with -short")
	}
	// The deadline only keeps a broken run from hanging until go test's
	// own timeout; a healthy run takes a fraction of it.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The consumer is this test binary (consumer_test.go): nothing to build.
	consumerBin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	server := kinesislocal.StartT(t)
	stream := kinesislocal.StreamName("e2e")
	if _, err := server.CreateStream(ctx, stream, shards); err != nil {
		t.Fatal(err)
	}

	cfg := faults
	cfg.Target = server.Endpoint
	proxy, err := faultproxy.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	// No SDK retries: every fault reaches the producer's and the runner's
	// own handling, which is what the test is about.
	client := kinesislocal.NewClient(proxy.URL)
	noRetries := func(o *kinesis.Options) { o.Retryer = aws.NopRetryer{} }
	client = kinesis.New(client.Options(), noRetries)

	dir := t.TempDir()
	var consumerOut bytes.Buffer
	fn, err := localesm.NewProcess(localesm.ProcessConfig{
		Path:        consumerBin,
		Concurrency: environments,
		Output:      syncio.NewWriter(&consumerOut),
		Env: []string{"E2E_DIR=" + dir,
			"E2E_TRANSIENT_EVERY=" + strconv.Itoa(transientEvery), "E2E_CRASH_EVERY=" + strconv.Itoa(crashEvery)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dest := &localesm.MemoryDestination{}
	runner, err := localesm.New(client, stream, fn,
		localesm.WithBatchSize(batchSize),
		localesm.WithReportBatchItemFailures(),
		localesm.WithBisectBatchOnFunctionError(),
		localesm.WithMaximumRetryAttempts(retryAttempts),
		localesm.WithFailureDestination(dest),
		// Lambda polls an idle shard once a second; the run is short.
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
	pstats, err := produce(ctx, client, stream, items)
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
	fn.Close()
	t.Logf("produced in %v, consumed %v later\nproducer %+v\nrunner %+v\nproxy %+v", produced.Round(time.Millisecond),
		(time.Since(start) - produced).Round(time.Millisecond), pstats, runner.Stats(), proxy.Stats())

	j, err := readJournal(filepath.Join(dir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	s, problems := check(t, items, j, dest)
	ps := proxy.Stats()
	s.resets, s.serverErrors, s.throttled, s.crashes = ps.Resets, ps.ServerErrors, ps.Throttled(), int64(j.crashes)
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
	if j.transient == 0 || st.PartialFailures == 0 || st.Bisections == 0 || st.FunctionErrors < int64(j.crashes) || s.failed == 0 {
		t.Errorf("failure paths not exercised: %d transient failures, runner %+v, %d records in the failure destination",
			j.transient, st, s.failed)
	}
	if s.resets == 0 || s.serverErrors == 0 || ps.ThrottledRequests == 0 || ps.ThrottledEntries == 0 || s.crashes == 0 ||
		pstats.Retries == 0 || st.ReadRetries == 0 {
		t.Errorf("faults not all injected and met: proxy %+v, %d crashes, producer retries %d, runner read retries %d",
			ps, s.crashes, pstats.Retries, st.ReadRetries)
	}
	if t.Failed() {
		t.Logf("consumer output (last 4 KiB):\n%s", tailOf(consumerOut.Bytes(), 4096))
	}
}

// journal is what the consumer processes wrote, in order.
type journal struct {
	handled   map[string]int      // handlings per record ID
	order     map[string][]string // per key, the IDs at their first handling
	transient int                 // injected record failures
	crashes   int                 // processes killed
}

func readJournal(path string) (*journal, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	j := &journal{handled: map[string]int{}, order: map[string][]string{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		tag, id, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			return nil, fmt.Errorf("journal line %q: want <tag> <id>", sc.Text())
		}
		switch tag {
		case "H":
			if j.handled[id] == 0 {
				key, _, _ := strings.Cut(id, "/")
				j.order[key] = append(j.order[key], id)
			}
			j.handled[id]++
		case "T":
			j.transient++
		case "C":
			j.crashes++
		default:
			return nil, fmt.Errorf("journal line %q: unknown tag", sc.Text())
		}
	}
	return j, sc.Err()
}

// check compares what was produced with what was handled and what is in
// the failure destination.
func check(t *testing.T, items []item, j *journal, dest *localesm.MemoryDestination) (summary, []string) {
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

	byID := make(map[string]item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	s := summary{produced: len(items), handled: len(j.handled), failed: len(failed)}
	for _, it := range items {
		n := j.handled[it.ID]
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
	for key, ids := range j.order {
		for i := 1; i < len(ids); i++ {
			if byID[ids[i]].N <= byID[ids[i-1]].N {
				s.violations++
				if s.violations <= 10 {
					problems = append(problems, fmt.Sprintf("key %s: record %s first handled after record %s", key, ids[i], ids[i-1]))
				}
			}
		}
	}
	if !slices.ContainsFunc(items, func(it item) bool { return it.poison }) {
		problems = append(problems, "the plan has no poison records")
	}
	return s, problems
}

func tailOf(b []byte, n int) []byte { return b[max(0, len(b)-n):] }
