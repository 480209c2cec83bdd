package ops

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// A Tailer prints a stream's records as JSON lines, across all shards,
// following the shards that resharding creates.
type Tailer struct {
	Kinesis KinesisAPI
	// Stream is the stream's name or ARN.
	Stream string
	// From is where to start: [TailFrom] of "latest" (the zero value: only
	// records that arrive from now on), "trim-horizon" (the oldest record
	// kept) or an RFC 3339 time.
	From TailFrom
	// Limit stops after that many records; 0 means until ctx ends.
	Limit int
	// Validate, if set, checks each record's data, such as
	// (*schema.Schema).Validate with the stream's schema; a record it
	// rejects gets "schemaError" in its line.
	Validate func(data []byte) error
	// Out gets the lines.
	Out io.Writer
	// Poll is how long a shard's reader waits after a read that found
	// nothing. Default: 1 s (each shard allows 5 reads a second).
	Poll time.Duration
}

// TailFrom is a starting position of [Tailer]; the zero value is latest.
type TailFrom struct {
	trimHorizon bool
	at          time.Time
}

// ParseTailFrom parses "latest", "trim-horizon" or an RFC 3339 time, for
// --from.
func ParseTailFrom(s string) (TailFrom, error) {
	switch s {
	case "", "latest":
		return TailFrom{}, nil
	case "trim-horizon":
		return TailFrom{trimHorizon: true}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return TailFrom{}, inputErrorf("--from", s, "want latest, trim-horizon or an RFC 3339 time such as 2026-11-30T09:00:00Z")
	}
	return TailFrom{at: t}, nil
}

// iterator returns the GetShardIterator input fields of f for a shard
// started when the tail starts (initial) or found later.
func (f TailFrom) iterator(in *kinesis.GetShardIteratorInput, initial bool) {
	switch {
	case !f.at.IsZero():
		in.ShardIteratorType, in.Timestamp = ktypes.ShardIteratorTypeAtTimestamp, aws.Time(f.at)
	case f.trimHorizon || !initial:
		// A shard created while tailing holds only new records.
		in.ShardIteratorType = ktypes.ShardIteratorTypeTrimHorizon
	default:
		in.ShardIteratorType = ktypes.ShardIteratorTypeLatest
	}
}

// TailRecord is one line of tail's output.
type TailRecord struct {
	PartitionKey                string    `json:"partitionKey"`
	SequenceNumber              string    `json:"sequenceNumber"`
	ShardID                     string    `json:"shardId"`
	ApproximateArrivalTimestamp time.Time `json:"approximateArrivalTimestamp"`
	// Data is the record's data when it is JSON, or a JSON string of its
	// base64 encoding otherwise, with Encoding "base64".
	Data     json.RawMessage `json:"data"`
	Encoding string          `json:"encoding,omitempty"`
	// SchemaError says why the schema rejected the record.
	SchemaError string `json:"schemaError,omitempty"`
}

// Run prints records until ctx ends or Limit records are printed, and
// returns how many it printed. The end of ctx is not an error.
func (t *Tailer) Run(ctx context.Context) (int, error) {
	if t.Limit < 0 {
		return 0, inputErrorf("--limit", fmt.Sprint(t.Limit), "must be 0 (no limit) or more")
	}
	if err := checkStream(ctx, t.Kinesis, t.Stream); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tl := &tailRun{Tailer: t, cancel: cancel}
	if tl.Poll <= 0 {
		tl.Poll = time.Second
	}
	err := tl.run(ctx)
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if ctx.Err() != nil {
		err = nil
	}
	return tl.printed, err
}

type tailRun struct {
	*Tailer
	cancel  context.CancelFunc
	mu      sync.Mutex
	printed int
}

type shardResult struct {
	id  string
	err error
}

