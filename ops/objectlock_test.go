package ops

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The failure bucket of a retained StandardStream has S3 Object Lock with a
// default retention (docs/security.md), and S3 then refuses a PutObject
// without Content-MD5 or an x-amz-checksum header. Redrive's markers are
// written with the S3 client of LoadClients, which must send one.
func TestS3WritesCarryAChecksumForObjectLock(t *testing.T) {
	var mu sync.Mutex
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "k"),
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": srv.URL,
		"AWS_REQUEST_CHECKSUM_CALCULATION": "",
	} {
		t.Setenv(k, v)
	}
	c, err := LoadClients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.S3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("failures"), Key: aws.String(MarkerPrefix + "k/run.done"), Body: bytes.NewReader([]byte(`{}`)),
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got.Get("Content-Md5") == "" && got.Get("X-Amz-Checksum-Crc32") == "" && got.Get("X-Amz-Checksum-Crc32c") == "" &&
		got.Get("X-Amz-Checksum-Sha256") == "" && got.Get("X-Amz-Trailer") == "" {
		t.Errorf("PutObject sent no Content-MD5 or x-amz-checksum header (got %v); S3 refuses such writes to an Object Lock bucket", got)
	}
}
