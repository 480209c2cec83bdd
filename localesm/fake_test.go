package localesm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// fakeStream is an in-memory Kinesis stream with one shard or more. It
// implements Client.
type fakeStream struct {
	mu     sync.Mutex
	shards [][]types.Record
	next   int // sequence numbers are next, next+1, ...
	// closed shards end after their records: GetRecords returns a null
	// NextShardIterator with the last of them, as for a parent shard.
	closed map[int]bool
	// pageSize, if set, caps the records a GetRecords call returns.
	pageSize int
	// fail, if set, is asked before each GetShardIterator and GetRecords
	// call, numbered from 1 per operation; an error fails the call.
	fail  func(op string, call int) error
	calls map[string]int
}

// failure consults f.fail for a call of op.
func (f *fakeStream) failure(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		return nil
	}
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	return f.fail(op, f.calls[op])
}

const fakeARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"

func newFakeStream(shards int) *fakeStream {
	return &fakeStream{shards: make([][]types.Record, shards), next: 1001}
}

// put appends a record to a shard and returns its sequence number.
func (f *fakeStream) put(shard int, key string, data []byte, arrival time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := strconv.Itoa(f.next)
	f.next++
	f.shards[shard] = append(f.shards[shard], types.Record{
		SequenceNumber:              aws.String(seq),
		PartitionKey:                aws.String(key),
		Data:                        data,
		ApproximateArrivalTimestamp: aws.Time(arrival),
	})
	return seq
}

func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

func (f *fakeStream) DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error) {
	return &kinesis.DescribeStreamSummaryOutput{StreamDescriptionSummary: &types.StreamDescriptionSummary{
		StreamARN: aws.String(fakeARN), StreamStatus: types.StreamStatusActive,
	}}, nil
}

func (f *fakeStream) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	out := &kinesis.ListShardsOutput{}
	for i := range f.shards {
		out.Shards = append(out.Shards, types.Shard{ShardId: aws.String(shardID(i))})
	}
	return out, nil
}

// Iterators are "<shard index>/<position>".
func (f *fakeStream) GetShardIterator(_ context.Context, in *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	if err := f.failure("GetShardIterator"); err != nil {
		return nil, err
	}
	i, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(in.ShardId), "shardId-"))
	if err != nil {
		return nil, err
	}
	pos := 0
	if in.ShardIteratorType == types.ShardIteratorTypeAfterSequenceNumber {
		f.mu.Lock()
		for pos < len(f.shards[i]) && aws.ToString(f.shards[i][pos].SequenceNumber) != aws.ToString(in.StartingSequenceNumber) {
			pos++
		}
		f.mu.Unlock()
		pos++
	}
	return &kinesis.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%d/%d", i, pos))}, nil
}

func (f *fakeStream) GetRecords(_ context.Context, in *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	if err := f.failure("GetRecords"); err != nil {
		return nil, err
	}
	var i, pos int
	if _, err := fmt.Sscanf(aws.ToString(in.ShardIterator), "%d/%d", &i, &pos); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	limit := int(aws.ToInt32(in.Limit))
	if f.pageSize > 0 {
		limit = min(limit, f.pageSize)
	}
	end := min(len(f.shards[i]), pos+limit)
	recs := append([]types.Record(nil), f.shards[i][pos:end]...)
	next := aws.String(fmt.Sprintf("%d/%d", i, end))
	if f.closed[i] && end == len(f.shards[i]) {
		next = nil
	}
	return &kinesis.GetRecordsOutput{
		Records:            recs,
		NextShardIterator:  next,
		MillisBehindLatest: aws.Int64(0),
	}, nil
}
