package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeKinesis answers DescribeStreamSummary and ListShards for one stream
// named "orders" and ResourceNotFoundException for every other stream: the
// commands check their --stream before anything else.
func fakeKinesis(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ StreamName, StreamARN string }
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if in.StreamName != "orders" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"ResourceNotFoundException","message":"Stream %s under account 000000000000 not found."}`, in.StreamName)
			return
		}
		fmt.Fprint(w, `{"StreamDescriptionSummary":{"StreamName":"orders","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"OpenShardCount":1}}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// opsEnv points the AWS SDK at a fake Kinesis and an in-process S3
// emulator on 127.0.0.1 through the standard endpoint variables, and
// returns an S3 client of the emulator.
func opsEnv(t *testing.T) *s3.Client {
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(s3srv.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_KINESIS":    fakeKinesis(t),
		"AWS_ENDPOINT_URL_S3":         s3srv.URL,
		"AWS_ENDPOINT_URL_SQS":        "http://127.0.0.1:1",
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s3srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("failures")}); err != nil {
		t.Fatal(err)
	}
	return c
}

func putTestObject(t *testing.T, c *s3.Client, key string, body []byte) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("failures"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

// lastLine returns the last line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestOpsCommandsBadInput(t *testing.T) {
	opsEnv(t)
	replay := func(extra ...string) []string {
		args := map[string]string{"--stream": "orders", "--from": "s3://failures", "--since": "2026-11-30T08:00:00Z", "--until": "2026-11-30T10:00:00Z", "--key": "/id"}
		for i := 0; i < len(extra); i += 2 {
			args[extra[i]] = extra[i+1]
		}
		out := []string{"replay"}
		for _, f := range []string{"--stream", "--from", "--since", "--until", "--key"} {
			out = append(out, f, args[f])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"malformed s3 URL", []string{"redrive", "--stream", "orders", "--from", "failures/aws"}, []string{"--from", `"failures/aws"`}},
		{"s3 URL without bucket", replay("--from", "s3:///data"), []string{"--from", `"s3:///data"`}},
		{"missing bucket", []string{"redrive", "--stream", "orders", "--from", "s3://no-such-bucket"}, []string{"--from", "does not exist", "no-such-bucket"}},
		{"missing bucket, replay", replay("--from", "s3://no-such-bucket/data"), []string{"--from", "does not exist", "no-such-bucket"}},
		{"missing stream", []string{"redrive", "--stream", "nope", "--from", "s3://failures"}, []string{"--stream", "does not exist", `"nope"`}},
		{"missing stream, replay", replay("--stream", "nope"), []string{"--stream", `"nope"`}},
		{"missing stream, tail", []string{"tail", "--stream", "nope"}, []string{"--stream", `"nope"`}},
		{"since after until", replay("--since", "2026-11-30T11:00:00Z"), []string{"--since", "2026-11-30T11:00:00Z", "--until 2026-11-30T10:00:00Z"}},
		{"since not a time", replay("--since", "yesterday"), []string{"--since", `"yesterday"`}},
		{"not a JSON pointer", replay("--key", "customerId"), []string{"--key", `"customerId"`, "JSON pointer"}},
		{"bad JSON pointer escape", replay("--key", "/a~2"), []string{"--key", `"/a~2"`}},
		{"tail from", []string{"tail", "--stream", "orders", "--from", "yesterday"}, []string{"--from", `"yesterday"`}},
		{"tail limit", []string{"tail", "--stream", "orders", "--limit", "-1"}, []string{"--limit", "-1"}},
		{"both sources", []string{"redrive", "--stream", "orders", "--from", "s3://failures", "--from-queue", "https://q"}, []string{"--from", "--from-queue"}},
		{"no source", []string{"redrive", "--stream", "orders"}, []string{"--from"}},
		{"no stream", []string{"redrive", "--from", "s3://failures"}, []string{"--stream"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stdout %q, stderr %q", code, exitUsage, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not contain %q", errOut, w)
				}
			}
		})
	}
}

// TestOpsCommandsReachEmulatorsThroughEndpointVariables: the commands find
// the emulators through AWS_ENDPOINT_URL_KINESIS and AWS_ENDPOINT_URL_S3
// (path-style for 127.0.0.1), and the last stdout line is the summary.
func TestOpsCommandsReachEmulatorsThroughEndpointVariables(t *testing.T) {
	c := opsEnv(t)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"no\":\"key\"}\n"))
	w.Close()
	putTestObject(t, c, "data/year=2026/month=11/day=30/hour=09/orders-1", gz.Bytes())
	putTestObject(t, c, "aws/lambda/0f0e/shardId-000000000000/2026/11/30/2026-11-30T09.00.00-1", []byte(
		`{"requestContext":{"condition":"RetryAttemptsExhausted"},"KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"1","endSequenceNumber":"2","batchSize":2},"payload":{"Records":[{"kinesis":{"partitionKey":"a","data":"e30=","sequenceNumber":"1"}},{"kinesis":{"partitionKey":"b","data":"e30=","sequenceNumber":"2"}}]}}`))

	code, out, errOut := runCLI(t, "replay", "--stream", "orders", "--from", "s3://failures", "--since", "2026-11-30T09:00:00Z", "--until", "2026-11-30T10:00:00Z", "--key", "/id", "--dry-run")
	if code != exitFail || lastLine(out) != "replay: objects 1, records 3, put 2, failed 1" {
		t.Errorf("replay --dry-run: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "redrive", "--stream", "orders", "--from", "s3://failures", "--dry-run")
	if code != exitOK || lastLine(out) != "redrive: objects 1, records 2, put 2, failed 0, skipped 0" || !strings.Contains(out, "would put 2 records") {
		t.Errorf("redrive --dry-run: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
