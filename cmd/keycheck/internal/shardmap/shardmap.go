// Package shardmap maps Kinesis partition keys to shards exactly as Kinesis
// Data Streams does: the MD5 digest of the key's bytes, read as an unsigned
// 128-bit big-endian integer, selects the shard whose hash key range holds it.
package shardmap

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math/big"
	"sort"
)

// HashKey is a position in the Kinesis hash key space [0, 2^128), as two
// 64-bit halves so that comparing and hashing need no allocation.
type HashKey struct {
	Hi, Lo uint64
}

// MaxHashKey is 2^128 - 1, the EndingHashKey of the last shard of a stream.
var MaxHashKey = HashKey{Hi: ^uint64(0), Lo: ^uint64(0)}

// Hash returns the hash key Kinesis derives from a partition key: the MD5 of
// its UTF-8 bytes as a big-endian unsigned integer.
func Hash(partitionKey []byte) HashKey {
	sum := md5.Sum(partitionKey)
	return HashKey{Hi: binary.BigEndian.Uint64(sum[:8]), Lo: binary.BigEndian.Uint64(sum[8:])}
}

// Cmp returns -1, 0 or +1 as h is less than, equal to or greater than o.
func (h HashKey) Cmp(o HashKey) int {
	switch {
	case h.Hi < o.Hi:
		return -1
	case h.Hi > o.Hi:
		return 1
	case h.Lo < o.Lo:
		return -1
	case h.Lo > o.Lo:
		return 1
	}
	return 0
}

// Big returns h as a big.Int.
func (h HashKey) Big() *big.Int {
	b := new(big.Int).SetUint64(h.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(h.Lo))
}

// String returns h in decimal, the form Kinesis uses for hash keys.
func (h HashKey) String() string {
	return h.Big().String()
}

// hashKeyFromBig converts b, which must be in [0, 2^128), to a HashKey.
func hashKeyFromBig(b *big.Int) HashKey {
	var buf [16]byte
	b.FillBytes(buf[:])
	return HashKey{Hi: binary.BigEndian.Uint64(buf[:8]), Lo: binary.BigEndian.Uint64(buf[8:])}
}

// ParseHashKey parses a decimal hash key as Kinesis writes it in
// StartingHashKey, EndingHashKey and ExplicitHashKey: 0|[1-9][0-9]{0,38},
// at most 2^128 - 1.
func ParseHashKey(s string) (HashKey, error) {
	if s == "" || len(s) > 39 || (len(s) > 1 && s[0] == '0') {
		return HashKey{}, fmt.Errorf("hash key %q is not a decimal integer in [0, 2^128)", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return HashKey{}, fmt.Errorf("hash key %q is not a decimal integer in [0, 2^128)", s)
		}
	}
	b, _ := new(big.Int).SetString(s, 10)
	if b.BitLen() > 128 {
		return HashKey{}, fmt.Errorf("hash key %q is not a decimal integer in [0, 2^128)", s)
	}
	return hashKeyFromBig(b), nil
}

// Shard is a shard that takes writes for the hash keys in [Start, End].
type Shard struct {
	ID         string
	Start, End HashKey
}

// MaxEvenShards bounds EvenSplit. It is not an AWS limit: it keeps the
// per-shard table readable and the memory of a mistyped -shards small.
const MaxEvenShards = 1_000_000

// EvenSplit returns the n shards of a stream created with ShardCount n
// (CreateStream, or a new on-demand stream): shard i, named
// shardId-%012d, covers [floor(i*2^128/n), floor((i+1)*2^128/n) - 1], so
// the last one ends at 2^128 - 1. This reproduces the ranges AWS documents for
// 2, 3 and 5 shards; a stream that has been resharded since has other ranges,
// so read them with ParseListShards instead.
func EvenSplit(n int) ([]Shard, error) {
	if n < 1 || n > MaxEvenShards {
		return nil, fmt.Errorf("shard count must be between 1 and %d, got %d", MaxEvenShards, n)
	}
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	bound := func(i int) *big.Int { // floor(i * 2^128 / n)
		b := new(big.Int).Mul(space, big.NewInt(int64(i)))
		return b.Quo(b, big.NewInt(int64(n)))
	}
	shards := make([]Shard, n)
	start := bound(0)
	for i := range shards {
		next := bound(i + 1)
		end := new(big.Int).Sub(next, big.NewInt(1))
		shards[i] = Shard{ID: fmt.Sprintf("shardId-%012d", i), Start: hashKeyFromBig(start), End: hashKeyFromBig(end)}
		start = next
	}
	return shards, nil
}

// Map finds the shard of a hash key among shards that cover the whole hash
// key space without gaps or overlaps, as the open shards of a stream do.
type Map struct {
	shards []Shard // sorted by Start
}

// NewMap returns a Map over shards, which it sorts by Start. It returns an
// error if the shards leave a hash key without a shard or give one two.
func NewMap(shards []Shard) (*Map, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("no shards")
	}
	sorted := append([]Shard(nil), shards...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Cmp(sorted[j].Start) < 0 })
	if sorted[0].Start != (HashKey{}) {
		return nil, fmt.Errorf("no shard covers hash key 0: the lowest range starts at %s (%s)", sorted[0].Start, sorted[0].ID)
	}
	for i, s := range sorted {
		if s.Start.Cmp(s.End) > 0 {
			return nil, fmt.Errorf("shard %s: StartingHashKey %s is greater than EndingHashKey %s", s.ID, s.Start, s.End)
		}
		if i == 0 {
			continue
		}
		prev := sorted[i-1]
		if want := increment(prev.End); s.Start != want {
			how := "gap"
			if s.Start.Cmp(want) < 0 {
				how = "overlap"
			}
			return nil, fmt.Errorf("%s between shards %s (ends at %s) and %s (starts at %s)", how, prev.ID, prev.End, s.ID, s.Start)
		}
	}
	if last := sorted[len(sorted)-1]; last.End != MaxHashKey {
		return nil, fmt.Errorf("no shard covers hash key 2^128-1: the highest range ends at %s (%s)", last.End, last.ID)
	}
	return &Map{shards: sorted}, nil
}

// increment returns h+1, wrapping 2^128-1 to 0 (which NewMap never needs: it
// only increments the end of a range that another range follows).
func increment(h HashKey) HashKey {
	h.Lo++
	if h.Lo == 0 {
		h.Hi++
	}
	return h
}

// Shards returns the map's shards in hash key order. The caller must not
// modify them.
func (m *Map) Shards() []Shard {
	return m.shards
}

// Find returns the index in Shards of the shard whose range holds h.
func (m *Map) Find(h HashKey) int {
	// The ranges are contiguous, so the shard is the last one starting at or
	// below h; index 0 starts at 0, so there always is one.
	return sort.Search(len(m.shards), func(i int) bool { return m.shards[i].Start.Cmp(h) > 0 }) - 1
}
