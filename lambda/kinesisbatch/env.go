package kinesisbatch

import (
	"fmt"
	"os"
	"strconv"
)

// ConcurrencyEnv is the environment variable that ConcurrencyFromEnv reads.
const ConcurrencyEnv = "CONSUMER_CONCURRENCY"

// ConcurrencyFromEnv returns the n for WithConcurrency that the environment
// variable CONSUMER_CONCURRENCY sets, so that an I/O-bound consumer can be
// tuned without a rebuild: 1 when it is not set, and an error naming the
// value when it is not a positive integer. A consumer's main calls it; the
// library itself never reads the environment.
func ConcurrencyFromEnv() (int, error) {
	v := os.Getenv(ConcurrencyEnv)
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive integer, got %q", ConcurrencyEnv, v)
	}
	return n, nil
}
