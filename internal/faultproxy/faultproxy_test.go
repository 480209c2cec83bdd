package faultproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// target is a fake Kinesis endpoint: PutRecords answers each entry with
// the sequence number "seq-<data>", and every call is recorded.
type target struct {
	mu   sync.Mutex
	ops  []string
	data []string // PutRecords entries received, base64
	srv  *httptest.Server
}

func newTarget(t *testing.T) *target {
	tg := &target{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		tg.mu.Lock()
		tg.ops = append(tg.ops, op)
		tg.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch op {
		case "PutRecords":
			var in struct{ Records []struct{ Data string } }
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			out := struct{ Records []map[string]string }{}
			tg.mu.Lock()
			for _, e := range in.Records {
				tg.data = append(tg.data, e.Data)
				out.Records = append(out.Records, map[string]string{"SequenceNumber": "seq-" + e.Data, "ShardId": "shardId-000000000000"})
			}
			tg.mu.Unlock()
			json.NewEncoder(w).Encode(out)
		default:
			w.Write([]byte(`{"StreamNames":["s"],"HasMoreStreams":false}`))
		}
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

func (tg *target) calls() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return len(tg.ops)
}

func startProxy(t *testing.T, cfg Config) *Proxy {
	t.Helper()
	p, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// client is a Kinesis client for the proxy that does not retry, so each
// call meets one fault.
func client(p *Proxy) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(p.URL),
		Retryer:      aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, nil
		}),
	})
}

func putInput(n int) *kinesis.PutRecordsInput {
	in := &kinesis.PutRecordsInput{StreamName: aws.String("s")}
	for i := range n {
		in.Records = append(in.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: fmt.Appendf(nil, "%03d", i)})
	}
	return in
}

func TestPassThrough(t *testing.T) {
	tg := newTarget(t)
	p := startProxy(t, Config{Target: tg.srv.URL})
	out, err := client(p).PutRecords(context.Background(), putInput(3))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range out.Records {
		if got, want := aws.ToString(e.SequenceNumber), "seq-"+b64(fmt.Sprintf("%03d", i)); got != want || e.ErrorCode != nil {
			t.Errorf("entry %d: got sequence number %s, error %v; want %s", i, got, aws.ToString(e.ErrorCode), want)
		}
	}
	if s := p.Stats(); s != (Stats{Requests: 1}) {
		t.Errorf("got stats %+v, want 1 request and no faults", s)
	}
}

func TestResets(t *testing.T) {
	tg := newTarget(t)
	p := startProxy(t, Config{Target: tg.srv.URL, Resets: 1})
	c := client(p)
	const n = 40
	for range n {
		_, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
		if err == nil || !strings.Contains(err.Error(), "connection reset") {
			t.Fatalf("got error %v, want a connection reset", err)
		}
	}
	if s := p.Stats(); s.Resets != n {
		t.Errorf("got %d resets, want %d", s.Resets, n)
	}
	// Some resets come after the target served the request, some before.
	if got := tg.calls(); got == 0 || got == n {
		t.Errorf("target got %d of %d requests, want some but not all", got, n)
	}
}

func TestServerErrors(t *testing.T) {
	tg := newTarget(t)
	p := startProxy(t, Config{Target: tg.srv.URL, ServerErrors: 1})
	c := client(p)
	codes := map[string]int{}
	for range 20 {
		_, err := c.PutRecords(context.Background(), putInput(1))
		var api smithy.APIError
		var status interface{ HTTPStatusCode() int }
		if !errors.As(err, &api) || !errors.As(err, &status) {
			t.Fatalf("got error %v, want an API error with an HTTP status", err)
		}
		codes[fmt.Sprintf("%d %s", status.HTTPStatusCode(), api.ErrorCode())]++
	}
	if codes["500 InternalFailure"] != 10 || codes["503 ServiceUnavailable"] != 10 || len(codes) != 2 {
		t.Errorf("got %v, want 10 each of 500 InternalFailure and 503 ServiceUnavailable", codes)
	}
	if s := p.Stats(); s.ServerErrors != 20 {
		t.Errorf("got %d server errors counted, want 20", s.ServerErrors)
	}
}

