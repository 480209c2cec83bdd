package ops

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/standardstream/standardstream/producer"
)

// KinesisAPI is the part of the Kinesis API the operations use.
// *kinesis.Client is one.
type KinesisAPI interface {
	producer.Client
	DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// streamRef returns the stream's name or ARN for an API input.
func streamRef(stream string) (name, arn *string) {
	if strings.HasPrefix(stream, "arn:") {
		return nil, aws.String(stream)
	}
	return aws.String(stream), nil
}

// checkStream returns an *InputError for --stream when the stream does not
// exist or its name is empty.
func checkStream(ctx context.Context, k KinesisAPI, stream string) error {
	if stream == "" {
		return inputErrorf("--stream", stream, "stream name is empty")
	}
	name, arn := streamRef(stream)
	_, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name, StreamARN: arn})
	switch code := apiCode(err); {
	case err == nil:
		return nil
	case code == "ResourceNotFoundException":
		return inputErrorf("--stream", stream, "stream does not exist")
	case code == "ValidationException" || code == "InvalidArgumentException":
		return inputErrorf("--stream", stream, "invalid stream name or ARN")
	default:
		return fmt.Errorf("describe stream %s: %w", stream, err)
	}
}

// redriveLinger is the producer's linger when redriving or replaying.
const redriveLinger = 5 * time.Millisecond

// putter puts records with a producer and tells each record's caller when
// the producer gave up on it.
type putter struct {
	p *producer.Producer

	mu      sync.Mutex
	pending map[*byte]func(error) // by the record's data array
}

func newPutter(k producer.Client, stream string, opts []producer.Option) (*putter, error) {
	pt := &putter{pending: make(map[*byte]func(error))}
	// All records are at hand: a short linger sends a key's next record
	// soon after the previous one is acknowledged. The caller's options
	// come after and win.
	opts = append(append([]producer.Option{producer.WithLinger(redriveLinger)}, opts...), producer.WithOnFailure(pt.failed))
	p, err := producer.New(k, stream, opts...)
	if err != nil {
		return nil, inputErrorf("--stream", stream, "%v", err)
	}
	pt.p = p
	return pt, nil
}

// put copies data and puts it; onFail runs if the producer gives up on it,
// before the Flush that waits for it returns. The returned function forgets
// the record once that Flush has returned. put returns the error of
// producer.Put (the record was not accepted, onFail will not run).
func (pt *putter) put(ctx context.Context, key string, data []byte, onFail func(error)) (forget func(), err error) {
	// A private array with room for one more byte gives every record a
	// distinct address, also when it is empty: the producer hands the same
	// slice back in a Failure.
	buf := make([]byte, len(data), len(data)+1)
	copy(buf, data)
	id := &buf[:1][0]
	pt.mu.Lock()
	pt.pending[id] = onFail
	pt.mu.Unlock()
	forget = func() {
		pt.mu.Lock()
		delete(pt.pending, id)
		pt.mu.Unlock()
	}
	if err := pt.p.Put(ctx, key, buf); err != nil {
		forget()
		return nil, err
	}
	return forget, nil
}

func (pt *putter) failed(f producer.Failure) {
	if cap(f.Data) == 0 {
		return
	}
	pt.mu.Lock()
	onFail := pt.pending[&f.Data[:1][0]]
	pt.mu.Unlock()
	if onFail != nil {
		onFail(f.Err)
	}
}

// drainContext returns a context that outlives ctx by grace (defaultGrace
// when grace is not positive), so that an interrupted run goes on
// delivering the records it has already handed to the producer, and a
// func that releases it.
func drainContext(ctx context.Context, grace time.Duration) (drain context.Context, release func()) {
	if grace <= 0 {
		grace = defaultGrace
	}
	drain, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(drain, func() { t.Stop() })
	})
	return drain, func() {
		stop()
		cancel()
	}
}
