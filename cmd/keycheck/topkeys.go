package main

import (
	"cmp"
	"slices"
)

// keyCounter counts records per partition key and remembers each key's
// shard, so a repeated key costs one map lookup instead of an MD5.
//
// It counts exactly until it holds capacity distinct keys. After that it
// becomes a Space-Saving summary (Metwally, Agrawal and El Abbadi, 2005): a
// new key replaces the key with the smallest count and inherits that count
// as its possible overcount. Memory stays at capacity keys however long the
// input, every key with more than total/capacity records is still counted,
// and each count is at most over by its entry's overcount. Shard counts do
// not depend on it and stay exact.
type keyCounter struct {
	capacity int
	index    map[string]int32 // key -> position in entries
	entries  []keyCount
	// heap holds positions in entries as a min-heap by count. It is built
	// only when the counter first overflows, so exact counting pays nothing
	// for it.
	heap []int32
}

// keyCount is one counted key.
type keyCount struct {
	key       string
	count     uint64
	overcount uint64 // Space-Saving error bound; 0 while counting exactly
	shard     int32
	heapPos   int32
}

// newKeyCounter returns a counter that counts up to capacity (≥ 1)
// distinct keys exactly.
func newKeyCounter(capacity int) *keyCounter {
	return &keyCounter{capacity: capacity, index: make(map[string]int32)}
}

// hit counts one more record of key and returns its shard, if key is
// counted; otherwise it returns false and the caller must call add.
func (c *keyCounter) hit(key []byte) (shard int, ok bool) {
	// The string(key) conversion in a map index expression does not allocate.
	i, ok := c.index[string(key)]
	if !ok {
		return 0, false
	}
	e := &c.entries[i]
	e.count++
	if c.heap != nil {
		c.down(int(e.heapPos))
	}
	return int(e.shard), true
}

// add counts the first record of a key that hit did not find.
func (c *keyCounter) add(key []byte, shard int) {
	if len(c.entries) < c.capacity {
		k := string(key)
		c.index[k] = int32(len(c.entries))
		c.entries = append(c.entries, keyCount{key: k, count: 1, shard: int32(shard)})
		return
	}
	if c.heap == nil {
		c.buildHeap()
	}
	// Replace the least counted key. Its count becomes the newcomer's
	// overcount: the newcomer may have had up to that many records while it
	// was not counted.
	i := c.heap[0]
	e := &c.entries[i]
	delete(c.index, e.key)
	e.key = string(key)
	e.overcount = e.count
	e.count++
	e.shard = int32(shard)
	c.index[e.key] = i
	c.down(0)
}

// exact reports whether every count is exact.
func (c *keyCounter) exact() bool {
	return c.heap == nil
}

// distinct returns how many keys are counted; while exact, that is the
// number of distinct keys seen.
func (c *keyCounter) distinct() int {
	return len(c.entries)
}

// top returns the k keys with the most records, most first, ties by key.
func (c *keyCounter) top(k int) []keyCount {
	all := slices.Clone(c.entries)
	slices.SortFunc(all, func(a, b keyCount) int {
		if r := cmp.Compare(b.count, a.count); r != 0 {
			return r
		}
		return cmp.Compare(a.key, b.key)
	})
	return all[:min(k, len(all))]
}

func (c *keyCounter) buildHeap() {
	c.heap = make([]int32, len(c.entries))
	for i := range c.heap {
		c.heap[i] = int32(i)
		c.entries[i].heapPos = int32(i)
	}
	for i := len(c.heap)/2 - 1; i >= 0; i-- {
		c.down(i)
	}
}

// down restores the heap order below position p after its count grew.
func (c *keyCounter) down(p int) {
	n := len(c.heap)
	for {
		least := p
		if l := 2*p + 1; l < n && c.entries[c.heap[l]].count < c.entries[c.heap[least]].count {
			least = l
		}
		if r := 2*p + 2; r < n && c.entries[c.heap[r]].count < c.entries[c.heap[least]].count {
			least = r
		}
		if least == p {
			return
		}
		c.heap[p], c.heap[least] = c.heap[least], c.heap[p]
		c.entries[c.heap[p]].heapPos = int32(p)
		c.entries[c.heap[least]].heapPos = int32(least)
		p = least
	}
}
