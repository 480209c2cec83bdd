package ops

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/standardstream/standardstream/internal/syncio"
)

// fakeQueue is a stand-in for one SQS queue, speaking the SQS JSON protocol
// for ReceiveMessage, DeleteMessage and ChangeMessageVisibility: enough for
// FromQueue through the real SDK client.
type fakeQueue struct {
	url string

	mu       sync.Mutex
	messages map[string]string // by ID: body
	order    []string
	inFlight map[string]bool // by ID: received and not visible
	next     int
}

func newFakeQueue(t *testing.T) (*fakeQueue, *sqs.Client) {
	q := &fakeQueue{messages: map[string]string{}, inFlight: map[string]bool{}}
	srv := httptest.NewServer(q)
	t.Cleanup(srv.Close)
	q.url = srv.URL + "/123456789012/failures"
	c := sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   awshttp.NewBuildableClient(),
	})
	return q, c
}

func (q *fakeQueue) send(body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	id := fmt.Sprintf("m-%d", q.next)
	q.messages[id] = body
	q.order = append(q.order, id)
}

func (q *fakeQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.messages)
}

func (q *fakeQueue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		QueueUrl            string
		MaxNumberOfMessages int
		ReceiptHandle       string
		VisibilityTimeout   int
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if in.QueueUrl != q.url {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS."); op {
	case "ReceiveMessage":
		type msg struct{ MessageId, ReceiptHandle, Body, MD5OfBody string }
		var out struct{ Messages []msg }
		for _, id := range q.order {
			body, ok := q.messages[id]
			if !ok || q.inFlight[id] || len(out.Messages) == max(in.MaxNumberOfMessages, 1) {
				continue
			}
			sum := md5.Sum([]byte(body))
			out.Messages = append(out.Messages, msg{id, id, body, hex.EncodeToString(sum[:])})
			q.inFlight[id] = in.VisibilityTimeout > 0
		}
		json.NewEncoder(w).Encode(out)
	case "DeleteMessage":
		delete(q.messages, in.ReceiptHandle)
		fmt.Fprint(w, `{}`)
	case "ChangeMessageVisibility":
		q.inFlight[in.ReceiptHandle] = in.VisibilityTimeout > 0
		fmt.Fprint(w, `{}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.sqs#UnsupportedOperation","message":"%s"}`, op)
	}
}

