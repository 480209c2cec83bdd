// Command lambda is the reference StandardStream consumer: the template a
// team copies for its own stream, and the consumer the reference app names
// as its ConsumerProps.Entry. (A stream that names no Entry gets the generic
// default consumer in lambda/defaultconsumer instead.)
//
// Each record is decoded as an Event, the type that schemagen generates from
// event.schema.json (the file the stack's DataModel names), in one pass that
// also validates it: the consumer accepts exactly what the schema accepts,
// formats included, and fails a record the schema rejects with an error that
// names the keyword and the place, e.g.
// "schema /properties/type/enum: at /type: value must be one of ...".
// After editing the schema, run go generate ./lambda.
//
// The kinesisbatch library does the rest: per-partition-key order, partial
// batch failures reported by sequence number, a checkpoint before the
// deadline, KPL de-aggregation, and one log line and metrics per batch. A
// poison record ends in the failure destination instead of blocking its shard.
package main

//go:generate go run ../cmd/schemagen -schema event.schema.json -type Event -o event_gen.go

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

// process handles one record. The reference consumer only decodes and
// validates; a team's consumer does its work with the Event here,
// idempotently, since Lambda may deliver a record more than once.
func process(_ context.Context, r kinesisbatch.Record) error {
	var e Event
	if err := e.Decode(r.Data); err != nil {
		return err
	}
	return nil
}

func newHandler(n int, opts ...kinesisbatch.Option) *kinesisbatch.Handler {
	return kinesisbatch.New(process, append([]kinesisbatch.Option{kinesisbatch.WithConcurrency(n)}, opts...)...)
}

func main() {
	n, err := kinesisbatch.ConcurrencyFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
	lambda.Start(newHandler(n))
}
