package kinesisbatch

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
)

// An aggregated record of the Kinesis Producer Library is
//
//	magic (4 bytes) | AggregatedRecord (protobuf) | MD5 of the protobuf (16 bytes)
//
// with the messages (https://github.com/awslabs/amazon-kinesis-producer,
// aws/kinesis/protobuf/messages.proto)
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//
// Three fields are all it takes, so they are decoded by hand here rather than
// with a protobuf library.

var kplMagic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// isAggregated reports whether data starts with the KPL magic. Such data is
// an aggregate or corrupt; it is never taken for a user payload.
func isAggregated(data []byte) bool { return bytes.HasPrefix(data, kplMagic) }

// deaggregate appends the user records of the aggregated record r to dst.
// The user records' Data alias r.Data.
func deaggregate(dst []Record, r Record) ([]Record, error) {
	if len(r.Data) < len(kplMagic)+md5.Size {
		return dst, fmt.Errorf("corrupt KPL aggregate: %d bytes is too short", len(r.Data))
	}
	body := r.Data[len(kplMagic) : len(r.Data)-md5.Size]
	if sum := md5.Sum(body); !bytes.Equal(sum[:], r.Data[len(r.Data)-md5.Size:]) {
		return dst, errors.New("corrupt KPL aggregate: MD5 checksum mismatch")
	}

	// Tables may follow the records that index them, so read them first.
	var keys, hashKeys []string
	nRecords := 0
	err := eachField(body, func(field int, wire int, v []byte, _ uint64) error {
		switch field {
		case 1, 2, 3:
			if wire != wireBytes {
				return fmt.Errorf("field %d has wire type %d, want %d", field, wire, wireBytes)
			}
		}
		switch field {
		case 1:
			keys = append(keys, string(v))
		case 2:
			hashKeys = append(hashKeys, string(v))
		case 3:
			nRecords++
		}
		return nil
	})
	if err != nil {
		return dst, fmt.Errorf("corrupt KPL aggregate: %w", err)
	}

	start := len(dst)
	dst = append(dst, make([]Record, 0, nRecords)...)
	err = eachField(body, func(field int, _ int, v []byte, _ uint64) error {
		if field != 3 {
			return nil
		}
		sub := len(dst) - start
		u, err := userRecord(v, keys, hashKeys)
		if err != nil {
			return fmt.Errorf("user record %d: %w", sub, err)
		}
		u.EventSourceARN, u.ShardID = r.EventSourceARN, r.ShardID
		u.SequenceNumber, u.ApproximateArrivalTimestamp = r.SequenceNumber, r.ApproximateArrivalTimestamp
		u.SubSequenceNumber, u.Aggregated = sub, true
		dst = append(dst, u)
		return nil
	})
	if err != nil {
		return dst[:start], fmt.Errorf("corrupt KPL aggregate: %w", err)
	}
	return dst, nil
}

// userRecord decodes one Record message.
func userRecord(msg []byte, keys, hashKeys []string) (Record, error) {
	var u Record
	var haveKey, haveData bool
	err := eachField(msg, func(field int, wire int, v []byte, n uint64) error {
		want := wireVarint
		if field == 3 {
			want = wireBytes
		}
		if field <= 3 && wire != want {
			return fmt.Errorf("field %d has wire type %d, want %d", field, wire, want)
		}
		switch field {
		case 1:
			if n >= uint64(len(keys)) {
				return fmt.Errorf("partition key index %d out of range [0, %d)", n, len(keys))
			}
			u.PartitionKey, haveKey = keys[n], true
		case 2:
			if n >= uint64(len(hashKeys)) {
				return fmt.Errorf("explicit hash key index %d out of range [0, %d)", n, len(hashKeys))
			}
			u.ExplicitHashKey = hashKeys[n]
		case 3:
			u.Data, haveData = v[:len(v):len(v)], true
		}
		return nil
	})
	switch {
	case err != nil:
		return u, err
	case !haveKey:
		return u, errors.New("no partition key index")
	case !haveData:
		return u, errors.New("no data")
	}
	return u, nil
}

// eachField calls fn for each field of a protobuf message, with the value's
// bytes for the bytes wire type and the number for varints.
func eachField(msg []byte, fn func(field, wire int, v []byte, n uint64) error) error {
	for len(msg) > 0 {
		tag, k := binary.Uvarint(msg)
		if k <= 0 {
			return errors.New("bad field tag")
		}
		msg = msg[k:]
		field, wire := tag>>3, int(tag&7)
		if field == 0 || field > 1<<29-1 {
			return fmt.Errorf("bad field number %d", field)
		}
		var v []byte
		var n uint64
		switch wire {
		case wireVarint:
			n, k = binary.Uvarint(msg)
			if k <= 0 {
				return fmt.Errorf("field %d: bad varint", field)
			}
			msg = msg[k:]
		case wireFixed64, wireFixed32:
			size := 8
			if wire == wireFixed32 {
				size = 4
			}
			if len(msg) < size {
				return fmt.Errorf("field %d: truncated", field)
			}
			msg = msg[size:]
		case wireBytes:
			l, k := binary.Uvarint(msg)
			if k <= 0 || l > uint64(len(msg)-k) {
				return fmt.Errorf("field %d: bad length", field)
			}
			v, msg = msg[k:k+int(l)], msg[k+int(l):]
		default:
			return fmt.Errorf("field %d: unsupported wire type %d", field, wire)
		}
		if err := fn(int(field), wire, v, n); err != nil {
			return err
		}
	}
	return nil
}
