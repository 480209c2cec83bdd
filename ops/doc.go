// Package ops carries the day-2 operations of a StandardStream stream, the
// work behind the standardstream command's redrive, replay and tail:
//
//   - [Redriver.FromS3] puts the records that the consumer's event-source
//     mapping gave up on, as Lambda wrote them to an Amazon S3 on-failure
//     destination, back on a stream, and marks each object it has redriven
//     so that a re-run puts nothing twice; [Redriver.FromQueue] does the
//     same from an Amazon SQS on-failure destination, whose messages only
//     locate the records in the stream.
//   - [Replayer.Run] puts the records of a window of hours of the
//     construct's Firehose archive back on a stream.
//   - [Tailer.Run] prints a stream's records as JSON lines.
//
// Records are written with the project's producer (package producer): in
// PutRecords batches, retried entry by entry, and in order per partition
// key. Records go back byte for byte as they were read.
//
// [LoadClients] builds the AWS clients from the SDK's standard
// configuration, including the endpoint variables AWS_ENDPOINT_URL_KINESIS,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL, so that the
// operations run against local emulators too.
//
// Errors caused by the operator's input (a malformed s3:// URL, a bucket or
// stream that does not exist, a bad time range or JSON pointer) are
// [*InputError]s naming the flag and the value.
package ops
