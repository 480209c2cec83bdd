#!/usr/bin/env bash
# Runs the kinesisbatch benchmarks and the reference consumer's on one core,
# compares them with benchstat and prints the ratios behind the performance
# targets (see docs/consumer.md), ending with the reference consumer's line.
# Exits non-zero if a target is missed.
#
#   lambda/kinesisbatch/bench.sh            # COUNT=6 runs of each benchmark
#   COUNT=10 lambda/kinesisbatch/bench.sh
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-6}
# The version the Go module proxy here serves; go run fetches it on first use.
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(go version)"
go test -run '^$' -bench '^(BenchmarkDecode|BenchmarkIOBound|BenchmarkFloor)$' -cpu 1 -count "$COUNT" . >"$out"
# The reference consumer (lambda/) on a full batch of schema-valid events.
go test -run '^$' -bench '^BenchmarkConsumer$' -cpu 1 -count "$COUNT" .. >>"$out"

echo
echo "## Decode and dispatch with a no-op Func: aws-lambda-go typed vs kinesisbatch"
go run "$BENCHSTAT" -filter '.name:Decode' -col /impl "$out"
echo
echo "## I/O-bound Func (1 ms per record): sequential vs 32 at once"
go run "$BENCHSTAT" -filter '.name:IOBound' -col /concurrency "$out"
echo
echo "## Reference consumer, 5,000 schema-valid events in 6 MiB: aws-lambda-go typed + encoding/json vs kinesisbatch + generated decoder"
go run "$BENCHSTAT" -filter '.name:Consumer' -col /impl "$out"
echo
echo "## Ratios (medians of $COUNT runs)"
go run ./internal/benchratio <"$out"
