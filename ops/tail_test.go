package ops

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/standardstream/standardstream/internal/syncio"
	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
)

// tailLines returns the records that tail printed to out, a line each.
func tailLines(printed *syncio.Buffer) []TailRecord {
	var out []TailRecord
	sc := bufio.NewScanner(bytes.NewReader(printed.Bytes()))
	for sc.Scan() {
		var r TailRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			panic(fmt.Sprintf("tail printed a line that is not JSON: %q", sc.Text()))
		}
		out = append(out, r)
	}
	return out
}

// TestTailFollowsResharding: a tail from trim-horizon prints the records
// already in the stream, then those that arrive in the child shards after
// the stream is resharded while it runs; JSON data as JSON, other data as
// base64; records failing the schema marked.
func TestTailFollowsResharding(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	put := func(key string, data []byte) {
		t.Helper()
		if _, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(key), Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	put("a", []byte(`{"id": 1}`))
	put("b", []byte{0xff, 0x00, 0x01})
	put("c", []byte(`{"no":"id"}`))

	s, err := schema.Compile([]byte(`{"type":"object","required":["id"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var out syncio.Buffer
	from, _ := ParseTailFrom("trim-horizon")
	tl := &Tailer{Kinesis: k, Stream: stream, From: from, Limit: 13, Out: &out, Validate: s.Validate, Poll: 20 * time.Millisecond}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() { n, err := tl.Run(ctx); done <- result{n, err} }()

	for len(tailLines(&out)) < 3 {
		select {
		case r := <-done:
			t.Fatalf("tail ended early: %d, %v", r.n, r.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if _, err := k.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(stream), TargetShardCount: aws.Int32(2), ScalingType: ktypes.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	for {
		d, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		if err != nil {
			t.Fatal(err)
		}
		if d.StreamDescriptionSummary.StreamStatus == ktypes.StreamStatusActive {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 10 {
		put(fmt.Sprintf("key-%d", i), []byte(fmt.Sprintf(`{"id":%d}`, 100+i)))
	}
	r := <-done
	if r.err != nil || r.n != 13 {
		t.Fatalf("tail: %d records, %v; want 13", r.n, r.err)
	}
	lines := tailLines(&out)
	if len(lines) != 13 {
		t.Fatalf("got %d lines, want 13", len(lines))
	}
	if l := lines[0]; l.PartitionKey != "a" || string(l.Data) != `{"id":1}` || l.Encoding != "" || l.SchemaError != "" || l.ShardID != "shardId-000000000000" || l.SequenceNumber == "" || l.ApproximateArrivalTimestamp.IsZero() {
		t.Errorf("JSON record: got %+v", l)
	}
	if l := lines[1]; string(l.Data) != `"/wAB"` || l.Encoding != "base64" || !strings.Contains(l.SchemaError, "not JSON") {
		t.Errorf("binary record: got %+v", l)
	}
	if l := lines[2]; l.SchemaError == "" || !strings.Contains(l.SchemaError, "id") {
		t.Errorf("record without id: got %+v, want a schema error naming id", l)
	}
	children := map[string]bool{}
	for _, l := range lines[3:] {
		children[l.ShardID] = true
		if l.ShardID == "shardId-000000000000" {
			t.Errorf("record %s in the closed parent shard", l.Data)
		}
	}
	if len(children) < 1 {
		t.Errorf("no records from the child shards")
	}
}

func TestTailBadInput(t *testing.T) {
	t.Parallel()
	k := kinesisT(t).Client
	_, err := (&Tailer{Kinesis: k, Stream: "no-such-stream", Out: &bytes.Buffer{}}).Run(context.Background())
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "--stream" || ie.Value != "no-such-stream" || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing stream: got %v", err)
	}
}
