package localesm

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./localesm -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", path, got, want)
	}
}

func testRecords(t *testing.T) []record {
	t.Helper()
	src := source{
		shardID:   "shardId-000000000006",
		streamARN: "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
		region:    "us-east-2",
		account:   "123456789012",
		identity:  "arn:aws:iam::123456789012:role/localesm",
	}
	in := []types.Record{
		{
			PartitionKey:                aws.String("1"),
			SequenceNumber:              aws.String("49590338271490256608559692538361571095921575989136588898"),
			Data:                        []byte("Hello, this is a test."),
			ApproximateArrivalTimestamp: aws.Time(time.UnixMilli(1545084650987)),
		},
		{
			PartitionKey:                aws.String("1"),
			SequenceNumber:              aws.String("49590338271490256608559692540925702759324208523137515618"),
			Data:                        []byte("This is only a test."),
			ApproximateArrivalTimestamp: aws.Time(time.UnixMilli(1545084711000)),
			EncryptionType:              types.EncryptionTypeKms,
		},
	}
	var recs []record
	for _, r := range in {
		rec, err := newRecord(src, r)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// TestEvent pins the event to the example in Lambda's documentation
// ("Using Lambda to process records from Amazon Kinesis Data Streams").
func TestEvent(t *testing.T) {
	var indented bytes.Buffer
	if err := json.Indent(&indented, payload(testRecords(t)), "", "  "); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	golden(t, "event.json", indented.Bytes())
}

// TestEventDecodes checks that kinesisbatch reads every field of the event.
func TestEventDecodes(t *testing.T) {
	var got []kinesisbatch.Record
	h := kinesisbatch.New(func(_ context.Context, r kinesisbatch.Record) error {
		got = append(got, r)
		return nil
	}, kinesisbatch.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), kinesisbatch.WithMetrics(io.Discard, "Test"))
	resp, err := h.Invoke(context.Background(), payload(testRecords(t)))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp) != `{"batchItemFailures":[]}` {
		t.Errorf("got response %s, want no failures", resp)
	}
	if len(got) != 2 {
		t.Fatalf("got %d records, want 2", len(got))
	}
	r := got[0]
	if r.ShardID != "shardId-000000000006" || r.PartitionKey != "1" || string(r.Data) != "Hello, this is a test." ||
		r.EventSourceARN != "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream" ||
		!r.ApproximateArrivalTimestamp.Equal(time.UnixMilli(1545084650987)) {
		t.Errorf("got %+v", r)
	}
}

func TestDirDestination(t *testing.T) {
	dir := t.TempDir()
	d := DirDestination{Dir: dir}
	recs := testRecords(t)
	f := &Failure{
		RequestContext:  RequestContext{RequestID: "c9b8fa9f-5a7f-4d3c-af9c-0c604cde93a5", FunctionArn: "arn:aws:lambda:us-east-2:123456789012:function:localesm", Condition: RetryAttemptsExhausted, ApproximateInvokeCount: 1},
		ResponseContext: &ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"},
		Version:         "1.0",
		Timestamp:       Timestamp(time.Date(2019, 11, 14, 0, 38, 6, 21e6, time.UTC)),
		KinesisBatchInfo: BatchInfo{
			ShardID: "shardId-000000000006", StartSequenceNumber: recs[0].seq, EndSequenceNumber: recs[1].seq,
			ApproximateArrivalOfFirstRecord: Timestamp(recs[0].arrival), ApproximateArrivalOfLastRecord: Timestamp(recs[1].arrival),
			BatchSize: 2, StreamArn: "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
		},
		Payload:     payload(recs),
		MappingUUID: "14e0db71-5d35-4eb5-b481-8945cf9d10c2",
	}
	if err := d.Put(context.Background(), f); err != nil {
		t.Fatal(err)
	}

	var paths []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			paths = append(paths, filepath.ToSlash(rel))
		}
		return err
	})
	key := regexp.MustCompile(`^aws/lambda/14e0db71-5d35-4eb5-b481-8945cf9d10c2/shardId-000000000006/2019/11/14/2019-11-14T00\.38\.06-[0-9a-f-]{36}$`)
	if len(paths) != 1 || !key.MatchString(paths[0]) {
		t.Fatalf("got files %v, want one matching %s", paths, key)
	}
	raw, err := os.ReadFile(filepath.Join(dir, paths[0]))
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	golden(t, "failure.json", indented.Bytes())

	back, err := d.Failures()
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].MappingUUID != f.MappingUUID || back[0].KinesisBatchInfo.BatchSize != 2 {
		t.Fatalf("read back %+v", back)
	}
	e, err := back[0].Event()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Records) != 2 || string(e.Records[1].Kinesis.Data) != "This is only a test." {
		t.Errorf("got payload records %+v", e.Records)
	}
}
