package spec

// Classification is how sensitive a stream's records are.
type Classification string

const (
	// ClassificationPublic data may be published.
	ClassificationPublic Classification = "PUBLIC"
	// ClassificationInternal data stays inside the company.
	ClassificationInternal Classification = "INTERNAL"
	// ClassificationConfidential data is restricted to the teams that need it.
	ClassificationConfidential Classification = "CONFIDENTIAL"
	// ClassificationPII data identifies people; it needs a retention and
	// deletion story (GDPR, CCPA) beyond the stream's.
	ClassificationPII Classification = "PII"
)

// DataModel documents a stream's records. Every field is required when a
// DataModel is given, and synth fails if the schema is missing or invalid.
type DataModel struct {
	// Schema is the path of the JSON Schema file (draft 4 to 2020-12) that
	// each record's data conforms to. A relative path is relative to the
	// working directory of the CDK app. Examples in the schema's top-level
	// "examples" keyword must validate against it.
	//
	// @default - none; required
	Schema *string

	// Owner is the team accountable for the stream and its schema.
	//
	// @default - none; required
	Owner *string

	// Description says what the records are and who uses them.
	//
	// @default - none; required
	Description *string

	// PartitionKey says which value producers use as the partition key.
	//
	// @default - none; required
	PartitionKey *string

	// PartitionKeyRationale says why that key: its cardinality and what
	// order it preserves (see docs/partition-keys.md).
	//
	// @default - none; required
	PartitionKeyRationale *string

	// Classification is how sensitive the records are.
	//
	// @default - none; required
	Classification Classification
}

// FailureDestination is where the event-source mapping sends records it gives
// up on (after retries or maximum record age).
type FailureDestination string

const (
	// FailureDestinationS3 writes each failed batch, payload included, to an
	// S3 bucket. It is the default because only S3 keeps the records' data:
	// SQS and SNS destinations receive metadata only.
	FailureDestinationS3 FailureDestination = "S3"
	// FailureDestinationSQS sends the failed batch's metadata (shard,
	// sequence-number range) to an SQS queue, from which records can be
	// re-read while the stream still retains them.
	FailureDestinationSQS FailureDestination = "SQS"
)
