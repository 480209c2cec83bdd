// Package kinesislocal forwards to the public package
// github.com/standardstream/standardstream/kinesislocal, for the importers
// that still use this path (test/e2e, ops tests).
//
// Deprecated: import github.com/standardstream/standardstream/kinesislocal.
package kinesislocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/standardstream/standardstream/kinesislocal"
)

// Region is kinesislocal.Region.
const Region = kinesislocal.Region

// Server is kinesislocal.Server.
type Server = kinesislocal.Server

// Config is kinesislocal.Config.
type Config = kinesislocal.Config

// Start is kinesislocal.Start.
func Start(ctx context.Context, cfg Config) (*Server, error) { return kinesislocal.Start(ctx, cfg) }

// StartT is kinesislocal.StartT.
func StartT(t testing.TB) *Server { return kinesislocal.StartT(t) }

// NewClient is kinesislocal.NewClient.
func NewClient(endpoint string) *kinesis.Client { return kinesislocal.NewClient(endpoint) }

// StreamName is kinesislocal.StreamName.
func StreamName(prefix string) string { return kinesislocal.StreamName(prefix) }
