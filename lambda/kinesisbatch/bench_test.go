package kinesisbatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/standardstream/standardstream/lambda/internal/jsonlex"
)

// The benchmarks behind the performance targets of docs/consumer.md; run
// them with bench.sh, which compares them with benchstat.

const maxPayload = 6 << 20 // Lambda's limit on a synchronous invocation's payload

// benchBatch is a realistic batch: records of JSON events of about
// eventSize bytes, with partition keys drawn from keys customers.
type benchBatch struct {
	name      string
	records   int // 0: as many as fit in maxPayload
	eventSize int
	keys      int
}

var benchBatches = []benchBatch{
	{name: "6MiB", eventSize: 400, keys: 1000},
	{name: "9KB", records: 500, eventSize: 9000, keys: 100},
	{name: "small", records: 10000, eventSize: 30, keys: 1000},
}

// payload builds the batch as Lambda sends it, compact.
func (bb benchBatch) payload() []byte {
	rng := rand.New(rand.NewPCG(1, uint64(bb.eventSize)))
	keys := make([]string, bb.keys)
	for i := range keys {
		keys[i] = fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
	}
	n := bb.records
	if n == 0 {
		one := compact(event(bb.record(rng, keys, 0)))
		n = maxPayload / (len(one) - len(`{"Records":[]}`) + 1)
	}
	recs := make([]kinesisRecord, n)
	for i := range recs {
		recs[i] = bb.record(rng, keys, i)
	}
	p := compact(event(recs...))
	for bb.records == 0 && len(p) > maxPayload {
		recs = recs[:len(recs)*99/100]
		p = compact(event(recs...))
	}
	return p
}

func (bb benchBatch) record(rng *rand.Rand, keys []string, i int) kinesisRecord {
	key := keys[rng.IntN(len(keys))]
	if bb.eventSize < 100 {
		data := fmt.Appendf(nil, `{"type":"page.viewed","n":%d}`, i)
		return kinesisRecord{key: key, seq: seqNumber(i), data: data, at: testTime.Add(time.Duration(i) * time.Millisecond)}
	}
	data := fmt.Appendf(nil, `{"type":"order.created","orderId":"o-%09d","customerId":%q,"occurredAt":"2026-01-01T00:00:%02d.%03dZ","lines":[`,
		i, key, i%60, i%1000)
	for len(data) < bb.eventSize-40 {
		data = fmt.Appendf(data, `{"sku":"SKU-%06d","qty":%d,"price":%d.%02d},`, rng.IntN(1e6), 1+rng.IntN(9), rng.IntN(500), rng.IntN(100))
	}
	data = append(bytes.TrimSuffix(data, []byte(",")), `],"currency":"EUR"}`...)
	return kinesisRecord{key: key, seq: seqNumber(i), data: data, at: testTime.Add(time.Duration(i) * time.Millisecond)}
}

func compact(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		panic(err)
	}
	return out.Bytes()
}

func noop(context.Context, Record) error { return nil }

// BenchmarkDecode decodes and dispatches batches with a Func that does
// nothing: impl=typed is aws-lambda-go's events.KinesisEvent through
// encoding/json, impl=kinesisbatch is Handler.Invoke.
func BenchmarkDecode(b *testing.B) {
	for _, bb := range benchBatches {
		payload := bb.payload()
		b.Run("batch="+bb.name+"/impl=typed", func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				var ev events.KinesisEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					b.Fatal(err)
				}
				for _, r := range ev.Records {
					_ = noop(ctx, Record{
						EventSourceARN: r.EventSourceArn, PartitionKey: r.Kinesis.PartitionKey,
						SequenceNumber: r.Kinesis.SequenceNumber, Data: r.Kinesis.Data,
						ApproximateArrivalTimestamp: r.Kinesis.ApproximateArrivalTimestamp.Time,
					})
				}
			}
		})
		b.Run("batch="+bb.name+"/impl=kinesisbatch", func(b *testing.B) {
			h := New(noop, quiet()...)
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				if _, err := h.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIOBound handles 1,000 records of 100 keys with a Func that waits
// 1 ms per record, as a call to another service would, and checks that each
// key's records ran in order.
func BenchmarkIOBound(b *testing.B) {
	recs := keyed(1000, func() []string {
		keys := make([]string, 100)
		for i := range keys {
			keys[i] = fmt.Sprintf("key-%03d", i)
		}
		return keys
	}()...)
	payload := compact(event(recs...))
	for _, n := range []int{1, 32} {
		b.Run(fmt.Sprintf("concurrency=%d", n), func(b *testing.B) {
			var mu sync.Mutex
			last := map[string]Record{}
			outOfOrder := 0
			h := New(func(ctx context.Context, r Record) error {
				time.Sleep(time.Millisecond)
				mu.Lock()
				if prev, ok := last[r.PartitionKey]; ok && compareSeq(prev, r) >= 0 {
					outOfOrder++
				}
				last[r.PartitionKey] = r
				mu.Unlock()
				return nil
			}, append(quiet(), WithConcurrency(n))...)
			for b.Loop() {
				clear(last)
				resp, err := h.Invoke(context.Background(), payload)
				if err != nil || string(resp) != `{"batchItemFailures":[]}` {
					b.Fatalf("got %s, %v, want no failures", resp, err)
				}
			}
			if outOfOrder > 0 {
				b.Fatalf("got %d records out of order within their key, want 0", outOfOrder)
			}
		})
	}
}

// BenchmarkFloor is what decoding the 6 MiB batch cannot go below: one
// validating scan of the payload plus the base64 decoding of every record's
// data, and nothing else. bench.sh compares Invoke with it.
func BenchmarkFloor(b *testing.B) {
	payload := benchBatches[0].payload()
	var starts []int // where each record's base64 text begins
	for i := 0; ; {
		j := bytes.Index(payload[i:], []byte(`"data":"`))
		if j < 0 {
			break
		}
		i += j + len(`"data":"`)
		starts = append(starts, i)
	}
	dst := make([]byte, 0, len(payload))
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		s := scanner{Lexer: jsonlex.Lexer{Buf: payload}}
		if err := s.skip(0); err != nil {
			b.Fatal(err)
		}
		dst = dst[:0]
		for _, start := range starts {
			var ok bool
			if dst, _, ok = decodeFast(payload, start, dst); !ok {
				b.Fatal("not plain base64")
			}
		}
	}
}
