// Command lambda is the reference StandardStream consumer: the default
// ConsumerProps.Entry, and the template a team copies for its own stream.
//
// It decodes each record as an Event and rejects records that are not one.
// The kinesisbatch library does the rest: per-partition-key order, partial
// batch failures reported by sequence number, a checkpoint before the
// deadline, KPL de-aggregation, and one log line and metrics per batch. A
// poison record ends in the failure destination instead of blocking its shard.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
)

// eventSchema is the stream's record schema, the same file the stack's
// DataModel names, so what synth documents is what the consumer enforces.
//
//go:embed event.schema.json
var eventSchema []byte

// recordSchema rejects records that break the stream's contract before
// process sees them; the failure names the schema path.
var recordSchema = mustCompile(eventSchema)

func mustCompile(doc []byte) *schema.Schema {
	s, err := schema.Compile(doc)
	if err != nil {
		panic(fmt.Sprintf("consumer: event.schema.json: %v", err)) // caught by TestSchema
	}
	return s
}

// Event is the record format of the reference stream.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurredAt"`
	Payload    json.RawMessage `json:"payload"`
}

// decode parses and checks one record's data.
func decode(data []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(data, &e); err != nil {
		return e, fmt.Errorf("decode event: %w", err)
	}
	if e.ID == "" {
		return e, errors.New("decode event: id is empty")
	}
	if e.Type == "" {
		return e, fmt.Errorf("decode event %s: type is empty", e.ID)
	}
	return e, nil
}

// process handles one record. The reference consumer only validates; a
// team's consumer does its work here, idempotently, since Lambda may deliver
// a record more than once.
func process(_ context.Context, r kinesisbatch.Record) error {
	_, err := decode(r.Data)
	return err
}

// concurrency is how many partition keys are processed at once; set
// CONSUMER_CONCURRENCY to tune an I/O-bound consumer without a rebuild.
func concurrency() (int, error) {
	v := os.Getenv("CONSUMER_CONCURRENCY")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("CONSUMER_CONCURRENCY must be a positive integer, got %q", v)
	}
	return n, nil
}

func newHandler(n int) *kinesisbatch.Handler {
	return kinesisbatch.New(process, kinesisbatch.WithConcurrency(n), kinesisbatch.WithValidator(recordSchema.Validate))
}

func main() {
	n, err := concurrency()
	if err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
	lambda.Start(newHandler(n))
}