// TestRedriveFromQueue: SQS destinations keep only the sequence range; the
// records of that range are read back from the source stream and put on
// the target stream, in order, and the message is deleted. A range past
// the stream's retention (here: a shard that is gone) is reported, not
// dropped silently.
func TestRedriveFromQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	source := newStream(t, 1)
	target := newStream(t, 1)

	var seqs []string
	var datas []string
	for i := range 12 {
		d := fmt.Sprintf(`{"id":%d,  "k":"k%d"}`, i, i%3)
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(source), PartitionKey: aws.String(fmt.Sprintf("k%d", i%3)), Data: []byte(d)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
		datas = append(datas, d)
	}
	desc, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(source)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(desc.StreamDescriptionSummary.StreamARN)
	record := func(shard, start, end string, n int, at time.Time) string {
		return fmt.Sprintf(`{"requestContext":{"requestId":"x","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:c","condition":"RetryAttemptsExhausted","approximateInvokeCount":4},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"version":"1.0","timestamp":"2026-11-30T09:00:00.000Z","KinesisBatchInfo":{"shardId":"%s","startSequenceNumber":"%s","endSequenceNumber":"%s","approximateArrivalOfFirstRecord":"%s","approximateArrivalOfLastRecord":"%s","batchSize":%d,"streamArn":"%s"}}`,
			shard, start, end, at.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano), n, arn)
	}
	q, sqsc := newFakeQueue(t)
	t0 := time.Now().UTC()
	// Sent newest first: FromQueue orders them by arrival.
	q.send(record("shardId-000000000000", seqs[6], seqs[9], 4, t0.Add(time.Second)))
	q.send(record("shardId-000000000000", seqs[2], seqs[4], 3, t0))
	q.send(record("shardId-000000000042", "49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692538361571095921575989136588899", 2, t0))

	var out bytes.Buffer
	r := &Redriver{Kinesis: k, SQS: sqsc, Stream: target, Out: &out, ProducerOptions: fastProducer, Progress: &syncio.Buffer{}, ProgressEvery: time.Millisecond}
	sum, err := r.FromQueue(ctx, q.url)
	if err == nil || !strings.Contains(err.Error(), "past retention") {
		t.Errorf("got error %v, want records past retention", err)
	}
	if got, w := sum.RedriveLine(), "redrive: objects 3, records 9, put 7, failed 2, skipped 0"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if !strings.Contains(out.String(), "lost: message m-3: shard shardId-000000000042 sequence numbers 49590338271490256608559692538361571095921575989136588898 to 49590338271490256608559692538361571095921575989136588899") {
		t.Errorf("output does not report the lost range:\n%s", out.String())
	}
	var got []string
	for _, r := range readStream(t, target) {
		got = append(got, string(r.data))
	}
	want := append(append([]string{}, datas[2:5]...), datas[6:10]...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("target stream: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := q.len(); n != 0 {
		t.Errorf("%d messages left in the queue, want 0", n)
	}

	// A queue that does not exist is an input error.
	_, err = r.FromQueue(ctx, q.url+"-nope")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "--from-queue" || ie.Value != q.url+"-nope" {
		t.Errorf("missing queue: got %v", err)
	}
}

// TestRedriveFromQueueDryRun: a dry run reports, puts nothing and leaves
// the messages in the queue, visible.
func TestRedriveFromQueueDryRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("a"), Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	seq := aws.ToString(out.SequenceNumber)
	q, sqsc := newFakeQueue(t)
	q.send(fmt.Sprintf(`{"KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"%s","endSequenceNumber":"%s","batchSize":1}}`, seq, seq))
	var buf bytes.Buffer
	r := &Redriver{Kinesis: k, SQS: sqsc, Stream: stream, Out: &buf, DryRun: true}
	sum, err := r.FromQueue(ctx, q.url)
	if err != nil {
		t.Fatal(err)
	}
	if got, w := sum.RedriveLine(), "redrive: objects 1, records 1, put 1, failed 0, skipped 0"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if n := len(readStream(t, stream)); n != 1 {
		t.Errorf("stream holds %d records, want the 1 it had", n)
	}
	if q.len() != 1 || q.inFlight["m-1"] {
		t.Errorf("the message must stay in the queue, visible")
	}
}

// deniedReads fails GetShardIterator as an IAM policy without
// kinesis:GetShardIterator would.
type deniedReads struct{ KinesisAPI }

func (deniedReads) GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kinesis:GetShardIterator"}
}

// TestRedriveFromQueueKeepsMessagesItCannotRead: a range that cannot be
// read for a reason other than retention is counted as failed and its
// message stays in the queue for a re-run.
func TestRedriveFromQueueKeepsMessagesItCannotRead(t *testing.T) {
	t.Parallel()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	q, sqsc := newFakeQueue(t)
	q.send(`{"KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"1","endSequenceNumber":"3","batchSize":3}}`)
	var out bytes.Buffer
	r := &Redriver{Kinesis: deniedReads{k}, SQS: sqsc, Stream: stream, Out: &out}
	sum, err := r.FromQueue(context.Background(), q.url)
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), "stays in the queue") {
		t.Errorf("got error %v", err)
	}
	if got, w := sum.RedriveLine(), "redrive: objects 1, records 3, put 0, failed 3, skipped 0"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if q.len() != 1 || q.inFlight["m-1"] {
		t.Errorf("the message must stay in the queue, visible; output:\n%s", out.String())
	}
}
