// Package producer writes records to a Kinesis data stream in batches, and
// gets the hard parts right: requests filled within the PutRecords limits,
// back-pressure instead of unbounded memory, retries of exactly the
// entries that failed, per-partition-key order through those retries, and
// no record dropped without the caller hearing of it.
//
//	client := kinesis.NewFromConfig(cfg) // *kinesis.Client is a [Client]
//	p, err := producer.New(client, "orders", producer.WithOnFailure(park))
//	...
//	err = p.Put(ctx, order.CustomerID, payload) // returns once buffered
//	...
//	err = p.Close(ctx) // delivers the rest; summarises what could not be
//
// # Batching
//
// Records are sent in PutRecords requests of at most 500 entries and 5 MiB
// (partition keys plus data), the Kinesis limits. A request is sent when
// it is full, when its oldest record has waited the linger interval
// ([WithLinger], 100 ms by default), and on Flush and Close. Put rejects at
// once a record Kinesis would reject in a whole request: an empty
// partition key or one over 256 Unicode characters (counted as Kinesis
// counts them, a character outside the Basic Multilingual Plane once), or
// a record over the stream's maximum record size (1 MiB unless raised, see
// [WithMaxRecordSize]). Nil data is sent as an empty record, which Kinesis
// accepts; the AWS SDK would otherwise reject the whole request for it.
//
// The buffer holds at most 32 MiB ([WithMaxBufferedBytes]); when it is
// full, Put blocks until requests complete or its context ends.
//
// # Retries and failures
//
// Kinesis accepts or rejects each entry of a request on its own. Only the
// rejected entries are sent again, and only for retryable reasons:
// throttling (ProvisionedThroughputExceededException, KMSThrottlingException)
// and internal errors (InternalFailure). A request that fails as a whole is
// retried the same way if it was throttled, failed on the server, or got
// no answer; one the SDK refused to send (its parameter validation) is not. Each attempt waits an exponential backoff with full jitter
// ([WithBackoff]), and a record gets at most 10 attempts ([WithMaxAttempts]).
//
// A record the producer gives up on (a final error such as
// AccessDeniedException or KMSDisabledException, attempts exhausted, or
// Close's context ending) is passed to the [WithOnFailure] function as a
// [Failure] with its data and reason, counted in [Stats].Failures, and
// summarised in the [*DeliveryError] that Flush and Close return.
//
// # Order
//
// A partition key's records are written in the order of their Put calls,
// also when some of them fail and are retried: the producer sends a key's
// next record only after Kinesis has acknowledged the previous one, or the
// producer has given up on it and reported it. A request therefore holds
// at most one record per key, and a key moves at most one record per
// request round trip. Requests fill up from many keys at once, which is
// what a well-designed partition key provides anyway (see cmd/keycheck).
//
// Like every Kinesis producer, this one delivers at least once: a request
// that got no answer may have been written, and is sent again.
//
// # Metrics
//
// [Producer.Stats] returns counters since New: records put, sent and
// failed, bytes sent, retries, throttled entries, requests, failed
// requests, entries per request and request latency. [WithOnRequest]
// reports each request, for a histogram.
package producer
