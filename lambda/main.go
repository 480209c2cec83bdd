// Command lambda is the reference StandardStream consumer: the default
// ConsumerProps.Entry, and the template a team copies for its own stream.
//
// It decodes each record as an Event and rejects records that are not one,
// so a poison record is reported as a partial batch failure (by sequence
// number) and ends in the failure destination instead of blocking its shard.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

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

// process handles one event. The reference consumer only validates; a team's
// consumer does its work here, idempotently, since Lambda may deliver a
// record more than once.
func process(_ context.Context, data []byte) error {
	_, err := decode(data)
	return err
}

func handle(ctx context.Context, e events.KinesisEvent) (events.KinesisEventResponse, error) {
	var resp events.KinesisEventResponse
	for _, r := range e.Records {
		if err := process(ctx, r.Kinesis.Data); err != nil {
			// Lambda resumes at the lowest reported sequence number.
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
			break
		}
	}
	return resp, nil
}

func newHandler() lambda.Handler { return lambda.NewHandler(handle) }

func main() { lambda.Start(newHandler()) }
