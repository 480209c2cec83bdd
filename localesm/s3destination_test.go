package localesm

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func TestS3DestinationWritesLambdasKeyAndRecord(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	defer srv.Close()
	c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("failures")}); err != nil {
		t.Fatal(err)
	}
	f := &Failure{
		RequestContext:   RequestContext{RequestID: "r", Condition: RetryAttemptsExhausted, ApproximateInvokeCount: 4},
		Version:          "1.0",
		Timestamp:        Timestamp(time.Date(2026, 11, 30, 9, 8, 7, 6e6, time.UTC)),
		KinesisBatchInfo: BatchInfo{ShardID: "shardId-000000000003", StartSequenceNumber: "1", EndSequenceNumber: "1", BatchSize: 1},
		Payload:          json.RawMessage(`{"Records":[{"kinesis":{"partitionKey":"k","data":"e30=","sequenceNumber":"1"}}]}`),
		MappingUUID:      "0b1c2d3e-0000-4000-8000-000000000000",
	}
	if err := (S3Destination{Client: c, Bucket: "failures"}).Put(ctx, f); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("failures")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("list: %v, %d objects; want 1", err, len(list.Contents))
	}
	key := aws.ToString(list.Contents[0].Key)
	re := regexp.MustCompile(`^aws/lambda/0b1c2d3e-0000-4000-8000-000000000000/shardId-000000000003/2026/11/30/2026-11-30T09\.08\.07-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !re.MatchString(key) {
		t.Errorf("key %q does not match Lambda's layout %s", key, re)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("failures"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(obj.Body)
	var got Failure
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	ev, err := got.Event()
	if err != nil || len(ev.Records) != 1 || ev.Records[0].Kinesis.PartitionKey != "k" || got.KinesisBatchInfo.ShardID != "shardId-000000000003" {
		t.Errorf("object: %s (%v)", b, err)
	}
	if err := (S3Destination{}).Put(ctx, f); err == nil {
		t.Error("an S3Destination without client and bucket: got no error")
	}
}
