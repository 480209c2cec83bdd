package kinesisbatch

import (
	"fmt"
	"strings"
	"testing"
)

func TestDeaggregate(t *testing.T) {
	parent := Record{
		EventSourceARN: testARN, ShardID: testShard, PartitionKey: "a",
		SequenceNumber: seqNumber(7), ApproximateArrivalTimestamp: testTime,
	}
	withUnknown := protoBytes(nil, 1, []byte("a"))
	withUnknown = protoVarint(withUnknown, 9, 300)                                       // unknown varint
	withUnknown = append(withUnknown, 0x55, 1, 2, 3, 4)                                  // field 10, fixed32
	withUnknown = append(withUnknown, 0x59, 1, 2, 3, 4, 5, 6, 7, 8)                      // field 11, fixed64
	withUnknown = protoBytes(withUnknown, 3, protoBytes(protoVarint(nil, 1, 0), 3, nil)) // empty data
	tagged := protoBytes(protoVarint(nil, 1, 0), 4, protoBytes(protoBytes(nil, 1, []byte("k")), 2, []byte("v")))
	tagged = protoBytes(tagged, 3, []byte("x"))

	tests := []struct {
		name    string
		data    []byte
		want    []string // key|hash key|data per user record
		wantErr string
	}{
		{
			name: "user records",
			data: aggregate(userRec{key: "a", data: []byte("1")}, userRec{key: "b", hashKey: "42", data: []byte("2")}, userRec{key: "a", data: []byte("3")}),
			want: []string{"a||1", "b|42|2", "a||3"},
		},
		{name: "tables after records", data: sealAggregate(append(protoBytes(nil, 3, protoBytes(protoVarint(nil, 1, 0), 3, []byte("z"))), protoBytes(nil, 1, []byte("late"))...)), want: []string{"late||z"}},
		{name: "unknown fields and empty data", data: sealAggregate(withUnknown), want: []string{"a||"}},
		{name: "tags", data: sealAggregate(append(protoBytes(nil, 1, []byte("t")), protoBytes(nil, 3, tagged)...)), want: []string{"t||x"}},
		{name: "no records", data: sealAggregate(protoBytes(nil, 1, []byte("a"))), want: []string{}},
		{name: "too short", data: kplMagic, wantErr: "corrupt KPL aggregate: 4 bytes is too short"},
		{name: "checksum", data: corrupted(aggregate(userRec{key: "a", data: []byte("1")})), wantErr: "corrupt KPL aggregate: MD5 checksum mismatch"},
		{name: "key index out of range", data: sealAggregate(append(protoBytes(nil, 1, []byte("a")), protoBytes(nil, 3, protoBytes(protoVarint(nil, 1, 1), 3, nil))...)), wantErr: "user record 0: partition key index 1 out of range [0, 1)"},
		{name: "hash key index out of range", data: sealAggregate(append(protoBytes(nil, 1, []byte("a")), protoBytes(nil, 3, protoBytes(protoVarint(protoVarint(nil, 1, 0), 2, 0), 3, nil))...)), wantErr: "user record 0: explicit hash key index 0 out of range [0, 0)"},
		{name: "no key index", data: sealAggregate(protoBytes(nil, 3, protoBytes(nil, 3, []byte("x")))), wantErr: "user record 0: no partition key index"},
		{name: "no data", data: sealAggregate(append(protoBytes(nil, 1, []byte("a")), protoBytes(nil, 3, protoVarint(nil, 1, 0))...)), wantErr: "user record 0: no data"},
		{name: "truncated length", data: sealAggregate([]byte{0x0a, 0x05, 'a'}), wantErr: "field 1: bad length"},
		{name: "truncated varint", data: sealAggregate([]byte{0x08, 0x80}), wantErr: "field 1: bad varint"},
		{name: "wrong wire type", data: sealAggregate([]byte{0x08, 0x01}), wantErr: "field 1 has wire type 0, want 2"},
		{name: "group wire type", data: sealAggregate([]byte{0x0b}), wantErr: "field 1: unsupported wire type 3"},
		{name: "field zero", data: sealAggregate([]byte{0x02, 0x00}), wantErr: "bad field number 0"},
		{name: "varint overflow", data: sealAggregate([]byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}), wantErr: "field 1: bad varint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parent
			r.Data = tt.data
			if !isAggregated(r.Data) {
				t.Fatalf("got isAggregated false, want true")
			}
			got, err := deaggregate(nil, r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				if len(got) != 0 {
					t.Errorf("got %d records with the error, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			desc := []string{}
			for i, u := range got {
				desc = append(desc, fmt.Sprintf("%s|%s|%s", u.PartitionKey, u.ExplicitHashKey, u.Data))
				if u.SubSequenceNumber != i || !u.Aggregated || u.SequenceNumber != parent.SequenceNumber ||
					u.ShardID != parent.ShardID || u.EventSourceARN != parent.EventSourceARN || !u.ApproximateArrivalTimestamp.Equal(testTime) {
					t.Errorf("user record %d: got %+v, want parent's fields and sub-sequence number %d", i, u, i)
				}
			}
			if fmt.Sprint(desc) != fmt.Sprint(tt.want) {
				t.Errorf("got %q, want %q", desc, tt.want)
			}
		})
	}
}

// corrupted returns b with its last byte flipped.
func corrupted(b []byte) []byte {
	b = append([]byte(nil), b...)
	b[len(b)-1] ^= 0xff
	return b
}

func TestUserDataIsCapped(t *testing.T) {
	got, err := deaggregate(nil, Record{Data: aggregate(userRec{key: "a", data: []byte("1")}, userRec{key: "a", data: []byte("2")})})
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got[0].Data, 'X') // must not overwrite the next user record
	if string(got[1].Data) != "2" {
		t.Errorf("got second user record %q after appending to the first, want %q", got[1].Data, "2")
	}
}
