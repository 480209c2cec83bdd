package localesm

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func httpError(status int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      errors.New("injected"),
	}}
}

// TestReadsThroughTransientErrors: GetRecords and GetShardIterator errors
// that may pass (a reset connection, HTTP 5xx, throttling) are retried, as
// Lambda keeps polling; other errors end Run.
func TestReadsThroughTransientErrors(t *testing.T) {
	transientErrs := []error{
		&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET},
		httpError(http.StatusInternalServerError),
		httpError(http.StatusServiceUnavailable),
		&types.ProvisionedThroughputExceededException{Message: new("Rate exceeded")},
	}
	s := newFakeStream(2)
	for i := range 20 {
		s.put(i%2, "k", []byte("x"), t0)
	}
	s.fail = func(op string, call int) error {
		if call <= len(transientErrs) {
			return transientErrs[call-1]
		}
		return nil
	}
	h := &recorder{script: func(int, []string) ([]byte, error) { return nil, nil }}
	r := runToEnd(t, s, h)
	st := r.Stats()
	if st.RecordsCheckpointed != 20 {
		t.Errorf("got %d records checkpointed, want 20", st.RecordsCheckpointed)
	}
	if st.ReadRetries != 2*int64(len(transientErrs)) {
		t.Errorf("got %d read retries, want %d", st.ReadRetries, 2*len(transientErrs))
	}

	// A final error ends Run, naming the shard.
	s = newFakeStream(1)
	s.fail = func(op string, call int) error {
		if op == "GetRecords" {
			return &types.AccessDeniedException{Message: new("not authorized")}
		}
		return nil
	}
	r, err := New(s, "orders", h, WithPollInterval(time.Millisecond), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Run(ctx); err == nil || !strings.Contains(err.Error(), "get records of shardId-000000000000") {
		t.Errorf("Run: got %v, want the AccessDeniedException of shardId-000000000000", err)
	}
}

// badStringer panics when formatted, with a value that panics when
// formatted, which fmt does not catch.
type badStringer struct{ inner bool }

func (b badStringer) String() string {
	if b.inner {
		panic("inner")
	}
	panic(badStringer{inner: true})
}

// TestHandlerPanicWithHostileValue: a handler that panics with a value
// whose formatting panics is a function error, not the end of the runner.
func TestHandlerPanicWithHostileValue(t *testing.T) {
	s := newFakeStream(1)
	s.put(0, "k", []byte("x"), t0)
	calls := 0
	h := HandlerFunc(func(context.Context, []byte) ([]byte, error) {
		if calls++; calls == 1 {
			panic(badStringer{})
		}
		return nil, nil
	})
	r := runToEnd(t, s, h, WithReportBatchItemFailures())
	if st := r.Stats(); st.FunctionErrors != 1 || st.RecordsCheckpointed != 1 {
		t.Errorf("got %d function errors and %d records checkpointed, want 1 and 1", st.FunctionErrors, st.RecordsCheckpointed)
	}
}