func TestThrottles(t *testing.T) {
	tg := newTarget(t)
	p := startProxy(t, Config{Target: tg.srv.URL, Throttles: 1, Operations: []string{"PutRecords"}})
	c := client(p)
	_, err := c.PutRecords(context.Background(), putInput(2))
	var throttled *types.ProvisionedThroughputExceededException
	if !errors.As(err, &throttled) {
		t.Fatalf("got error %v, want ProvisionedThroughputExceededException", err)
	}
	if tg.calls() != 0 {
		t.Errorf("target got %d calls, want none: a throttled request is not written", tg.calls())
	}
	// Operations not listed pass through.
	if _, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{}); err != nil {
		t.Errorf("ListStreams: %v, want it untouched", err)
	}
	if s := p.Stats(); s.ThrottledRequests != 1 || s.Requests != 2 || s.Throttled() != 1 {
		t.Errorf("got stats %+v, want 2 requests, 1 throttled", s)
	}
}

func TestEntryThrottles(t *testing.T) {
	tg := newTarget(t)
	p := startProxy(t, Config{Target: tg.srv.URL, EntryThrottles: 0.3, Seed: 7})
	const n = 200
	out, err := client(p).PutRecords(context.Background(), putInput(n))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != n {
		t.Fatalf("got %d entries, want %d", len(out.Records), n)
	}
	var failed int
	var written []string
	for i, e := range out.Records {
		data := b64(fmt.Sprintf("%03d", i))
		switch code := aws.ToString(e.ErrorCode); code {
		case "":
			if got := aws.ToString(e.SequenceNumber); got != "seq-"+data {
				t.Errorf("entry %d: got sequence number %s, want seq-%s", i, got, data)
			}
			written = append(written, data)
		case "ProvisionedThroughputExceededException":
			failed++
		default:
			t.Errorf("entry %d: got error code %s", i, code)
		}
	}
	if got := int(aws.ToInt32(out.FailedRecordCount)); got != failed {
		t.Errorf("got FailedRecordCount %d, want %d", got, failed)
	}
	if s := p.Stats(); int(s.ThrottledEntries) != failed || failed < n/10 || failed > n/2 {
		t.Errorf("got %d entries throttled (%d counted), want about 30%% of %d", failed, s.ThrottledEntries, n)
	}
	// Kinesis writes only what it accepted, in order.
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if strings.Join(tg.data, ",") != strings.Join(written, ",") {
		t.Errorf("target got %d entries, want the %d accepted ones in order", len(tg.data), len(written))
	}
}

func TestEveryEntryThrottled(t *testing.T) {
	tg := newTarget(t)
	p := startProxy(t, Config{Target: tg.srv.URL, EntryThrottles: 1})
	out, err := client(p).PutRecords(context.Background(), putInput(3))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 3 || len(out.Records) != 3 || tg.calls() != 0 {
		t.Errorf("got %d of %d failed, target calls %d; want 3 of 3, none", aws.ToInt32(out.FailedRecordCount), len(out.Records), tg.calls())
	}
}

func TestStartValidates(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Target: "127.0.0.1:1"}, `Target must be an http:// URL, got "127.0.0.1:1"`},
		{Config{Target: "http://127.0.0.1:1", Resets: 1.5}, "Resets must be between 0 and 1, got 1.5"},
		{Config{Target: "http://127.0.0.1:1", EntryThrottles: -0.1}, "EntryThrottles must be between 0 and 1, got -0.1"},
		{Config{Target: "http://127.0.0.1:1", Resets: 0.6, Throttles: 0.6}, "Resets + ServerErrors + Throttles must be at most 1, got 1.2"},
		{Config{Target: "http://127.0.0.1:1", Latency: -1}, "Latency must not be negative, got -1ns"},
	}
	for _, tt := range tests {
		_, err := Start(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Start(%+v): got %v, want an error containing %q", tt.cfg, err, tt.want)
		}
	}
}

func b64(s string) string {
	b, _ := json.Marshal([]byte(s))
	return strings.Trim(string(b), `"`)
}

// TestSeedDecides: the faults of the first n requests depend on the seed
// only, so a test can rely on some of each kind happening.
func TestSeedDecides(t *testing.T) {
	tg := newTarget(t)
	run := func(seed uint64) Stats {
		p := startProxy(t, Config{Target: tg.srv.URL, Resets: 0.2, ServerErrors: 0.2, Throttles: 0.2, EntryThrottles: 0.2, Seed: seed})
		c := client(p)
		for i := range 30 {
			c.PutRecords(context.Background(), putInput(1+i%5))
		}
		return p.Stats()
	}
	a, b, other := run(3), run(3), run(4)
	if a != b {
		t.Errorf("seed 3 gave %+v, then %+v; want the same", a, b)
	}
	if a == other {
		t.Errorf("seeds 3 and 4 both gave %+v; want different faults", a)
	}
}
