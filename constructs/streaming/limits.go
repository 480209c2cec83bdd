package streaming

import (
	"fmt"
	"math"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
)

// Record-size limits of the stream and of its readers; docs/analytics.md
// cites the AWS documentation for each.
const (
	// DefaultMaxRecordSizeKiB is a stream's maximum record size unless
	// raised (CreateStream's MaxRecordSizeInKiB default).
	DefaultMaxRecordSizeKiB = 1024
	// MaxRecordSizeKiB is the most UpdateMaxRecordSize allows: 10 MiB.
	MaxRecordSizeKiB = 10240
	// FirehoseMaxRecordKiB is the largest record Firehose takes from a
	// Kinesis Data Streams source: 1024 KB before base64 (Firehose FAQ), the
	// Kinesis default, so a raised limit cannot be archived.
	FirehoseMaxRecordKiB = 1024
	// LambdaMaxRecordKiB is the largest record the Lambda consumer can be
	// invoked with: a synchronous invocation's payload is at most 6 MB, and
	// the event carries each record's data base64-encoded (4/3 of its size)
	// with its metadata, so a batch of one 4096 KiB record (5.33 MiB encoded)
	// fits and a 4608 KiB one cannot.
	LambdaMaxRecordKiB = 4096
)

// maxRecordSize validates MaxRecordSizeInKiB against Kinesis' range and
// against every reader of the stream.
func (v *validator) maxRecordSize(n *float64, s settings) *float64 {
	if n == nil {
		return nil
	}
	if !v.integerIn("maxRecordSizeInKiB", n, DefaultMaxRecordSizeKiB, MaxRecordSizeKiB) {
		return n
	}
	var cannot []string
	if s.archive && *n > FirehoseMaxRecordKiB {
		cannot = append(cannot, fmt.Sprintf("the archive (Firehose takes records up to %d KB from a Kinesis stream; set archive.disabled to go above)", FirehoseMaxRecordKiB))
	}
	if *n > LambdaMaxRecordKiB {
		cannot = append(cannot, fmt.Sprintf("the Lambda consumer (a 6 MB invocation payload holds a base64-encoded record of at most %d KiB)", LambdaMaxRecordKiB))
	}
	if len(cannot) > 0 {
		v.errorf("maxRecordSizeInKiB must not be above what every reader of the stream can take: %s cannot read such records, and Kinesis would deliver them to it anyway (see docs/analytics.md#large-records), got %v", strings.Join(cannot, " and "), *n)
	}
	return n
}

// applyMaxRecordSize sets MaxRecordSizeInKiB on the stream's L1, which the
// L2 does not expose.
func (s *StandardStream) applyMaxRecordSize() {
	if s.settings.maxRecordSizeKiB == nil {
		return
	}
	s.Stream.Node().DefaultChild().(awskinesis.CfnStream).SetMaxRecordSizeInKiB(s.settings.maxRecordSizeKiB)
}

// MaxRecordSize returns the largest record the stream accepts, in bytes:
// the value for producer.WithMaxRecordSize. It is the Kinesis default (1 MiB)
// when MaxRecordSizeInKiB is not set or is a token.
func (s *StandardStream) MaxRecordSize() int {
	n := s.settings.maxRecordSizeKiB
	if n == nil || unresolved(n) {
		return DefaultMaxRecordSizeKiB * 1024
	}
	return int(math.Round(*n)) * 1024
}
