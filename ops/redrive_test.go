package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/standardstream/standardstream/internal/syncio"
	"github.com/standardstream/standardstream/localesm"
	"github.com/standardstream/standardstream/producer"
)

// testRecord is the data the tests produce.
type testRecord struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	N      int    `json:"n"` // the record's place among its key's records
	Poison bool   `json:"poison,omitempty"`
}

// consumer is a Lambda function for localesm that rejects poison records
// until it is fixed, and remembers what it handled.
type consumer struct {
	fixed atomic.Bool

	mu      sync.Mutex
	handled map[string]int    // by ID: times handled
	order   map[string][]int  // by key: N of records handled after the fix
	raw     map[string]string // by ID: the data as received
}

func newConsumer() *consumer {
	return &consumer{handled: map[string]int{}, order: map[string][]int{}, raw: map[string]string{}}
}

func (c *consumer) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	fixed := c.fixed.Load()
	var recs []testRecord
	for _, r := range ev.Records {
		var tr testRecord
		if err := json.Unmarshal(r.Kinesis.Data, &tr); err != nil {
			return nil, err
		}
		if tr.Poison && !fixed {
			return nil, fmt.Errorf("poison record %s", tr.ID)
		}
		recs = append(recs, tr)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, tr := range recs {
		c.handled[tr.ID]++
		c.raw[tr.ID] = string(ev.Records[i].Kinesis.Data)
		if fixed {
			c.order[tr.Key] = append(c.order[tr.Key], tr.N)
		}
	}
	return nil, nil
}

