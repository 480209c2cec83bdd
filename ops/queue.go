package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/standardstream/standardstream/producer"
)

// SQSAPI is the part of the Amazon SQS API that [Redriver.FromQueue] uses.
// *sqs.Client is one.
type SQSAPI interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

const (
	// queueVisibility hides the messages a run has received from other
	// consumers of the queue while it works on them: SQS's maximum, 12 h,
	// is far more than a run takes, and messages a run leaves are made
	// visible again when it ends.
	queueVisibility = 12 * 60 * 60
	// maxMessages bounds the messages one run takes on.
	maxMessages = 100000
	// maxEmptyReads bounds GetRecords calls that return nothing while the
	// shard still has records beyond them.
	maxEmptyReads = 20
)

// message is an SQS message holding an invocation record.
type message struct {
	id, receipt, body string
	info              *batchInfo
}

// FromQueue redrives the records that the invocation records in an SQS
// on-failure destination's queue locate: for each message, it reads exactly
// that range of the shard from the stream (GetShardIterator
// AT_SEQUENCE_NUMBER), puts the records back on r.Stream in order, and
// deletes the message once they are put. Records no longer in the stream
// (past its retention) are written to Out by sequence range with the
// message, counted as failed, and make FromQueue return an error; the
// message is deleted, since it holds nothing more than what Out got.
// Messages whose records could not be put stay in the queue for a re-run.
//
// The summary counts messages as objects. In a dry run the messages are
// received, reported and made visible again.
func (r *Redriver) FromQueue(ctx context.Context, queueURL string) (Summary, error) {
	var sum Summary
	if r.Kinesis == nil || r.SQS == nil {
		return sum, errors.New("redrive: Kinesis and SQS clients are required")
	}
	if queueURL == "" {
		return sum, inputErrorf("--from-queue", queueURL, "queue URL is empty")
	}
	if err := checkStream(ctx, r.Kinesis, r.Stream); err != nil {
		return sum, err
	}
	out := r.Out
	if out == nil {
		out = io.Discard
	}
	msgs, err := r.receiveAll(ctx, queueURL)
	if err != nil {
		return sum, err
	}
	// Messages left (a dry run, an interruption, a failure) become visible
	// again at once rather than after the visibility timeout.
	release := func(m *message) {
		_, _ = r.SQS.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(m.receipt), VisibilityTimeout: 0,
		})
	}
	var errs []error
	var valid []*message
	for _, m := range msgs {
		ir, _, err := decodeInvocationRecord([]byte(m.body), false)
		if err != nil {
			errs = append(errs, fmt.Errorf("message %s: %w", m.id, err))
			fmt.Fprintf(out, "unreadable: message %s: %v\n", m.id, err)
			release(m)
			continue
		}
		m.info = ir.KinesisBatchInfo
		valid = append(valid, m)
	}
	slices.SortStableFunc(valid, func(a, b *message) int {
		if c := a.info.ApproximateArrivalOfFirstRecord.Compare(b.info.ApproximateArrivalOfFirstRecord); c != 0 {
			return c
		}
		if a.info.ShardID != b.info.ShardID {
			return compareStrings(a.info.ShardID, b.info.ShardID)
		}
		return compareSeq(a.info.StartSequenceNumber, b.info.StartSequenceNumber)
	})

	var pt *putter
	if !r.DryRun {
		if pt, err = newPutter(r.Kinesis, r.Stream, r.ProducerOptions); err != nil {
			return sum, err
		}
		defer pt.p.Close(context.WithoutCancel(ctx))
	}
	// The progress goroutine reads a copy of sum, stored after each message.
	var shown atomic.Pointer[Summary]
	shown.Store(&Summary{})
	status := func() string {
		s := shown.Load()
		return fmt.Sprintf("messages %d, records %d, put %d, failed %d", s.Objects, s.Records, s.Put, s.Failed)
	}
	prog := newProgress(r.Progress, "redrive", len(valid), r.ProgressEvery, status)
	defer prog.finish()

	interrupted := false
	for _, m := range valid {
		if ctx.Err() != nil {
			interrupted = true
			release(m)
			continue
		}
		sum.Objects++
		stream := m.info.StreamArn
		if stream == "" {
			stream = r.Stream
		}
		recs, missing, readErr := readRange(ctx, r.Kinesis, stream, m.info)
		switch {
		case readErr == nil:
		case ctx.Err() != nil:
			interrupted = true
			sum.Objects--
			release(m)
			continue
		case errors.Is(readErr, errPastRetention):
			// Reported with the whole message; retrying cannot bring the
			// records back, so the message goes once the rest is put.
			fmt.Fprintf(out, "lost: message %s: shard %s sequence numbers %s to %s of %s: %d records %v; message: %s\n",
				m.id, m.info.ShardID, m.info.StartSequenceNumber, m.info.EndSequenceNumber, stream, missing, readErr, m.body)
			errs = append(errs, fmt.Errorf("message %s: %d records past retention", m.id, missing))
		default:
			// Not read now (denied, throttled): the message stays for a
			// re-run, and nothing of it is put.
			sum.Records += max(m.info.BatchSize, 1)
			sum.Failed += max(m.info.BatchSize, 1)
			fmt.Fprintf(out, "failed: message %s: shard %s sequence numbers %s to %s could not be read: %v\n",
				m.id, m.info.ShardID, m.info.StartSequenceNumber, m.info.EndSequenceNumber, readErr)
			errs = append(errs, fmt.Errorf("message %s: %w; the message stays in the queue", m.id, readErr))
			release(m)
			shown.Store(new(sum))
			prog.advance(1)
			continue
		}
		sum.Records += len(recs) + missing
		sum.Failed += missing
		if r.DryRun {
			sum.Put += len(recs)
			fmt.Fprintf(out, "would put %d records of shard %s, sequence numbers %s to %s (message %s) on %s\n",
				len(recs), m.info.ShardID, m.info.StartSequenceNumber, m.info.EndSequenceNumber, m.id, r.Stream)
			release(m)
			shown.Store(new(sum))
			prog.advance(1)
			continue
		}
		failed := r.putRange(ctx, pt, recs)
		sum.Put += len(recs) - len(failed)
		sum.Failed += len(failed)
		for _, f := range failed {
			fmt.Fprintf(out, "failed: message %s: record %s (partition key %q): %v\n", m.id, f.seq, f.key, f.err)
		}
		if len(failed) > 0 {
			errs = append(errs, fmt.Errorf("message %s: %d records could not be put; the message stays in the queue", m.id, len(failed)))
			release(m)
		} else if _, err := r.SQS.DeleteMessage(context.WithoutCancel(ctx), &sqs.DeleteMessageInput{
			QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(m.receipt),
		}); err != nil {
			errs = append(errs, fmt.Errorf("message %s: records put, but deleting the message failed, a re-run would put them again: %w", m.id, err))
		}
		shown.Store(new(sum))
		prog.advance(1)
	}
	if interrupted {
		errs = append([]error{fmt.Errorf("interrupted (%w); run the same command again to resume", context.Cause(ctx))}, errs...)
	}
	return sum, errors.Join(errs...)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// receiveAll receives the queue's messages until a receive finds none.