func (t *tailRun) run(ctx context.Context) error {
	started := make(map[string]bool)
	done := make(map[string]bool)
	results := make(chan shardResult)
	running := 0
	var wg sync.WaitGroup
	defer wg.Wait()

	start := func(initial bool) error {
		shards, err := t.listShards(ctx)
		if err != nil {
			return err
		}
		known := make(map[string]bool, len(shards))
		for _, s := range shards {
			known[aws.ToString(s.ShardId)] = true
		}
		for _, s := range shards {
			id := aws.ToString(s.ShardId)
			if started[id] || done[id] {
				continue
			}
			closed := s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil
			latest := t.From == TailFrom{}
			if initial && latest && closed {
				done[id] = true // nothing new will arrive in it
				continue
			}
			// A child shard's records follow its parents' (order per key).
			waiting := false
			for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
				if pid := aws.ToString(p); pid != "" && known[pid] && !done[pid] && !(initial && latest) {
					waiting = true
				}
			}
			if waiting {
				continue
			}
			started[id] = true
			running++
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := t.readShard(ctx, id, initial)
				select {
				case results <- shardResult{id, err}:
				case <-ctx.Done():
				}
			}()
		}
		return nil
	}
	if err := start(true); err != nil {
		return err
	}
	for running > 0 {
		select {
		case <-ctx.Done():
			return nil
		case r := <-results:
			running--
			if r.err != nil {
				t.cancel()
				return r.err
			}
			done[r.id] = true
			if err := start(false); err != nil {
				t.cancel()
				return err
			}
		}
	}
	return nil
}

func (t *tailRun) listShards(ctx context.Context) ([]ktypes.Shard, error) {
	name, arn := streamRef(t.Stream)
	var shards []ktypes.Shard
	in := &kinesis.ListShardsInput{StreamName: name, StreamARN: arn}
	for {
		out, err := t.Kinesis.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards of %s: %w", t.Stream, err)
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			return shards, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// readShard prints a shard's records until the shard ends (it was closed
// by resharding and read to its end) or ctx ends.
func (t *tailRun) readShard(ctx context.Context, id string, initial bool) error {
	name, arn := streamRef(t.Stream)
	in := &kinesis.GetShardIteratorInput{StreamName: name, StreamARN: arn, ShardId: aws.String(id)}
	t.From.iterator(in, initial)
	last := ""
	var iter *string
	for {
		if iter == nil {
			if last != "" {
				in = &kinesis.GetShardIteratorInput{StreamName: name, StreamARN: arn, ShardId: aws.String(id),
					ShardIteratorType: ktypes.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(last)}
			}
			out, err := t.Kinesis.GetShardIterator(ctx, in)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("shard %s: get shard iterator: %w", id, err)
			}
			if iter = out.ShardIterator; iter == nil {
				return nil
			}
		}
		out, err := t.Kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, StreamARN: arn})
		switch code := apiCode(err); {
		case err == nil:
		case ctx.Err() != nil:
			return nil
		case code == "ExpiredIteratorException":
			iter = nil
			continue
		case code == "ProvisionedThroughputExceededException" || code == "LimitExceededException":
			if !sleep(ctx, t.Poll) {
				return nil
			}
			continue
		default:
			return fmt.Errorf("shard %s: get records: %w", id, err)
		}
		for _, rec := range out.Records {
			if !t.print(id, rec) {
				return nil
			}
			last = aws.ToString(rec.SequenceNumber)
		}
		if iter = out.NextShardIterator; iter == nil {
			return nil // a closed shard, read to its end
		}
		if len(out.Records) == 0 && !sleep(ctx, t.Poll) {
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}

// print writes one record's line; it returns false once the limit is
// reached.
func (t *tailRun) print(shard string, rec ktypes.Record) bool {
	line := TailRecord{
		PartitionKey:                aws.ToString(rec.PartitionKey),
		SequenceNumber:              aws.ToString(rec.SequenceNumber),
		ShardID:                     shard,
		ApproximateArrivalTimestamp: aws.ToTime(rec.ApproximateArrivalTimestamp).UTC(),
	}
	var compact bytes.Buffer
	if json.Valid(rec.Data) && json.Compact(&compact, rec.Data) == nil {
		line.Data = compact.Bytes()
	} else {
		line.Data, _ = json.Marshal(base64.StdEncoding.EncodeToString(rec.Data))
		line.Encoding = "base64"
	}
	if t.Validate != nil {
		if err := t.Validate(rec.Data); err != nil {
			line.SchemaError = strings.TrimPrefix(err.Error(), "schema: ")
		}
	}
	b, err := json.Marshal(line)
	if err != nil {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.Limit > 0 && t.printed >= t.Limit {
		return false
	}
	t.Out.Write(append(b, '\n'))
	t.printed++
	if t.Limit > 0 && t.printed >= t.Limit {
		t.cancel()
		return false
	}
	return true
}
