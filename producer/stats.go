package producer

import "time"

// Stats is a snapshot of the producer's counters since New, taken at one
// instant. Entries counts every entry of every request, so Entries minus
// RecordsSent minus the failed attempts is what retries cost.
type Stats struct {
	// RecordsPut is how many records Put accepted.
	RecordsPut int64
	// RecordsSent is how many records Kinesis acknowledged, each once.
	RecordsSent int64
	// BytesSent is the size (partition key plus data) of RecordsSent.
	BytesSent int64
	// Failures is how many records the producer gave up on and reported
	// (see [WithOnFailure]).
	Failures int64
	// Retries is how many times a record was scheduled for another attempt
	// after a failed one.
	Retries int64
	// Throttles is how many entries Kinesis turned down for throughput:
	// per entry (ProvisionedThroughputExceededException,
	// KMSThrottlingException) or all entries of a request that failed with
	// such an error. Sustained throttling means the stream needs more
	// shards or the keys are hot (see cmd/keycheck).
	Throttles int64
	// Requests is how many PutRecords calls returned, successful or not.
	Requests int64
	// RequestErrors is how many of them failed as a whole.
	RequestErrors int64
	// Entries is how many entries all requests carried, retries included.
	// Entries / Requests is how full requests are (at most 500).
	Entries int64
	// RequestLatency is the time spent in all PutRecords calls; divide by
	// Requests for the mean.
	RequestLatency time.Duration
	// MaxRequestLatency is the longest PutRecords call.
	MaxRequestLatency time.Duration
	// BufferedRecords and BufferedBytes are what the buffer holds now:
	// records waiting to be sent, in flight or waiting for a retry.
	BufferedRecords int64
	BufferedBytes   int64
}

// MeanRequestLatency is RequestLatency / Requests, or 0 before the first request.
func (s Stats) MeanRequestLatency() time.Duration {
	if s.Requests == 0 {
		return 0
	}
	return s.RequestLatency / time.Duration(s.Requests)
}

// EntriesPerRequest is Entries / Requests, or 0 before the first request.
func (s Stats) EntriesPerRequest() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Entries) / float64(s.Requests)
}

// RequestInfo describes one PutRecords call, for [WithOnRequest].
type RequestInfo struct {
	// Records and Bytes are the entries the request carried and their size.
	Records int
	Bytes   int
	// Failed is how many entries Kinesis rejected; all of them if Err is set.
	Failed int
	// Throttled is how many of them were rejected for throughput.
	Throttled int
	// Latency is how long the call took.
	Latency time.Duration
	// Err is the error of a call that failed as a whole.
	Err error
}
