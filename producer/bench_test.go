package producer

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// The benchmarks run the producer against nopClient, which answers at
// once, so they measure the producer alone. docs/producer.md has the
// numbers; run them with
//
//	go test -run '^$' -bench . -benchmem ./producer

// BenchmarkPut is the producer's cost per record: ns/op and allocs/op are
// per Put, including its share of batching and the request.
func BenchmarkPut(b *testing.B) {
	for _, goroutines := range []int{1, 8} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			p, err := New(nopClient{}, "orders")
			if err != nil {
				b.Fatal(err)
			}
			keys := keysN(10000)
			data := make([]byte, 100)
			b.ReportAllocs()
			b.SetParallelism(goroutines)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if err := p.Put(context.Background(), keys[i%len(keys)], data); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			if err := p.Close(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(p.Stats().EntriesPerRequest(), "entries/request")
		})
	}
}

// BenchmarkRun100k puts 100,000 records of 100 bytes and closes the
// producer, per op. It reports how full the requests were and the cost per
// record. With 10,000 keys the target is at least 475 entries per request
// (95% of 500); with fewer keys than 500, a request holds at most one
// record per key (see the package doc), which the other cases show.
func BenchmarkRun100k(b *testing.B) {
	for _, nkeys := range []int{10000, 500, 100} {
		b.Run(fmt.Sprintf("keys=%d", nkeys), func(b *testing.B) {
			const records = 100_000
			keys := keysN(nkeys)
			data := make([]byte, 100)
			var entries, requests int64
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				p, err := New(nopClient{}, "orders")
				if err != nil {
					b.Fatal(err)
				}
				for i := range records {
					if err := p.Put(context.Background(), keys[i%len(keys)], data); err != nil {
						b.Fatal(err)
					}
				}
				if err := p.Close(context.Background()); err != nil {
					b.Fatal(err)
				}
				s := p.Stats()
				entries += s.Entries
				requests += s.Requests
			}
			runtime.ReadMemStats(&after)
			n := float64(b.N) * records
			b.ReportMetric(float64(entries)/float64(requests), "entries/request")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/record")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/record")
		})
	}
}
