package kinesisbatch

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const (
	testARN   = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
	testShard = "shardId-000000000003"
)

// testTime is the arrival time of the first test record.
var testTime = time.Unix(1767225600, 125_000_000) // 2026-01-01T00:00:00.125Z

// userRec is a record as a producer puts it.
type userRec struct {
	key, hashKey string
	data         []byte
}

// aggregate encodes user records as the KPL does: magic, AggregatedRecord
// protobuf, MD5 of the protobuf.
func aggregate(recs ...userRec) []byte {
	var keys, hashKeys []string
	index := func(table *[]string, s string) uint64 {
		for i, t := range *table {
			if t == s {
				return uint64(i)
			}
		}
		*table = append(*table, s)
		return uint64(len(*table) - 1)
	}
	var body []byte
	var msgs [][]byte
	for _, r := range recs {
		var m []byte
		m = protoVarint(m, 1, index(&keys, r.key))
		if r.hashKey != "" {
			m = protoVarint(m, 2, index(&hashKeys, r.hashKey))
		}
		m = protoBytes(m, 3, r.data)
		msgs = append(msgs, m)
	}
	for _, k := range keys {
		body = protoBytes(body, 1, []byte(k))
	}
	for _, k := range hashKeys {
		body = protoBytes(body, 2, []byte(k))
	}
	for _, m := range msgs {
		body = protoBytes(body, 3, m)
	}
	return sealAggregate(body)
}

// sealAggregate wraps an AggregatedRecord protobuf in magic and checksum.
func sealAggregate(body []byte) []byte {
	sum := md5.Sum(body)
	out := append(append([]byte{}, kplMagic...), body...)
	return append(out, sum[:]...)
}

func protoVarint(b []byte, field int, v uint64) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3|wireVarint)
	return binary.AppendUvarint(b, v)
}

func protoBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3|wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// kinesisRecord is a record as Lambda delivers it.
type kinesisRecord struct {
	key  string
	seq  string
	data []byte
	at   time.Time
}

// seqNumber returns a realistic 56-digit sequence number, increasing with i.
func seqNumber(i int) string {
	return fmt.Sprintf("4966%036d%016d", 1234567, 1000+i)
}

// event encodes a Lambda Kinesis event the way Lambda writes it.
func event(recs ...kinesisRecord) []byte {
	ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, 0, len(recs))}
	for _, r := range recs {
		ev.Records = append(ev.Records, events.KinesisEventRecord{
			AwsRegion:         "eu-west-1",
			EventID:           testShard + ":" + r.seq,
			EventName:         "aws:kinesis:record",
			EventSource:       "aws:kinesis",
			EventSourceArn:    testARN,
			EventVersion:      "1.0",
			InvokeIdentityArn: "arn:aws:iam::123456789012:role/orders-consumer",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: r.at},
				Data:                        r.data,
				PartitionKey:                r.key,
				SequenceNumber:              r.seq,
				KinesisSchemaVersion:        "1.0",
			},
		})
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// keyed builds n records over the given keys in turn, with sequence numbers
// from seqNumber(0).
func keyed(n int, keys ...string) []kinesisRecord {
	recs := make([]kinesisRecord, n)
	for i := range recs {
		recs[i] = kinesisRecord{
			key:  keys[i%len(keys)],
			seq:  seqNumber(i),
			data: fmt.Appendf(nil, `{"n":%d}`, i),
			at:   testTime.Add(time.Duration(i) * time.Millisecond),
		}
	}
	return recs
}

// response decodes a partial batch response into its identifiers.
func response(t *testing.T, b []byte) []string {
	t.Helper()
	var resp events.KinesisEventResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatalf("response %s: %v", b, err)
	}
	if resp.BatchItemFailures == nil {
		t.Fatalf("response %s: got no batchItemFailures list, want one (empty on success)", b)
	}
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// short abbreviates sequence numbers in failure messages.
func short(seqs []string) string {
	out := make([]string, len(seqs))
	for i, s := range seqs {
		out[i] = "…" + s[max(0, len(s)-4):]
	}
	return "[" + strings.Join(out, " ") + "]"
}
