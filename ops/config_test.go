package ops

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestLoadClientsHonoursEndpointVariables: the service-specific variable
// wins over AWS_ENDPOINT_URL, and S3 goes path-style for IP and localhost
// endpoints only.
func TestLoadClientsHonoursEndpointVariables(t *testing.T) {
	dir := t.TempDir()
	base := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "k"),
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "", "AWS_ENDPOINT_URL_KINESIS": "", "AWS_ENDPOINT_URL_SQS": "",
	}
	for _, tc := range []struct {
		name             string
		env              map[string]string
		kinesis, s3, sqs string
		pathStyle        bool
	}{
		{name: "AWS", pathStyle: false},
		{name: "one endpoint for all", env: map[string]string{"AWS_ENDPOINT_URL": "http://localhost:4566"},
			kinesis: "http://localhost:4566", s3: "http://localhost:4566", sqs: "http://localhost:4566", pathStyle: true},
		{name: "per service", env: map[string]string{
			"AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:4567",
			"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324"},
			kinesis: "http://127.0.0.1:4567", s3: "http://127.0.0.1:9000", sqs: "http://127.0.0.1:9324", pathStyle: true},
		{name: "S3 by host name", env: map[string]string{"AWS_ENDPOINT_URL_S3": "https://s3.internal.example"},
			s3: "https://s3.internal.example", pathStyle: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range base {
				t.Setenv(k, v)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := LoadClients(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(c.Kinesis.Options().BaseEndpoint); got != tc.kinesis {
				t.Errorf("Kinesis endpoint %q, want %q", got, tc.kinesis)
			}
			if got := aws.ToString(c.S3.Options().BaseEndpoint); got != tc.s3 {
				t.Errorf("S3 endpoint %q, want %q", got, tc.s3)
			}
			if got := aws.ToString(c.SQS.Options().BaseEndpoint); got != tc.sqs {
				t.Errorf("SQS endpoint %q, want %q", got, tc.sqs)
			}
			if got := c.S3.Options().UsePathStyle; got != tc.pathStyle {
				t.Errorf("S3 path-style %v, want %v", got, tc.pathStyle)
			}
		})
	}
}