func (r *Redriver) receiveAll(ctx context.Context, queueURL string) ([]*message, error) {
	var msgs []*message
	seen := make(map[string]bool)
	for len(msgs) < maxMessages {
		out, err := r.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(queueURL),
			MaxNumberOfMessages: 10,
			VisibilityTimeout:   queueVisibility,
			WaitTimeSeconds:     1,
		})
		if err != nil {
			switch apiCode(err) {
			case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue":
				return nil, inputErrorf("--from-queue", queueURL, "queue does not exist")
			}
			return nil, fmt.Errorf("receive from %s: %w", queueURL, err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			if seen[id] {
				continue
			}
			seen[id] = true
			msgs = append(msgs, &message{id: id, receipt: aws.ToString(m.ReceiptHandle), body: aws.ToString(m.Body)})
		}
	}
	return msgs, nil
}

// errPastRetention marks records of a range that the stream no longer
// holds.
var errPastRetention = errors.New("past the stream's retention")

// readRange reads the records of info's sequence range from its shard. It
// returns the records still in the stream and how many of the range are
// not; err wraps errPastRetention when records are gone (the shard has
// expired, or starts after the range's start now), and is another error
// when the range could not be read (which is worth another try).
func readRange(ctx context.Context, k KinesisAPI, stream string, info *batchInfo) (recs []kinesisRecord, missing int, err error) {
	name, arn := streamRef(stream)
	it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName:             name,
		StreamARN:              arn,
		ShardId:                aws.String(info.ShardID),
		ShardIteratorType:      ktypes.ShardIteratorTypeAtSequenceNumber,
		StartingSequenceNumber: aws.String(info.StartSequenceNumber),
	})
	switch apiCode(err) {
	case "":
	case "ResourceNotFoundException", "InvalidArgumentException":
		// The shard expired after resharding, or the sequence number is
		// no longer in it.
		return nil, max(info.BatchSize, 1), fmt.Errorf("%w: get shard iterator: %w", errPastRetention, err)
	default:
		return nil, max(info.BatchSize, 1), fmt.Errorf("get shard iterator: %w", err)
	}
	iter := it.ShardIterator
	empty, throttled := 0, 0
	for iter != nil {
		out, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, StreamARN: arn})
		if code := apiCode(err); code == "ProvisionedThroughputExceededException" || code == "LimitExceededException" {
			// Five reads a second per shard, shared with the consumer.
			if throttled++; throttled <= maxEmptyReads && sleep(ctx, 200*time.Millisecond) {
				continue
			}
		}
		if err != nil {
			return recs, max(info.BatchSize-len(recs), 1), fmt.Errorf("get records: %w", err)
		}
		done := false
		for _, rec := range out.Records {
			seq := aws.ToString(rec.SequenceNumber)
			if compareSeq(seq, info.EndSequenceNumber) > 0 {
				done = true
				break
			}
			recs = append(recs, kinesisRecord{seq: seq, key: aws.ToString(rec.PartitionKey), data: rec.Data})
		}
		iter = out.NextShardIterator
		if done || len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			break
		}
		if len(out.Records) == 0 {
			if empty++; empty > maxEmptyReads || !sleep(ctx, 200*time.Millisecond) {
				break
			}
		}
	}
	if ctx.Err() != nil {
		return recs, max(info.BatchSize-len(recs), 1), ctx.Err()
	}
	if len(recs) == 0 || recs[0].seq != info.StartSequenceNumber {
		first := "after the range"
		if len(recs) > 0 {
			first = recs[0].seq
		}
		return recs, max(info.BatchSize-len(recs), 1), fmt.Errorf("%w: the shard starts at %s now", errPastRetention, first)
	}
	return recs, 0, nil
}

