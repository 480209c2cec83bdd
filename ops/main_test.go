package ops

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/standardstream/standardstream/kinesislocal"
	"github.com/standardstream/standardstream/producer"
)

// The test binary shares one kinesis-local and one in-process S3 emulator
// (gofakes3); each test makes its own streams and buckets.
var (
	klOnce sync.Once
	kl     *kinesislocal.Server
	klErr  error

	s3Once sync.Once
	s3Srv  *httptest.Server
)

func TestMain(m *testing.M) {
	code := m.Run()
	if kl != nil {
		if err := kl.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if s3Srv != nil {
		s3Srv.Close()
	}
	os.Exit(code)
}

// kinesisT returns the shared kinesis-local, starting it on first use.
func kinesisT(t *testing.T) *kinesislocal.Server {
	t.Helper()
	klOnce.Do(func() { kl, klErr = kinesislocal.Start(context.Background(), kinesislocal.Config{}) })
	if klErr != nil {
		t.Fatal(klErr)
	}
	return kl
}

// newStream creates a fresh stream with n shards.
func newStream(t *testing.T, n int) string {
	t.Helper()
	s := kinesisT(t)
	name := kinesislocal.StreamName("ops")
	if _, err := s.CreateStream(context.Background(), name, n); err != nil {
		t.Fatal(err)
	}
	return name
}

// s3T returns a client of the shared S3 emulator.
func s3T(t *testing.T) *s3.Client {
	t.Helper()
	s3Once.Do(func() {
		s3Srv = httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	})
	return newS3Client(s3Srv.URL)
}

func newS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       kinesislocal.Region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   awshttp.NewBuildableClient(),
	})
}

// newBucket creates a fresh bucket.
func newBucket(t *testing.T) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "ops-test-" + hex.EncodeToString(b[:])
	if _, err := s3T(t).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	return name
}

func putObject(t *testing.T, bucket, key string, body []byte) {
	t.Helper()
	_, err := s3T(t).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func listKeys(t *testing.T, bucket, prefix string) []string {
	t.Helper()
	out, err := s3T(t).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// fastProducer makes tests quick: no linger, short backoff.
var fastProducer = []producer.Option{producer.WithLinger(0), producer.WithBackoff(time.Millisecond, 10*time.Millisecond)}

// streamRecord is a record read back from a stream.
type streamRecord struct {
	shard, seq, key string
	data            []byte
}

// readStream returns every record in the stream, by shard in sequence
// order, shards in ID order.
func readStream(t *testing.T, stream string) []streamRecord {
	t.Helper()
	ctx := context.Background()
	k := kinesisT(t).Client
	shards, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var out []streamRecord
	ids := make([]string, 0, len(shards.Shards))
	for _, s := range shards.Shards {
		ids = append(ids, aws.ToString(s.ShardId))
	}
	sort.Strings(ids)
	for _, id := range ids {
		it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(id), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			page, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Records {
				out = append(out, streamRecord{id, aws.ToString(r.SequenceNumber), aws.ToString(r.PartitionKey), r.Data})
			}
			if len(page.Records) == 0 && aws.ToInt64(page.MillisBehindLatest) == 0 {
				break
			}
			iter = page.NextShardIterator
		}
	}
	return out
}

// byKey groups records' data by partition key, in stream order.
func byKey(recs []streamRecord) map[string][]string {
	m := make(map[string][]string)
	for _, r := range recs {
		m[r.key] = append(m[r.key], string(r.data))
	}
	return m
}
