package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"

	"github.com/standardstream/standardstream/cmd/keycheck/internal/shardmap"
)

const (
	// maxKeyChars is Kinesis' limit on a partition key: PutRecord and
	// PutRecords reject longer keys.
	maxKeyChars = 256
	// maxLineBytes bounds one input line. A real key is at most 1 KiB of
	// UTF-8 (256 characters of up to 4 bytes); a much longer line means the
	// input is not a list of keys.
	maxLineBytes = 1 << 20
)

// analysis is what keycheck learned from one input.
type analysis struct {
	shards  []shardmap.Shard // in hash key order
	records []uint64         // records per shard, same order as shards
	total   uint64           // records, that is non-empty lines
	empty   uint64           // empty lines, skipped
	tooLong uint64           // keys over maxKeyChars characters, still counted
	keys    *keyCounter      // nil when top keys are not wanted
}

// analyze reads partition keys from r, one per line, and counts the records
// of each shard of m and, if keys is not nil, of each key. Lines may end in
// \n or \r\n; empty lines are counted and skipped, because Kinesis rejects
// an empty partition key. Keys are hashed as the bytes they are in the
// input, which must be UTF-8 to match what Kinesis hashes.
func analyze(r io.Reader, m *shardmap.Map, keys *keyCounter) (*analysis, error) {
	a := &analysis{shards: m.Shards(), records: make([]uint64, len(m.Shards())), keys: keys}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	var line uint64
	for sc.Scan() {
		line++
		key := sc.Bytes()
		if len(key) == 0 {
			a.empty++
			continue
		}
		// Only a key of more than 256 bytes can have more than 256
		// characters, so the common case skips counting runes.
		if len(key) > maxKeyChars && utf8.RuneCount(key) > maxKeyChars {
			a.tooLong++
		}
		a.total++
		if keys == nil {
			a.records[m.Find(shardmap.Hash(key))]++
			continue
		}
		shard, ok := keys.hit(key)
		if !ok {
			shard = m.Find(shardmap.Hash(key))
			keys.add(key, shard)
		}
		a.records[shard]++
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than %d bytes; want one partition key per line", line+1, maxLineBytes)
		}
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return a, nil
}

// hottest returns the index of the shard with the most records, the first
// in hash key order on a tie.
func (a *analysis) hottest() int {
	h := 0
	for i, n := range a.records {
		if n > a.records[h] {
			h = i
		}
	}
	return h
}

// hot reports whether the hottest shard holds more than 1.5 times its even
// share (total/shards).
func (a *analysis) hot() bool {
	return hotShard(a.records[a.hottest()], a.total, uint64(len(a.records)))
}

// hotShard reports whether a shard with n of total records, on a stream of
// shards shards, holds more than 1.5 times its even share. It compares
// 2·n·shards with 3·total in 128-bit integers, so a share exactly at the
// threshold is never misjudged by floating-point rounding.
func hotShard(n, total, shards uint64) bool {
	lhsHi, lhsLo := bits.Mul64(n, 2*shards)
	rhsHi, rhsLo := bits.Mul64(total, 3)
	return lhsHi > rhsHi || (lhsHi == rhsHi && lhsLo > rhsLo)
}
