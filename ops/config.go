package ops

import (
	"context"
	"fmt"
	"net"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Clients are the AWS clients the operations use.
type Clients struct {
	Kinesis *kinesis.Client
	S3      *s3.Client
	SQS     *sqs.Client
}

// LoadClients builds the clients from the AWS SDK's standard configuration:
// environment, shared config and credentials files, profile. Each client
// honours its service's endpoint variable (AWS_ENDPOINT_URL_KINESIS,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SQS) and AWS_ENDPOINT_URL. The S3
// client uses path-style addressing when its endpoint's host is an IP
// address or localhost, as S3 emulators need. HTTP clients come from
// awshttp.NewBuildableClient, which honours AWS_CA_BUNDLE.
func LoadClients(ctx context.Context) (Clients, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		return Clients{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return Clients{
		Kinesis: kinesis.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// BaseEndpoint is resolved from the configuration by now.
			if pathStyle(aws.ToString(o.BaseEndpoint)) {
				o.UsePathStyle = true
			}
		}),
		SQS: sqs.NewFromConfig(cfg),
	}, nil
}

// pathStyle reports whether an S3 endpoint needs path-style addressing:
// virtual-hosted buckets (bucket.host) cannot work when the host is an IP
// address or localhost.
func pathStyle(endpoint string) bool {
	if endpoint == "" {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || net.ParseIP(host) != nil
}
