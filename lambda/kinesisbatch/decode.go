package kinesisbatch

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/standardstream/standardstream/lambda/internal/jsonlex"
)

// Keys of the Lambda Kinesis event that a Record is built from; all others
// are validated and skipped. The order of each list fixes the key IDs below.
var (
	topKeys          = []string{"Records"}
	topKeysFolded    = foldAll(topKeys...)
	recordKeys       = []string{"eventID", "eventSourceARN", "kinesis"}
	recordKeysFolded = foldAll(recordKeys...)
	dataKeys         = []string{"partitionKey", "sequenceNumber", "data", "approximateArrivalTimestamp"}
	dataKeysFolded   = foldAll(dataKeys...)
)

const (
	keyEventID = iota
	keyEventSourceARN
	keyKinesis
)

const (
	keyPartitionKey = iota
	keySequenceNumber
	keyData
	keyArrival
)

// ref locates bytes in one of the decoder's buffers.
type ref struct{ off, n int }

// rawRecord is a record of the envelope whose strings are in the decoder's
// arena and whose decoded data is in its data buffer.
type rawRecord struct {
	shardID, arn, pk, seq ref
	data                  ref // off -1: no data (absent or null)
	arrival               time.Time
}

// decoder decodes Lambda Kinesis events. It is reused across invocations
// (through a sync.Pool) so that its buffers are allocated once.
type decoder struct {
	s     scanner
	raws  []rawRecord
	arena []byte // the records' strings, end to end
	data  []byte // the records' decoded data, end to end
	tmp   []byte
	recs  []Record
	// The last shard ID and ARN added to the arena: a batch comes from one
	// shard of one stream, so they are stored once.
	lastShard, lastARN ref
	hasShard, hasARN   bool
}

// decode parses a Lambda Kinesis event into records whose Data is decoded,
// in payload order. The records do not alias payload.
func (d *decoder) decode(payload []byte) ([]Record, error) {
	d.s = scanner{Lexer: jsonlex.Lexer{Buf: payload}, keyBuf: d.s.keyBuf[:0]}
	d.raws, d.arena, d.data = d.raws[:0], d.arena[:0], d.data[:0]
	d.hasShard, d.hasARN = false, false

	if d.s.Peek() != '{' {
		if err := d.s.skip(1); err != nil {
			return nil, err
		}
		return nil, errors.New("payload is not a JSON object")
	}
	sawRecords := false
	err := d.s.object(func(key []byte) error {
		if matchKey(key, topKeys, topKeysFolded) < 0 {
			return d.s.skip(1)
		}
		if sawRecords {
			return errors.New("payload has more than one Records member")
		}
		sawRecords = true
		switch d.s.Peek() {
		case '[':
			return d.s.array(d.record)
		case 'n':
			if d.s.null() {
				return errors.New("Records is null, want an array of records")
			}
		}
		if err := d.s.skip(1); err != nil {
			return err
		}
		return errors.New("Records is not an array")
	})
	if err != nil {
		return nil, err
	}
	if d.s.WS(); d.s.Pos < len(payload) {
		return nil, d.s.SyntaxError("end of input after the top-level object")
	}
	if !sawRecords {
		return nil, errors.New("payload has no Records array (not a Kinesis event)")
	}
	return d.records()
}

// release drops the decoder's references to the last payload and its
// records, so that a pooled decoder does not keep them alive.
func (d *decoder) release() {
	d.s.Buf = nil
	clear(d.recs)
}

// record decodes the i-th element of Records.
func (d *decoder) record(i int) error {
	if d.s.Peek() != '{' {
		if err := d.s.skip(1); err != nil {
			return err
		}
		return fmt.Errorf("Records[%d] is not an object", i)
	}
	r := rawRecord{data: ref{off: -1}}
	err := d.s.object(func(key []byte) error {
		switch matchKey(key, recordKeys, recordKeysFolded) {
		case keyEventID:
			return d.stringField(&r.shardID, "eventID", storeShardID)
		case keyEventSourceARN:
			return d.stringField(&r.arn, "eventSourceARN", storeARN)
		case keyKinesis:
			if d.s.null() {
				return nil
			}
			if d.s.Peek() != '{' {
				return d.typeError("kinesis", "an object")
			}
			return d.s.object(func(key []byte) error { return d.kinesisField(&r, key) })
		}
		return d.s.skip(2)
	})
	if err != nil {
		return fmt.Errorf("Records[%d]: %w", i, err)
	}
	if seq := d.arena[r.seq.off : r.seq.off+r.seq.n]; !isDecimal(seq) {
		return fmt.Errorf("Records[%d]: kinesis.sequenceNumber %q is not a decimal number", i, seq)
	}
	d.raws = append(d.raws, r)
	return nil
}

