package kinesisbatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzDecode checks payload decoding against encoding/json and aws-lambda-go:
// whatever is accepted is valid JSON and decodes to the same records, and no
// payload crashes the Handler.
func FuzzDecode(f *testing.F) {
	for _, b := range testdataFiles() {
		f.Add(b)
	}
	for _, s := range edgePayloads {
		f.Add([]byte(s))
	}
	f.Add(event(kinesisRecord{key: "k", seq: "1", data: aggregate(userRec{key: "a", data: []byte("x")}, userRec{key: "b", data: nil})}))
	f.Add([]byte(`{"Records":[{"kinesis":{"sequenceNumber":"1","data":"84mawg=="}}]}`))

	h := New(func(ctx context.Context, r Record) error {
		if len(r.Data) > 0 && r.Data[0] == 'f' {
			return fmt.Errorf("fail")
		}
		if len(r.Data) > 0 && r.Data[0] == 'p' {
			panic("fail")
		}
		return nil
	}, append(quiet(), WithConcurrency(3))...)

	f.Fuzz(func(t *testing.T, payload []byte) {
		var d decoder
		recs, err := d.decode(payload)
		if err != nil {
			if _, herr := h.Invoke(context.Background(), payload); herr == nil {
				t.Fatalf("decode failed with %v, Invoke did not", err)
			}
			return
		}
		if !json.Valid(payload) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		var typed events.KinesisEvent
		if json.Unmarshal(payload, &typed) == nil {
			if msg := diffTyped(recs, typed); msg != "" {
				t.Fatalf("differs from aws-lambda-go: %s", msg)
			}
		}

		resp, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatalf("Invoke: got error %v for a payload that decodes", err)
		}
		var r events.KinesisEventResponse
		if err := json.Unmarshal(resp, &r); err != nil || r.BatchItemFailures == nil {
			t.Fatalf("got response %s (%v), want a batchItemFailures list", resp, err)
		}
		seqs := map[string]bool{}
		for _, rec := range recs {
			seqs[rec.SequenceNumber] = true
		}
		var ids []string
		for _, f := range r.BatchItemFailures {
			if !seqs[f.ItemIdentifier] {
				t.Fatalf("got itemIdentifier %q, want one of the batch's sequence numbers", f.ItemIdentifier)
			}
			ids = append(ids, f.ItemIdentifier)
		}
		if !slices.IsSortedFunc(ids, func(a, b string) int {
			return compareSeq(Record{SequenceNumber: a}, Record{SequenceNumber: b})
		}) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Fatalf("got itemIdentifiers %v, want ascending without repeats", ids)
		}
	})
}

// FuzzDeaggregate feeds arbitrary AggregatedRecord protobufs, with a valid
// checksum so that the parser is reached, and checks that what decodes
// encodes back to the same user records.
func FuzzDeaggregate(f *testing.F) {
	f.Add([]byte{})
	for _, recs := range [][]userRec{
		{{key: "a", data: []byte("1")}},
		{{key: "a", data: []byte("1")}, {key: "b", hashKey: "99", data: []byte("22")}, {key: "a"}},
	} {
		agg := aggregate(recs...)
		f.Add(agg[len(kplMagic) : len(agg)-16])
	}
	f.Add([]byte{0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00, 0x0a, 0x01, 'k'})

	f.Fuzz(func(t *testing.T, body []byte) {
		// The raw bytes too, as if they were the whole record.
		_, _ = deaggregate(nil, Record{Data: append(slices.Clone(kplMagic), body...)})

		parent := Record{SequenceNumber: "5", PartitionKey: "p"}
		parent.Data = sealAggregate(body)
		got, err := deaggregate(nil, parent)
		if err != nil {
			return
		}
		var again []userRec
		for i, u := range got {
			if u.SubSequenceNumber != i || !u.Aggregated || u.SequenceNumber != "5" {
				t.Fatalf("user record %d: got %+v, want sub-sequence number %d of parent 5", i, u, i)
			}
			if len(u.Data) > 0 && !bytes.Contains(body, u.Data) {
				t.Fatalf("user record %d: got data %q that is not in the aggregate", i, u.Data)
			}
			again = append(again, userRec{key: u.PartitionKey, hashKey: u.ExplicitHashKey, data: u.Data})
		}
		parent.Data = aggregate(again...)
		round, err := deaggregate(nil, parent)
		if err != nil {
			t.Fatalf("re-encoded aggregate: %v", err)
		}
		if fmt.Sprint(round) != fmt.Sprint(got) {
			t.Fatalf("got %v after a round trip, want %v", round, got)
		}
	})
}