// TestRedriveEndToEnd: a consumer with poison records gives them up to an
// S3 failure destination (localesm writing Lambda's objects to the S3
// emulator); after the consumer is fixed, redrive puts every record back,
// the consumer handles them all, and a second redrive puts nothing.
func TestRedriveEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	k := kinesisT(t).Client
	stream := newStream(t, 2)
	bucket := newBucket(t)
	s3c := s3T(t)

	// given: 300 records of 12 keys, every 23rd poison; the data has
	// spacing and a newline, which must come back byte for byte.
	p, err := producer.New(k, stream, fastProducer...)
	if err != nil {
		t.Fatal(err)
	}
	const total, keys = 300, 12
	var all []string
	n := map[string]int{}
	for i := range total {
		key := fmt.Sprintf("customer-%02d", i%keys)
		tr := testRecord{ID: fmt.Sprintf("r-%03d", i), Key: key, N: n[key], Poison: i%23 == 5}
		n[key]++
		b, _ := json.Marshal(tr)
		b = append(bytes.Replace(b, []byte(`,"key"`), []byte(`, "key"`), 1), '\n')
		if err := p.Put(ctx, key, b); err != nil {
			t.Fatal(err)
		}
		all = append(all, tr.ID)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	c := newConsumer()
	runner, err := localesm.New(k, stream, c,
		localesm.WithBatchSize(25),
		localesm.WithMaximumRetryAttempts(1),
		localesm.WithBisectBatchOnFunctionError(),
		localesm.WithPollInterval(20*time.Millisecond),
		localesm.WithFailureDestination(localesm.S3Destination{Client: s3c, Bucket: bucket}),
		localesm.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
	if err != nil {
		t.Fatal(err)
	}
	stop := runner.Start(ctx)
	defer stop()
	if err := runner.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	givenUp := int(runner.Stats().RecordsGivenUp)
	objects := listKeys(t, bucket, "aws/lambda/")
	if givenUp == 0 || len(objects) == 0 {
		t.Fatalf("the consumer gave up %d records in %d objects; the test needs some", givenUp, len(objects))
	}
	c.mu.Lock()
	unhandled := len(all) - len(c.handled)
	c.mu.Unlock()
	if unhandled != givenUp {
		t.Fatalf("before the fix %d records were not handled, %d given up", unhandled, givenUp)
	}

	// when: the consumer is fixed and the failures are redriven
	c.fixed.Store(true)
	var out bytes.Buffer
	r := &Redriver{Kinesis: k, S3: s3c, Stream: stream, Out: &out, ProducerOptions: fastProducer, Progress: &syncio.Buffer{}, ProgressEvery: time.Millisecond}
	sum, err := r.FromS3(ctx, S3Location{Bucket: bucket})
	if err != nil {
		t.Fatalf("redrive: %v\n%s", err, out.String())
	}

	// then: every record given up is put back, and the consumer has now
	// handled every record, the redriven ones in order per key
	want := fmt.Sprintf("redrive: objects %d, records %d, put %d, failed 0, skipped 0", len(objects), givenUp, givenUp)
	if got := sum.RedriveLine(); got != want {
		t.Errorf("first redrive: got %q, want %q", got, want)
	}
	if err := runner.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	for _, id := range all {
		if c.handled[id] == 0 {
			t.Errorf("record %s was lost", id)
		}
	}
	for key, ns := range c.order {
		for i := 1; i < len(ns); i++ {
			if ns[i] <= ns[i-1] {
				t.Errorf("key %s: redriven records handled in order %v", key, ns)
				break
			}
		}
	}
	for id, data := range c.raw {
		if !strings.Contains(data, `, "key"`) || !strings.HasSuffix(data, "}\n") {
			t.Errorf("record %s came back changed: %q", id, data)
		}
	}
	c.mu.Unlock()
	if got := runner.Stats().RecordsGivenUp; int(got) != givenUp {
		t.Errorf("records given up after the fix: got %d, want %d", got, givenUp)
	}

	// and: a second redrive puts nothing
	sum2, err := r.FromS3(ctx, S3Location{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	want2 := fmt.Sprintf("redrive: objects %d, records %d, put 0, failed 0, skipped %d", len(objects), givenUp, givenUp)
	if got := sum2.RedriveLine(); got != want2 {
		t.Errorf("second redrive: got %q, want %q", got, want2)
	}
	// Markers are new objects only: one per failure object.
	if m := listKeys(t, bucket, MarkerPrefix); len(m) != len(objects) {
		t.Errorf("markers: got %d, want %d: %q", len(m), len(objects), m)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// cancelAfter cancels a context after the nth PutRecords call returns.
type cancelAfter struct {
	KinesisAPI
	calls  atomic.Int32
	after  int32
	cancel context.CancelFunc
}

func (c *cancelAfter) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	// A slow stream: the run is still handing objects to the producer
	// when it is interrupted.
	time.Sleep(5 * time.Millisecond)
	out, err := c.KinesisAPI.PutRecords(ctx, in, opts...)
	if c.calls.Add(1) == c.after {
		c.cancel()
	}
	return out, err
}

// writeFailures writes objects failure objects of perObject records each to
// bucket, as Lambda would, one second apart; it returns the records' data
// in order.
func writeFailures(t *testing.T, bucket string, objects, perObject, keys int) []string {
	t.Helper()
	dest := localesm.S3Destination{Client: s3T(t), Bucket: bucket}
	t0 := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	var all []string
	seq := 1000
	n := map[string]int{}
	for o := range objects {
		var ev events.KinesisEvent
		for range perObject {
			key := fmt.Sprintf("k%02d", seq%keys)
			data := fmt.Sprintf(`{"id":"s%05d","key":"%s","n":%d}`, seq, key, n[key])
			n[key]++
			ev.Records = append(ev.Records, events.KinesisEventRecord{Kinesis: events.KinesisRecord{
				PartitionKey: key, Data: []byte(data), SequenceNumber: fmt.Sprint(seq),
			}})
			all = append(all, data)
			seq++
		}
		payload, _ := json.Marshal(ev)
		f := &localesm.Failure{
			RequestContext: localesm.RequestContext{Condition: localesm.RetryAttemptsExhausted},
			Version:        "1.0",
			Timestamp:      localesm.Timestamp(t0.Add(time.Duration(o) * time.Second)),
			KinesisBatchInfo: localesm.BatchInfo{
				ShardID:             "shardId-000000000000",
				StartSequenceNumber: ev.Records[0].Kinesis.SequenceNumber,
				EndSequenceNumber:   ev.Records[len(ev.Records)-1].Kinesis.SequenceNumber,
				BatchSize:           perObject,
			},
			Payload:     payload,
			MappingUUID: "2e4ad2b6-8cd1-4d5e-9e6a-2a1f3c5b7d90",
		}
		if err := dest.Put(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	return all
}

// TestRedriveInterruptedAndResumed: a redrive cancelled part-way, then run
// again to completion, puts every record exactly once, in order per key.
func TestRedriveInterruptedAndResumed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	bucket := newBucket(t)
	// More objects than are flushed at once, so that the interruption
	// comes while objects are waiting.
	want := writeFailures(t, bucket, 3*maxFlushing, 10, 60)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	interrupting := &cancelAfter{KinesisAPI: k, after: 3, cancel: cancel}
	var out bytes.Buffer
	r := &Redriver{Kinesis: interrupting, S3: s3T(t), Stream: stream, Out: &out, ProducerOptions: fastProducer}
	sum1, err := r.FromS3(runCtx, S3Location{Bucket: bucket})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("interrupted redrive: got error %v, want interrupted", err)
	}
	if sum1.Put == 0 || sum1.Put >= len(want) || sum1.Failed != 0 {
		t.Fatalf("interrupted redrive: %s; want some but not all of %d records put, none failed", sum1.RedriveLine(), len(want))
	}
	if got := len(readStream(t, stream)); got != sum1.Put {
		t.Fatalf("after the interrupted redrive the stream holds %d records, the summary says %d put", got, sum1.Put)
	}

	r.Kinesis = k
	sum2, err := r.FromS3(ctx, S3Location{Bucket: bucket})
	if err != nil {
		t.Fatalf("resumed redrive: %v\n%s", err, out.String())
	}
	if sum2.Put+sum2.Skipped != len(want) || sum2.Skipped != sum1.Put || sum2.Records != len(want) {
		t.Errorf("resumed redrive: %s; want the other %d of %d records put", sum2.RedriveLine(), len(want)-sum1.Put, len(want))
	}

	got := readStream(t, stream)
	count := map[string]int{}
	for _, r := range got {
		count[string(r.data)]++
	}
	for _, d := range want {
		if count[d] != 1 {
			t.Errorf("record %s is on the stream %d times, want once", d, count[d])
		}
	}
	if len(got) != len(want) {
		t.Errorf("stream holds %d records, want %d", len(got), len(want))
	}
	// Order per key: the single shard holds each key's records by n.
	for key, datas := range byKey(got) {
		for i, d := range datas {
			if !strings.HasSuffix(d, fmt.Sprintf(`"n":%d}`, i)) {
				t.Errorf("key %s: record %d is %s", key, i, d)
				break
			}
		}
	}
}

// TestRedriveDryRunChangesNothing: a dry run reports and puts nothing, and
// writes no marker.
func TestRedriveDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	bucket := newBucket(t)
	want := writeFailures(t, bucket, 3, 5, 2)
	var out bytes.Buffer
	r := &Redriver{Kinesis: k, S3: s3T(t), Stream: stream, Out: &out, DryRun: true}
	sum, err := r.FromS3(ctx, S3Location{Bucket: bucket, Prefix: "aws/lambda/"})
	if err != nil {
		t.Fatal(err)
	}
	if got, w := sum.RedriveLine(), "redrive: objects 3, records 15, put 15, failed 0, skipped 0"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if n := strings.Count(out.String(), "would put 5 records of s3://"+bucket+"/aws/lambda/"); n != 3 {
		t.Errorf("dry run output: got\n%s\nwant a line per object", out.String())
	}
	if recs := readStream(t, stream); len(recs) != 0 {
		t.Errorf("dry run put %d records", len(recs))
	}
	if m := listKeys(t, bucket, MarkerPrefix); len(m) != 0 {
		t.Errorf("dry run wrote markers %q", m)
	}
	if len(want) != 15 {
		t.Fatalf("wrote %d records", len(want))
	}
}

// failingKinesis rejects every entry whose data contains a marker string.
type failingKinesis struct {
	KinesisAPI
	reject string
}

func (f *failingKinesis) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	keep := *in
	keep.Records = nil
	var idx []int
	for i, e := range in.Records {
		if !bytes.Contains(e.Data, []byte(f.reject)) {
			keep.Records = append(keep.Records, e)
			idx = append(idx, i)
		}
	}
	out := &kinesis.PutRecordsOutput{Records: make([]ktypes.PutRecordsResultEntry, len(in.Records))}
	for i := range out.Records {
		out.Records[i] = ktypes.PutRecordsResultEntry{ErrorCode: ptr("AccessDeniedException"), ErrorMessage: ptr("denied by the test")}
	}
	if len(keep.Records) > 0 {
		got, err := f.KinesisAPI.PutRecords(ctx, &keep, opts...)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			out.Records[i] = got.Records[j]
		}
	}
	failed := int32(0)
	for _, r := range out.Records {
		if r.ErrorCode != nil {
			failed++
		}
	}
	out.FailedRecordCount = &failed
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// TestRedriveFailedRecordsAreListedAndNotMarked: records the producer cannot
// put are listed with their object, fail the run, and are put by a later
// run; the records put the first time are not put again.
func TestRedriveFailedRecordsAreListedAndNotMarked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	bucket := newBucket(t)
	want := writeFailures(t, bucket, 2, 5, 3)
	var out bytes.Buffer
	r := &Redriver{Kinesis: &failingKinesis{KinesisAPI: k, reject: `"id":"s01002"`}, S3: s3T(t), Stream: stream, Out: &out, ProducerOptions: fastProducer}
	sum, err := r.FromS3(ctx, S3Location{Bucket: bucket})
	if err == nil || !strings.Contains(err.Error(), "1 records could not be put") {
		t.Errorf("got error %v, want 1 record not put", err)
	}
	if got, w := sum.RedriveLine(), "redrive: objects 2, records 10, put 9, failed 1, skipped 0"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if !strings.Contains(out.String(), "failed: s3://"+bucket+"/aws/lambda/") || !strings.Contains(out.String(), "record 1002") || !strings.Contains(out.String(), "AccessDeniedException") {
		t.Errorf("output does not list the failed record with its object:\n%s", out.String())
	}

	r.Kinesis = k
	sum, err = r.FromS3(ctx, S3Location{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if got, w := sum.RedriveLine(), "redrive: objects 2, records 10, put 1, failed 0, skipped 9"; got != w {
		t.Errorf("second run: got %q, want %q", got, w)
	}
	if got := readStream(t, stream); len(got) != len(want) {
		t.Errorf("stream holds %d records, want %d", len(got), len(want))
	}
}
