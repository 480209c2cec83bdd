package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/standardstream/standardstream/cmd/keycheck/internal/shardmap"
)

// BenchmarkAnalyze reads 1,000,000 keys per iteration and reports ns/key:
// all distinct (UUIDs, the worst case for the per-key map), skewed (1,000
// customer IDs, where repeats skip the MD5), and without per-key counting
// (-top 0: read, MD5 and shard lookup only).
func BenchmarkAnalyze(b *testing.B) {
	const n = 1_000_000
	skewed := make([]byte, 0, n*14)
	for i := range n {
		skewed = fmt.Appendf(skewed, "customer-%d\n", (i*i)%1000)
	}
	inputs := []struct {
		name  string
		in    []byte
		count bool
	}{
		{"distinct", uuidKeys(n, 7), true},
		{"skewed", skewed, true},
		{"distinct-top0", uuidKeys(n, 7), false},
	}
	shards, err := shardmap.EvenSplit(8)
	if err != nil {
		b.Fatal(err)
	}
	m, err := shardmap.NewMap(shards)
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.in)))
			for b.Loop() {
				var keys *keyCounter
				if in.count {
					keys = newKeyCounter(1 << 20)
				}
				a, err := analyze(bytes.NewReader(in.in), m, keys)
				if err != nil || a.total != n {
					b.Fatalf("got %d records, error %v; want %d", a.total, err, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
		})
	}
}
