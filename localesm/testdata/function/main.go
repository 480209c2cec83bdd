// Command function is a Lambda function for TestProcess: it answers
// according to the first record's data.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, e events.KinesisEvent) (events.KinesisEventResponse, error) {
	switch string(e.Records[0].Kinesis.Data) {
	case "error":
		return events.KinesisEventResponse{}, errors.New("told to fail")
	case "panic":
		panic("told to panic")
	case "hang":
		<-ctx.Done()
		time.Sleep(time.Hour)
	}
	return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{
		{ItemIdentifier: e.Records[0].Kinesis.SequenceNumber},
	}}, nil
}

func main() { lambda.Start(handle) }
