// Package streaming provides StandardStream, the one construct a team needs
// for a production-grade Kinesis data stream.
//
// One call provisions:
//
//   - an encrypted Kinesis data stream, on-demand by default;
//   - a Go Lambda consumer (arm64, provided.al2023) built from source at synth
//     time without Docker, attached by an event-source mapping with safe
//     defaults: partial batch responses, bisect on error, finite retries and
//     record age, and a failure destination that keeps the payload;
//   - a Firehose delivery stream archiving the stream to a hardened S3 bucket;
//   - a CloudWatch dashboard and alarms (IteratorAge, write throttles,
//     consumer errors, failed records, archive freshness) wired to SNS.
//
// Props are validated eagerly: a bad value stops synthesis with a
// *PropsError that names the field and the value. Grants are least
// privilege: GrantWrite for producers, GrantRead for extra readers.
package streaming