// kinesisRecord is a record read back from a stream.
type kinesisRecord = failedRecord

// recordFailure is a record that could not be put.
type recordFailure struct {
	seq, key string
	err      error
}

// putRange puts recs and waits for them (for at most Grace once ctx has
// ended); it returns those the producer gave up on, in sequence order.
func (r *Redriver) putRange(ctx context.Context, pt *putter, recs []kinesisRecord) []recordFailure {
	var (
		mu      sync.Mutex
		failed  = make(map[int]error)
		forgets []func()
	)
	drain, release := drainContext(ctx, r.Grace)
	defer release()
	for i, rec := range recs {
		forget, err := pt.put(drain, rec.key, rec.data, func(err error) {
			mu.Lock()
			failed[i] = err
			mu.Unlock()
		})
		if err != nil {
			mu.Lock()
			failed[i] = err
			mu.Unlock()
			continue
		}
		forgets = append(forgets, forget)
	}
	if err := pt.p.Flush(drain); err != nil {
		var de *producer.DeliveryError
		if !errors.As(err, &de) {
			// Flush gave up waiting: the records are in doubt.
			mu.Lock()
			for i := range recs {
				if _, ok := failed[i]; !ok {
					failed[i] = err
				}
			}
			mu.Unlock()
		}
	}
	for _, f := range forgets {
		f()
	}
	mu.Lock()
	defer mu.Unlock()
	out := make([]recordFailure, 0, len(failed))
	for i, rec := range recs {
		if err, ok := failed[i]; ok {
			out = append(out, recordFailure{rec.seq, rec.key, err})
		}
	}
	return out
}
