// Package localesm runs a Kinesis consumer locally the way Lambda's
// event-source mapping runs it in AWS: it reads every shard of a stream from
// TRIM_HORIZON, invokes a [Handler] (such as *kinesisbatch.Handler) with the
// same Kinesis events Lambda sends, and applies Lambda's batching,
// checkpointing and error-handling rules, down to writing the records it
// gives up on to a failure destination. Point it at kinesis-local (see
// docs/local-e2e.md) or any Kinesis endpoint:
//
//	h := kinesisbatch.New(handle)
//	r, err := localesm.New(client, "orders", h,
//		localesm.WithBatchSize(100),
//		localesm.WithReportBatchItemFailures(),
//		localesm.WithBisectBatchOnFunctionError(),
//		localesm.WithMaximumRetryAttempts(3),
//		localesm.WithFailureDestination(localesm.DirDestination{Dir: "failures"}),
//	)
//	...
//	err = r.Run(ctx)
//
// # Batches
//
// Each shard has one batch in flight at a time (a ParallelizationFactor of
// 1), so a shard's records reach the function in stream order. A batch
// holds up to BatchSize records; with a MaxBatchingWindow the runner waits
// up to the window for a full batch, and without one it invokes with the
// records already read. A batch is also cut short where its event would
// exceed Lambda's 6 MB invocation payload limit. Events are Lambda's
// Kinesis events: Records[].kinesis with kinesisSchemaVersion, partitionKey,
// sequenceNumber, data (base64) and approximateArrivalTimestamp, and
// eventSource, eventVersion, eventID ("shardId-...:<sequence number>"),
// eventName, invokeIdentityArn, awsRegion and eventSourceARN.
//
// # Failures
//
// The rules are those of Lambda's documentation for Kinesis event sources
// ("Configuring partial batch response", "Retain discarded batch records"):
//
//   - An invocation fails as a whole when the handler returns an error,
//     panics, or returns after the function timeout (a function error).
//   - With ReportBatchItemFailures, a response listing batchItemFailures
//     moves the checkpoint to the lowest itemIdentifier listed, and the
//     records from there on are retried; records before it are done. A null
//     or empty response, or an empty or null list, is a success. An
//     itemIdentifier that is missing, null, empty or not a sequence number
//     of the batch fails the whole batch, and so does a response that is not
//     JSON (for which Lambda documents no behaviour). Without
//     ReportBatchItemFailures the response is ignored.
//   - With BisectBatchOnFunctionError, a batch of more than one record that
//     ends in a function error is split in two halves that are retried on
//     their own, the first half to its end before the second starts.
//     Splitting does not consume the retry quota; a partial batch response
//     is not split, since it already names the record to go back to.
//   - Every other retry (of a partial failure, a whole-batch failure, or a
//     single record) consumes one of MaximumRetryAttempts. Retries wait
//     10 ms, doubling up to 1 s. When a batch fails with no retries left,
//     its records go to the failure destination with the condition
//     RetryAttemptsExhausted: after a partial batch response, the records
//     from the checkpoint on; otherwise the batch that failed.
//   - Before each invocation, records older than MaximumRecordAge (by their
//     approximate arrival time) go to the failure destination with the
//     condition RecordAgeExceeded, without an invocation; they are at the
//     front of a batch, since a shard is in arrival order.
//   - Records given up are past the checkpoint: the shard goes on after
//     them. Without a destination they are dropped, as Lambda drops them.
//   - Reading goes on through errors that may pass: GetRecords and
//     GetShardIterator calls that are throttled, fail with HTTP 5xx or lose
//     their connection are made again after a backoff ([Stats].ReadRetries).
//     Other errors, such as AccessDeniedException, end Run.
//
// The failure destination receives a [Failure]: the invocation record that
// Lambda sends to an on-failure destination, plus the records themselves
// as an S3 destination gets them. [S3Destination] writes it to a bucket (an
// S3 emulator's, say) at the key Lambda uses, [DirDestination] to that key
// in a directory; [MemoryDestination] keeps it for tests.
//
// # Differences from Lambda
//
// The checkpoint lives in memory: a new Runner starts at TRIM_HORIZON
// again. Shards are listed once when Run starts, so shards made by
// resharding are not read. Tumbling windows, filters, enhanced fan-out and
// a ParallelizationFactor above 1 are not supported. The handler runs in
// the runner's process; an invocation that overruns its timeout is waited
// for, then counted as timed out.
package localesm
