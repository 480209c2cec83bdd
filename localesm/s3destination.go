package localesm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ObjectKey returns the key Lambda gives f's object in an Amazon S3
// on-failure destination's bucket:
//
//	aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>
//
// with the date and time of f.Timestamp in UTC. Keys of one shard sort in
// time order, to the second.
func ObjectKey(f *Failure) string {
	at := time.Time(f.Timestamp).UTC()
	return path.Join("aws", "lambda", f.MappingUUID, f.KinesisBatchInfo.ShardID,
		at.Format("2006"), at.Format("01"), at.Format("02"),
		at.Format("2006-01-02T15.04.05")+"-"+newUUID())
}

// S3Putter is the part of the Amazon S3 API that [S3Destination] writes
// with. *s3.Client is one.
type S3Putter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3Destination writes each failure as a JSON object to an S3 bucket, at
// the key Lambda uses (see [ObjectKey]), as an event-source mapping's S3
// on-failure destination does. Pointed at an S3 emulator, it produces the
// objects that standardstream redrive reads.
type S3Destination struct {
	// Client writes the objects.
	Client S3Putter
	// Bucket is the destination bucket's name.
	Bucket string
}

// Put writes f to a new object.
func (d S3Destination) Put(ctx context.Context, f *Failure) error {
	if d.Client == nil || d.Bucket == "" {
		return errors.New("localesm: S3Destination needs a Client and a Bucket")
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("localesm: encode failure of shard %s: %w", f.KinesisBatchInfo.ShardID, err)
	}
	key := ObjectKey(f)
	_, err = d.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(d.Bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(b),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("localesm: failure destination: put s3://%s/%s: %w", d.Bucket, key, err)
	}
	return nil
}