func (d *decoder) kinesisField(r *rawRecord, key []byte) error {
	switch matchKey(key, dataKeys, dataKeysFolded) {
	case keyPartitionKey:
		return d.stringField(&r.pk, "kinesis.partitionKey", storeString)
	case keySequenceNumber:
		return d.stringField(&r.seq, "kinesis.sequenceNumber", storeString)
	case keyData:
		if d.s.null() {
			r.data = ref{off: -1} // encoding/json sets a []byte to nil on null
			return nil
		}
		if d.s.Peek() != '"' {
			return d.typeError("kinesis.data", "a base64 string")
		}
		off := len(d.data)
		if out, end, ok := decodeFast(d.s.Buf, d.s.Pos+1, d.data); ok {
			d.data, d.s.Pos = out, end+1
			r.data = ref{off, len(d.data) - off}
			return nil
		}
		js, err := d.s.Str()
		if err != nil {
			return err
		}
		text := d.s.Buf[js.Start:js.End]
		if !js.Plain {
			d.tmp = jsonlex.Unquote(d.tmp[:0], text)
			text = d.tmp
		}
		if d.data, err = decodeSlow(text, d.data); err != nil {
			return fmt.Errorf("kinesis.data is not base64: %w", err)
		}
		r.data = ref{off, len(d.data) - off}
		return nil
	case keyArrival:
		c := d.s.Peek()
		if c != '-' && (c < '0' || c > '9') {
			return d.typeError("kinesis.approximateArrivalTimestamp", "a number")
		}
		num, err := d.s.Number()
		if err != nil {
			return err
		}
		t, err := parseEpoch(num)
		if err != nil {
			return fmt.Errorf("kinesis.approximateArrivalTimestamp: %w", err)
		}
		r.arrival = t
		return nil
	}
	return d.s.skip(3)
}

// typeError skips the value at hand and says that field needed another type.
func (d *decoder) typeError(field, want string) error {
	if err := d.s.skip(3); err != nil {
		return err
	}
	return fmt.Errorf("%s is not %s", field, want)
}

// How stringField stores a string.
type storeAs int

const (
	storeString  storeAs = iota
	storeShardID         // the part of an eventID before ':', stored once per batch
	storeARN             // stored once per batch
)

// stringField reads a string into the arena, keeping the old value on null
// as encoding/json does.
func (d *decoder) stringField(dst *ref, field string, as storeAs) error {
	if d.s.null() {
		return nil
	}
	if d.s.Peek() != '"' {
		return d.typeError(field, "a string")
	}
	js, err := d.s.Str()
	if err != nil {
		return err
	}
	v := d.s.Buf[js.Start:js.End]
	if !js.Plain {
		d.tmp = jsonlex.Unquote(d.tmp[:0], v)
		v = d.tmp
	}
	var last *ref
	var has *bool
	switch as {
	case storeShardID:
		v = shardOf(v)
		last, has = &d.lastShard, &d.hasShard
	case storeARN:
		last, has = &d.lastARN, &d.hasARN
	default:
		*dst = d.store(v)
		return nil
	}
	if !*has || string(d.arena[last.off:last.off+last.n]) != string(v) {
		*last, *has = d.store(v), true
	}
	*dst = *last
	return nil
}

func (d *decoder) store(v []byte) ref {
	off := len(d.arena)
	d.arena = append(d.arena, v...)
	return ref{off, len(v)}
}

// shardOf returns the shard ID of an eventID, "shardId-000000000000:seq".
func shardOf(eventID []byte) []byte {
	for i, c := range eventID {
		if c == ':' {
			return eventID[:i]
		}
	}
	return eventID
}

func isDecimal(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseEpoch converts seconds since the epoch, as Lambda writes
// approximateArrivalTimestamp (1545084650.987), to a time. Plain decimals
// are converted exactly; other forms (exponents, negatives) go through
// float64 as aws-lambda-go's SecondsEpochTime does.
func parseEpoch(num []byte) (time.Time, error) {
	sec, i := int64(0), 0
	for ; i < len(num) && i < 11 && num[i] >= '0' && num[i] <= '9'; i++ {
		sec = sec*10 + int64(num[i]-'0')
	}
	if i > 0 && i <= 10 && (i == len(num) || num[i] == '.') {
		nsec, scale := int64(0), int64(1e9)
		plain := true
		if i < len(num) {
			for _, c := range num[i+1:] {
				if c < '0' || c > '9' {
					plain = false
					break
				}
				if scale > 1 {
					scale /= 10
					nsec += int64(c-'0') * scale
				}
			}
		}
		if plain {
			return time.Unix(sec, nsec), nil
		}
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("number %s out of range", num)
	}
	s := int64(f)
	return time.Unix(s, int64((f-float64(s))*1e9)), nil
}

// records builds the Records. Their data is copied to one new allocation and
// their strings to another, so that a Func may keep them; the slice of
// Records is the decoder's, valid until its next decode.
func (d *decoder) records() ([]Record, error) {
	// Never nil: encoding/json decodes "" to an empty, non-nil slice.
	// (append does not zero what it copies over, make would.)
	slab := append([]byte{}, d.data...)
	strs := string(d.arena)
	str := func(r ref) string { return strs[r.off : r.off+r.n] }
	n := len(d.raws)
	d.recs = slices.Grow(d.recs[:0], n)[:n]
	clear(d.recs[n:cap(d.recs)]) // let go of an earlier, larger batch
	recs := d.recs
	for i := range d.raws {
		r := &d.raws[i]
		recs[i] = Record{
			EventSourceARN:              str(r.arn),
			ShardID:                     str(r.shardID),
			PartitionKey:                str(r.pk),
			SequenceNumber:              str(r.seq),
			ApproximateArrivalTimestamp: r.arrival,
		}
		if r.data.off >= 0 {
			recs[i].Data = slab[r.data.off : r.data.off+r.data.n : r.data.off+r.data.n]
		}
	}
	return recs, nil
}
