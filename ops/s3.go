package ops

import (
	"context"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// objects yields the objects under prefix in bucket in key order, listing
// a page at a time; a failed listing is yielded as the last item's error.
func objects(ctx context.Context, c S3API, bucket, prefix string) iter.Seq2[types.Object, error] {
	return func(yield func(types.Object, error) bool) {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
		for {
			page, err := c.ListObjectsV2(ctx, in)
			if err != nil {
				yield(types.Object{}, err)
				return
			}
			for _, o := range page.Contents {
				if !yield(o, nil) {
					return
				}
			}
			if !aws.ToBool(page.IsTruncated) {
				return
			}
			in.ContinuationToken = page.NextContinuationToken
		}
	}
}
