package localesm

import (
	"context"
	"encoding/base64"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/standardstream/standardstream/internal/syncio"
)

// buildFunction builds testdata/function, a Lambda function in Go.
func buildFunction(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/function").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func event(data string) []byte {
	return []byte(`{"Records":[{"kinesis":{"sequenceNumber":"1001","partitionKey":"a","data":"` +
		base64.StdEncoding.EncodeToString([]byte(data)) + `","approximateArrivalTimestamp":1545084650.987},"eventID":"shardId-000000000000:1001"}]}`)
}

func TestProcess(t *testing.T) {
	var out syncio.Buffer
	p, err := NewProcess(ProcessConfig{Path: buildFunction(t), Concurrency: 2, Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()

	tests := []struct {
		data    string
		timeout time.Duration
		resp    string
		err     string
	}{
		{data: "ok", resp: `{"batchItemFailures":[{"itemIdentifier":"1001"}]}`},
		{data: "error", err: "localesm: function error errorString: told to fail"},
		{data: "panic", err: "told to panic"},
		{data: "ok", resp: `{"batchItemFailures":[{"itemIdentifier":"1001"}]}`}, // after a panic, a new process
		{data: "hang", timeout: 200 * time.Millisecond, err: "context deadline exceeded"},
		{data: "ok", resp: `{"batchItemFailures":[{"itemIdentifier":"1001"}]}`}, // after a timeout, a new process
	}
	for _, tt := range tests {
		ictx, cancel := ctx, context.CancelFunc(func() {})
		if tt.timeout > 0 {
			ictx, cancel = context.WithTimeout(ctx, tt.timeout)
		}
		resp, err := p.Invoke(ictx, event(tt.data))
		cancel()
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: got error %v, want one containing %q", tt.data, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.data, err)
		case tt.err == "" && string(resp) != tt.resp:
			t.Errorf("%s: got response %s, want %s", tt.data, resp, tt.resp)
		}
	}

	// Two environments take two invocations at once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := p.Invoke(ctx, event("ok")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestNewProcessValidates(t *testing.T) {
	if _, err := NewProcess(ProcessConfig{Path: "testdata/event.json"}); err == nil || !strings.Contains(err.Error(), "not an executable file") {
		t.Errorf("got %v, want an error saying the file is not executable", err)
	}
	if _, err := NewProcess(ProcessConfig{Path: "/bin/true", Concurrency: -1}); err == nil {
		t.Error("got no error for concurrency -1")
	}
}
