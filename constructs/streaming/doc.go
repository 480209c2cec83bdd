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
// Every alarm's description names its runbook: docs/runbooks/<runbook>.md,
// where `standardstream docs` writes the runbooks of this module version
// (package runbooks) into the app's repository, or a page under
// AlarmProps.RunbookBaseURL. The construct records its [Spec] in the cloud
// assembly ([SpecMetadata]), which is how the standardstream command
// documents and runs an app's streams.
//
// Props are validated eagerly, in NewStandardStream. Each bad value, a
// consumer that does not compile and a nil grantee become synth errors on
// the construct (CDK error annotations) that name the field and the value;
// `cdk synth` and `cdk deploy` then fail listing every one with its construct
// path, with no panic and no recover in the app's main. Validate returns the
// same problems as a *PropsError for callers that want an error. Grants are
// least privilege: GrantWrite for producers, GrantRead for extra readers.
package streaming
