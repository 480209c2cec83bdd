package kinesislocal

import (
	"context"
	"testing"
)

// StartT starts a Server for a test and stops it when the test and its
// subtests end, whether they pass, fail or panic. It fails the test when the
// server cannot start; run make deps to install it.
func StartT(t testing.TB) *Server {
	t.Helper()
	s, err := Start(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("kinesis-local output:\n%s", s.Output())
		}
	})
	return s
}
