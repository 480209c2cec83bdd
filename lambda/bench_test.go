package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

// The benchmark behind the reference consumer's performance target (see
// docs/consumer.md); lambda/kinesisbatch/bench.sh runs it with the library's
// and prints the ratio.

const (
	maxPayload   = 6 << 20 // Lambda's limit on a synchronous invocation's payload
	benchRecords = 5000
)

// benchEvent is a schema-valid event of the reference stream with lines
// lines.
func benchEvent(rng *rand.Rand, i, lines int) []byte {
	e := Event{
		ID:         fmt.Sprintf("evt-%012d", i),
		Type:       "order.created",
		OccurredAt: time.Date(2026, 11, 25, 21, 0, 0, i*1e6, time.UTC),
		Payload: EventPayload{
			OrderID:  fmt.Sprintf("o-%09d", i),
			Customer: fmt.Sprintf("customer-%06d", rng.IntN(100000)),
		},
	}
	amount, currency := int64(0), "EUR"
	for range lines {
		l := EventPayloadLinesItem{Sku: fmt.Sprintf("SKU-%06d", rng.IntN(1e6)), Quantity: 1 + rng.Int64N(9), UnitPriceCents: rng.Int64N(100000)}
		amount += l.Quantity * l.UnitPriceCents
		e.Payload.Lines = append(e.Payload.Lines, l)
	}
	e.Payload.AmountCents, e.Payload.Currency = &amount, &currency
	data, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	return data
}

// benchPayload builds the Lambda payload of benchRecords records, each
// event as large as still fits the batch in maxPayload.
func benchPayload(tb testing.TB) (payload []byte, eventBytes int) {
	for lines := 12; lines > 0; lines-- {
		rng := rand.New(rand.NewPCG(1, 2))
		ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, benchRecords)}
		size := 0
		for i := range ev.Records {
			data := benchEvent(rng, i, lines)
			size += len(data)
			ev.Records[i] = events.KinesisEventRecord{
				AwsRegion: "eu-west-1", EventID: fmt.Sprintf("shardId-000000000000:%056d", i), EventName: "aws:kinesis:record",
				EventSource: "aws:kinesis", EventSourceArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/standardstream-events-dev",
				EventVersion: "1.0", InvokeIdentityArn: "arn:aws:iam::123456789012:role/consumer",
				Kinesis: events.KinesisRecord{
					ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: time.Unix(1764104400, int64(i)*1e6)},
					Data:                        data, KinesisSchemaVersion: "1.0",
					PartitionKey: string(e(data)), SequenceNumber: fmt.Sprintf("4964532938766123456789012345678901234567890123%010d", i),
				},
			}
		}
		p, err := json.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		if len(p) <= maxPayload {
			return p, size / benchRecords
		}
	}
	tb.Fatal("no event fits")
	return nil, 0
}

// e returns the customer of an event, its partition key.
func e(data []byte) []byte {
	var ev Event
	if err := ev.Decode(data); err != nil {
		panic(err)
	}
	return []byte(ev.Payload.Customer)
}

// BenchmarkConsumer runs the reference consumer on a full batch of
// schema-valid events (impl=reference: kinesisbatch with the generated
// Event decoder), against the consumer aws-lambda-go suggests
// (impl=awslambdago: its typed events.KinesisEvent through encoding/json,
// then json.Unmarshal of each record into the same Event type).
func BenchmarkConsumer(b *testing.B) {
	payload, eventBytes := benchPayload(b)
	b.Logf("%d records, %d bytes of payload, events of %d bytes on average", benchRecords, len(payload), eventBytes)
	b.Run("impl=reference", func(b *testing.B) {
		h := newHandler(1, kinesisbatch.WithLogger(slog.New(slog.DiscardHandler)), kinesisbatch.WithMetrics(io.Discard, "Bench"))
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			resp, err := h.Invoke(context.Background(), payload)
			if err != nil || string(resp) != `{"batchItemFailures":[]}` {
				b.Fatalf("got %s, %v; want no failures", resp, err)
			}
		}
	})
	b.Run("impl=awslambdago", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			var ev events.KinesisEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				b.Fatal(err)
			}
			var failures []events.KinesisBatchItemFailure
			for _, r := range ev.Records {
				var e Event
				if err := json.Unmarshal(r.Kinesis.Data, &e); err != nil {
					failures = append(failures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
				}
			}
			if len(failures) > 0 {
				b.Fatalf("got %d failures, want none", len(failures))
			}
		}
	})
}
