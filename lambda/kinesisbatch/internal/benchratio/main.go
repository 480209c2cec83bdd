// Command benchratio reads the output of the kinesisbatch benchmarks and of
// the reference consumer's, and prints the ratios behind the performance
// targets, with the median of each benchmark's runs. Its last line is the
// reference consumer's:
//
//	reference consumer: X ms/batch, aws-lambda-go Y ms/batch, speedup Zx, A MB alloc/batch
//
// It exits with status 1 if a target is missed.
//
// Usage:
//
//	go test -run '^$' -bench . -cpu 1 -count 6 ./lambda/kinesisbatch ./lambda > bench.txt
//	go run ./lambda/kinesisbatch/internal/benchratio < bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Targets, from the consumer library's issue and docs/consumer.md.
const (
	minDecodeSpeedup      = 4.0
	maxBytesPerBatch      = 16e6
	minConcurrencySpeedup = 20.0

	// The reference consumer (lambda/) against aws-lambda-go's typed event
	// and encoding/json per record, on 5,000 schema-valid events in 6 MiB.
	minConsumerSpeedup = 4.0
	maxConsumerBytes   = 16e6

	maxFloorRatio = 3.0
)

func main() {
	runs, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(2)
	}
	ok := true
	check := func(met bool) string {
		if met {
			return "ok"
		}
		ok = false
		return "MISSED"
	}
	for _, batch := range []string{"6MiB", "9KB", "small"} {
		typed := runs.median("BenchmarkDecode/batch="+batch+"/impl=typed", "ns/op")
		ours := runs.median("BenchmarkDecode/batch="+batch+"/impl=kinesisbatch", "ns/op")
		alloc := runs.median("BenchmarkDecode/batch="+batch+"/impl=kinesisbatch", "B/op")
		if typed == 0 || ours == 0 {
			fmt.Printf("decode %-5s: no results\n", batch)
			ok = false
			continue
		}
		line := fmt.Sprintf("decode %-5s: %6.2f ms vs typed %6.2f ms: %4.1fx faster; %5.2f MB allocated per batch",
			batch, ours/1e6, typed/1e6, typed/ours, alloc/1e6)
		if batch == "6MiB" {
			line += fmt.Sprintf(" (targets >= %.0fx %s, <= %.0f MB %s)",
				minDecodeSpeedup, check(typed/ours >= minDecodeSpeedup), maxBytesPerBatch/1e6, check(alloc <= maxBytesPerBatch))
		}
		fmt.Println(line)
	}
	seq := runs.median("BenchmarkIOBound/concurrency=1", "ns/op")
	par := runs.median("BenchmarkIOBound/concurrency=32", "ns/op")
	if seq == 0 || par == 0 {
		fmt.Println("I/O-bound: no results")
		ok = false
	} else {
		fmt.Printf("I/O-bound 1,000 records x 1 ms, 100 keys: concurrency 32 %.1f ms vs 1 %.1f ms: %4.1fx faster (target >= %.0fx %s)\n",
			par/1e6, seq/1e6, seq/par, minConcurrencySpeedup, check(seq/par >= minConcurrencySpeedup))
	}
	// A stretch goal, reported but not enforced: Invoke within 3x of the
	// floor (one validating scan of the payload plus base64 decoding).
	invoke := runs.median("BenchmarkDecode/batch=6MiB/impl=kinesisbatch", "ns/op")
	if floor := runs.median("BenchmarkFloor", "ns/op"); floor > 0 && invoke > 0 {
		met := "met"
		if invoke/floor > maxFloorRatio {
			met = "not met"
		}
		fmt.Printf("decode 6MiB vs floor (one scan + base64): %.2f ms vs %.2f ms: %.1fx (stretch <= %.0fx %s)\n",
			invoke/1e6, floor/1e6, invoke/floor, maxFloorRatio, met)
	}

	// The reference consumer's line comes last, in a fixed form.
	ref := runs.median("BenchmarkConsumer/impl=reference", "ns/op")
	naive := runs.median("BenchmarkConsumer/impl=awslambdago", "ns/op")
	refAlloc := runs.median("BenchmarkConsumer/impl=reference", "B/op")
	if ref == 0 || naive == 0 {
		fmt.Println("reference consumer: no results")
		os.Exit(1)
	}
	fmt.Printf("reference consumer targets: >= %.0fx %s, <= %.0f MB %s\n",
		minConsumerSpeedup, check(naive/ref >= minConsumerSpeedup), maxConsumerBytes/1e6, check(refAlloc <= maxConsumerBytes))
	fmt.Printf("reference consumer: %.1f ms/batch, aws-lambda-go %.1f ms/batch, speedup %.1fx, %.1f MB alloc/batch\n",
		ref/1e6, naive/1e6, naive/ref, refAlloc/1e6)
	if !ok {
		os.Exit(1)
	}
}

// results maps a benchmark name (without the -N GOMAXPROCS suffix) and a
// unit to the values of its runs.
type results map[string]map[string][]float64

var procs = regexp.MustCompile(`-\d+$`)

// parse reads benchmark lines: name, iterations, then value-unit pairs.
func parse(r io.Reader) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procs.ReplaceAllString(f[0], "")
		if res[name] == nil {
			res[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark %s: value %q: %w", name, f[i], err)
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
	return res, sc.Err()
}

// median returns the median of a benchmark's values in unit, or 0.
func (r results) median(name, unit string) float64 {
	vs := slices.Sorted(slices.Values(r[name][unit]))
	switch n := len(vs); {
	case n == 0:
		return 0
	case n%2 == 1:
		return vs[n/2]
	default:
		return (vs[n/2-1] + vs[n/2]) / 2
	}
}
