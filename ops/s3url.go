package ops

import (
	"strings"
)

// An S3Location is a bucket and a key prefix, parsed from s3://BUCKET[/PREFIX].
type S3Location struct {
	Bucket string
	// Prefix is the key prefix; empty means the whole bucket.
	Prefix string
	// url is the text it was parsed from, for error messages.
	url string
}

// String returns s3://Bucket/Prefix.
func (l S3Location) String() string {
	if l.url != "" {
		return l.url
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// ParseS3URL parses s3://BUCKET or s3://BUCKET/PREFIX. The bucket name must
// follow the S3 naming rules (3 to 63 characters of a-z, 0-9, '.' and '-',
// starting and ending with a letter or digit). flag names the flag the URL
// came from in the error.
func ParseS3URL(flag, url string) (S3Location, error) {
	rest, ok := strings.CutPrefix(url, "s3://")
	if !ok {
		return S3Location{}, inputErrorf(flag, url, "want s3://BUCKET[/PREFIX]")
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return S3Location{}, inputErrorf(flag, url, "no bucket name in s3:// URL")
	}
	if !validBucket(bucket) {
		return S3Location{}, inputErrorf(flag, url, "invalid bucket name %q (3-63 characters of a-z, 0-9, '.' and '-')", bucket)
	}
	return S3Location{Bucket: bucket, Prefix: prefix, url: url}, nil
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '.') && i > 0 && i < len(b)-1:
		default:
			return false
		}
	}
	return true
}
