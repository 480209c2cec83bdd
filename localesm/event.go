package localesm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// record is one Kinesis record as the runner keeps it: the fields the rules
// need, and its event record, encoded once when it is read so that retries
// and the failure destination reuse the bytes.
type record struct {
	seq     string
	arrival time.Time
	json    []byte // one element of the event's Records array
}

// source is what every event record of one shard repeats.
type source struct {
	shardID   string
	streamARN string
	region    string
	account   string
	identity  string // invokeIdentityArn
}

// eventRecord is one element of a Lambda Kinesis event's Records, with the
// fields in the order Lambda writes them.
type eventRecord struct {
	Kinesis           kinesisData `json:"kinesis"`
	EventSource       string      `json:"eventSource"`
	EventVersion      string      `json:"eventVersion"`
	EventID           string      `json:"eventID"`
	EventName         string      `json:"eventName"`
	InvokeIdentityArn string      `json:"invokeIdentityArn"`
	AwsRegion         string      `json:"awsRegion"`
	EventSourceARN    string      `json:"eventSourceARN"`
}

type kinesisData struct {
	KinesisSchemaVersion        string       `json:"kinesisSchemaVersion"`
	PartitionKey                string       `json:"partitionKey"`
	SequenceNumber              string       `json:"sequenceNumber"`
	Data                        []byte       `json:"data"` // base64, as encoding/json writes []byte
	ApproximateArrivalTimestamp epochSeconds `json:"approximateArrivalTimestamp"`
	// EncryptionType is KMS for a record of an encrypted stream; Lambda
	// passes it through from GetRecords.
	EncryptionType string `json:"encryptionType,omitempty"`
}

// epochSeconds is a time as Lambda writes approximateArrivalTimestamp: Unix
// seconds with millisecond decimals, such as 1545084650.987.
type epochSeconds time.Time

func (e epochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	s := strconv.FormatInt(ms/1000, 10) + "." + fmt.Sprintf("%03d", ms%1000)
	return []byte(strings.TrimSuffix(strings.TrimRight(s, "0"), ".")), nil
}

// newRecord encodes r as src's event record.
func newRecord(src source, r types.Record) (record, error) {
	seq := aws.ToString(r.SequenceNumber)
	arrival := aws.ToTime(r.ApproximateArrivalTimestamp)
	enc := ""
	if r.EncryptionType != "" && r.EncryptionType != types.EncryptionTypeNone {
		enc = string(r.EncryptionType)
	}
	b, err := json.Marshal(eventRecord{
		Kinesis: kinesisData{
			KinesisSchemaVersion:        "1.0",
			PartitionKey:                aws.ToString(r.PartitionKey),
			SequenceNumber:              seq,
			Data:                        r.Data,
			ApproximateArrivalTimestamp: epochSeconds(arrival),
			EncryptionType:              enc,
		},
		EventSource:       "aws:kinesis",
		EventVersion:      "1.0",
		EventID:           src.shardID + ":" + seq,
		EventName:         "aws:kinesis:record",
		InvokeIdentityArn: src.identity,
		AwsRegion:         src.region,
		EventSourceARN:    src.streamARN,
	})
	if err != nil {
		return record{}, fmt.Errorf("encode record %s: %w", seq, err)
	}
	return record{seq: seq, arrival: arrival, json: b}, nil
}

// Lambda's payload limit for a synchronous invocation is 6 MB; a batch is
// cut short before its event would exceed it.
const maxPayload = 6 * 1024 * 1024

// Bytes an event adds around its records: {"Records":[ ]} and the commas.
const (
	eventOverhead = len(`{"Records":[]}`)
	perRecord     = len(`,`)
)

// payload returns the Lambda Kinesis event of recs.
func payload(recs []record) []byte {
	n := eventOverhead
	for _, r := range recs {
		n += len(r.json) + perRecord
	}
	var b bytes.Buffer
	b.Grow(n)
	b.WriteString(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r.json)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// parseARN returns the region and account of an ARN such as
// arn:aws:kinesis:us-east-1:000000000000:stream/orders.
func parseARN(arn string) (region, account string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", fmt.Errorf("not an ARN: %q", arn)
	}
	return parts[3], parts[4], nil
}
