package ops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// invocationRecord is what Lambda writes to an on-failure destination of a
// Kinesis event-source mapping: to SQS and SNS without payload, to S3 with
// the records given up in payload.
type invocationRecord struct {
	RequestContext struct {
		Condition   string `json:"condition"`
		FunctionArn string `json:"functionArn"`
	} `json:"requestContext"`
	KinesisBatchInfo *batchInfo `json:"KinesisBatchInfo"`
	// Payload is the Lambda Kinesis event of the records, as a JSON object
	// or as a JSON string holding one.
	Payload json.RawMessage `json:"payload"`
}

// batchInfo locates the records given up in the stream.
type batchInfo struct {
	ShardID                         string    `json:"shardId"`
	StartSequenceNumber             string    `json:"startSequenceNumber"`
	EndSequenceNumber               string    `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord time.Time `json:"approximateArrivalOfFirstRecord"`
	BatchSize                       int       `json:"batchSize"`
	StreamArn                       string    `json:"streamArn"`
}

// failedRecord is one record of a failure object.
type failedRecord struct {
	seq  string
	key  string
	data []byte
}

// decodeInvocationRecord decodes an invocation record; withPayload asks for
// the records too, as an S3 destination writes them.
func decodeInvocationRecord(b []byte, withPayload bool) (*invocationRecord, []failedRecord, error) {
	var ir invocationRecord
	if err := json.Unmarshal(b, &ir); err != nil {
		return nil, nil, fmt.Errorf("not a Lambda invocation record: %w", err)
	}
	if ir.KinesisBatchInfo == nil {
		return nil, nil, errors.New("not a Lambda invocation record of a Kinesis event source: no KinesisBatchInfo")
	}
	if !withPayload {
		return &ir, nil, nil
	}
	payload := bytes.TrimSpace(ir.Payload)
	if len(payload) == 0 || bytes.Equal(payload, []byte("null")) {
		return nil, nil, errors.New("invocation record has no payload (only S3 destinations keep the records)")
	}
	if payload[0] == '"' {
		var s string
		if err := json.Unmarshal(payload, &s); err != nil {
			return nil, nil, fmt.Errorf("decode payload string: %w", err)
		}
		payload = []byte(s)
	}
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, nil, fmt.Errorf("decode payload as a Kinesis event: %w", err)
	}
	recs := make([]failedRecord, len(ev.Records))
	for i, r := range ev.Records {
		recs[i] = failedRecord{seq: r.Kinesis.SequenceNumber, key: r.Kinesis.PartitionKey, data: r.Kinesis.Data}
	}
	return &ir, recs, nil
}

// seqLess orders Kinesis sequence numbers (decimal strings up to 128
// digits) numerically.
func seqLess(a, b string) bool { return compareSeq(a, b) < 0 }

func compareSeq(a, b string) int {
	x, okx := new(big.Int).SetString(a, 10)
	y, oky := new(big.Int).SetString(b, 10)
	if !okx || !oky {
		switch {
		case len(a) != len(b):
			return len(a) - len(b)
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	return x.Cmp(y)
}
