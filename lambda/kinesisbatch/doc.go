// Package kinesisbatch processes the Kinesis batches that Lambda delivers to
// a Go function, and gets the hard parts right: per-partition-key order,
// partial batch responses that checkpoint exactly at the first record not
// handled, a checkpoint before the function's deadline, transparent KPL
// de-aggregation, and one log line plus CloudWatch metrics per batch.
//
// A consumer supplies a [Func] for one record and starts the [Handler]:
//
//	func main() {
//		lambda.Start(kinesisbatch.New(handle, kinesisbatch.WithConcurrency(8)))
//	}
//
// The event-source mapping must have ReportBatchItemFailures enabled
// (FunctionResponseTypes: ["ReportBatchItemFailures"]); without it Lambda
// ignores the response and retries whole batches.
//
// # Ordering and failures
//
// Records with the same partition key are handled one at a time in
// sequence-number order; records with different keys run on up to n
// goroutines (see [WithConcurrency]). When a record fails, by returning an
// error, by panicking or by calling runtime.Goexit, the rest of its key is skipped and reported, so
// Lambda resumes at the lowest failed or skipped sequence number and each
// key's records are handled in order across retries too. Records of other keys go on; if
// they come after the checkpoint, Lambda delivers them again, so a Func must
// tolerate duplicates (Kinesis is at-least-once in any case).
//
// # Aggregated records
//
// Records written by the Kinesis Producer Library with aggregation are split
// into their user records before dispatch. Each user record carries its own
// partition key, its parent's sequence number and its index in the parent
// as [Record.SubSequenceNumber]. Lambda only knows parent records, so a
// failed user record is reported as its parent, and on retry the parent's
// earlier user records are delivered again.
package kinesisbatch
