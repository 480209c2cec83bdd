// Package faultproxy is an HTTP proxy on 127.0.0.1 that injects the faults
// a Kinesis client meets in AWS between it and a Kinesis endpoint such as
// kinesis-local: connection resets, HTTP 500 and 503, throttling of whole
// requests (ProvisionedThroughputExceededException) and of single entries
// inside PutRecords, and added latency. Tests point a client's
// BaseEndpoint at [Proxy.URL].
//
// Faults are drawn per request from the shares in [Config]; each request
// gets at most one of resets, 5xx and throttling, in that order of
// precedence. Half of the resets and 5xx happen before the request reaches
// the target, half after it has been served, so that the client cannot
// tell whether the write took place, as in AWS. Throttled requests and
// throttled entries never reach the target: Kinesis writes nothing it
// throttles. [Proxy.Stats] counts what was injected.
package faultproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config says what to inject. Shares are fractions of requests, 0 to 1.
type Config struct {
	// Target is the endpoint to forward to, http://127.0.0.1:<port>.
	Target string
	// Operations limits faults to these Kinesis operations, as named in
	// the X-Amz-Target header after the dot: PutRecords, GetRecords, ...
	// Other requests pass through untouched.
	//
	// Default: every operation.
	Operations []string
	// Resets is the share of requests whose connection is reset (TCP RST).
	Resets float64
	// ServerErrors is the share of requests answered with HTTP 500
	// (InternalFailure) or 503 (ServiceUnavailable), alternately.
	ServerErrors float64
	// Throttles is the share of requests answered with HTTP 400
	// ProvisionedThroughputExceededException.
	Throttles float64
	// EntryThrottles is the share of PutRecords entries that fail with
	// ErrorCode ProvisionedThroughputExceededException in a response that
	// is otherwise a success.
	EntryThrottles float64
	// Latency is the most latency added to a request; each gets a uniform
	// random delay up to it.
	Latency time.Duration
	// Seed seeds the random choices.
	//
	// Default: 1.
	Seed uint64
}

// Stats counts the faults injected.
type Stats struct {
	// Requests counts requests received.
	Requests int64
	// Resets counts connections reset.
	Resets int64
	// ServerErrors counts HTTP 500 and 503 responses.
	ServerErrors int64
	// ThrottledRequests counts requests answered with
	// ProvisionedThroughputExceededException.
	ThrottledRequests int64
	// ThrottledEntries counts PutRecords entries failed with
	// ProvisionedThroughputExceededException.
	ThrottledEntries int64
}

// Throttled returns throttled requests plus throttled entries.
func (s Stats) Throttled() int64 { return s.ThrottledRequests + s.ThrottledEntries }

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	// URL is the proxy's endpoint, http://127.0.0.1:<port>.
	URL string

	cfg    Config
	target *url.URL
	ops    map[string]bool
	srv    *http.Server
	client *http.Client
	done   chan struct{}

	mu sync.Mutex
	// One source per kind of choice, so that the faults of the first n
	// requests depend on the seed only, not on how requests and their
	// entries interleave.
	reqRng, entryRng, latencyRng *rand.Rand
	stats                        Stats
	flip                         bool // 500 or 503 next
}

// Start validates cfg and starts a proxy on a free loopback port. Call
// Close to stop it.
func Start(cfg Config) (*Proxy, error) {
	target, err := url.Parse(cfg.Target)
	if err != nil || target.Scheme != "http" || target.Host == "" {
		return nil, fmt.Errorf("faultproxy: Target must be an http:// URL, got %q", cfg.Target)
	}
	var errs []error
	for _, s := range []struct {
		name string
		v    float64
	}{{"Resets", cfg.Resets}, {"ServerErrors", cfg.ServerErrors}, {"Throttles", cfg.Throttles}, {"EntryThrottles", cfg.EntryThrottles}} {
		if !(s.v >= 0 && s.v <= 1) {
			errs = append(errs, fmt.Errorf("faultproxy: %s must be between 0 and 1, got %v", s.name, s.v))
		}
	}
	if sum := cfg.Resets + cfg.ServerErrors + cfg.Throttles; sum > 1 {
		errs = append(errs, fmt.Errorf("faultproxy: Resets + ServerErrors + Throttles must be at most 1, got %v", sum))
	}
	if cfg.Latency < 0 {
		errs = append(errs, fmt.Errorf("faultproxy: Latency must not be negative, got %v", cfg.Latency))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{
		URL:        "http://" + ln.Addr().String(),
		cfg:        cfg,
		target:     target,
		reqRng:     rand.New(rand.NewPCG(cfg.Seed, 1)),
		entryRng:   rand.New(rand.NewPCG(cfg.Seed, 2)),
		latencyRng: rand.New(rand.NewPCG(cfg.Seed, 3)),
		client:     &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}},
		done:       make(chan struct{}),
	}
	if len(cfg.Operations) > 0 {
		p.ops = make(map[string]bool)
		for _, op := range cfg.Operations {
			p.ops[op] = true
		}
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	<-p.done
	p.client.CloseIdleConnections()
	return err
}

// Stats returns the counts of faults injected so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// fault is what happens to one request.
type fault int

const (
	none fault = iota
	resetBefore
	resetAfter
	serverErrorBefore
	serverErrorAfter
	throttle
)

// plan draws the fault and delay of a request, and the status of a 5xx.
func (p *Proxy) plan(op string) (f fault, delay time.Duration, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Requests++
	if p.cfg.Latency > 0 {
		delay = time.Duration(p.latencyRng.Int64N(int64(p.cfg.Latency) + 1))
	}
	if p.ops != nil && !p.ops[op] {
		return none, delay, 0
	}
	x := p.reqRng.Float64()
	before := p.reqRng.IntN(2) == 0
	switch {
	case x < p.cfg.Resets:
		p.stats.Resets++
		if before {
			return resetBefore, delay, 0
		}
		return resetAfter, delay, 0
	case x < p.cfg.Resets+p.cfg.ServerErrors:
		p.stats.ServerErrors++
		p.flip = !p.flip
		status = http.StatusInternalServerError
		if p.flip {
			status = http.StatusServiceUnavailable
		}
		if before {
			return serverErrorBefore, delay, status
		}
		return serverErrorAfter, delay, status
	case x < p.cfg.Resets+p.cfg.ServerErrors+p.cfg.Throttles:
		p.stats.ThrottledRequests++
		return throttle, delay, 0
	}
	return none, delay, 0
}

// throttleEntries picks the entries of a PutRecords request to throttle.
func (p *Proxy) throttleEntries(n int) []bool {
	if p.cfg.EntryThrottles == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]bool, n)
	for i := range out {
		if p.entryRng.Float64() < p.cfg.EntryThrottles {
			out[i] = true
			p.stats.ThrottledEntries++
		}
	}
	return out
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	f, delay, status := p.plan(op)
	if delay > 0 {
		time.Sleep(delay)
	}
	switch f {
	case resetBefore:
		reset(w)
		return
	case serverErrorBefore:
		writeServerError(w, status)
		return
	case throttle:
		writeError(w, http.StatusBadRequest, "ProvisionedThroughputExceededException",
			"Rate exceeded for shard in stream under account 000000000000 (injected by faultproxy).")
		return
	}

	var throttled []bool
	if op == "PutRecords" && (p.ops == nil || p.ops[op]) {
		if body, throttled, err = p.dropEntries(body); err != nil {
			http.Error(w, "faultproxy: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	var status2 int
	var header http.Header
	var resp []byte
	if slices.Contains(throttled, false) || throttled == nil {
		status2, header, resp, err = p.forward(r, body)
		if err != nil {
			// The target is down: what a client sees of AWS then.
			writeServerError(w, http.StatusBadGateway)
			return
		}
	} else {
		// Every entry throttled: nothing to forward.
		status2, header, resp = http.StatusOK, http.Header{"Content-Type": {"application/x-amz-json-1.1"}}, []byte(`{"Records":[]}`)
	}
	if throttled != nil && status2 == http.StatusOK {
		if resp, err = mergeEntries(resp, throttled); err != nil {
			http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	switch f {
	case resetAfter:
		reset(w)
		return
	case serverErrorAfter:
		writeServerError(w, status)
		return
	}
	for k, vs := range header {
		if k == "Content-Length" || k == "X-Amz-Crc32" {
			continue
		}
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.WriteHeader(status2)
	_, _ = w.Write(resp)
}

// forward sends the request, with body, to the target.
func (p *Proxy) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	u := *p.target
	u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range r.Header {
		if k != "Content-Length" {
			req.Header[k] = vs
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, b, nil
}

// putRecords is a PutRecords request, with the fields the proxy does not
// look at kept as they are.
type putRecords map[string]json.RawMessage

// dropEntries removes the entries to throttle from a PutRecords body, and
// returns the new body and which entries of the original it removed.
func (p *Proxy) dropEntries(body []byte) ([]byte, []bool, error) {
	var in putRecords
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, nil, fmt.Errorf("PutRecords request: %w", err)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(in["Records"], &recs); err != nil {
		return nil, nil, fmt.Errorf("PutRecords request Records: %w", err)
	}
	throttled := p.throttleEntries(len(recs))
	if !slices.Contains(throttled, true) {
		return body, nil, nil
	}
	kept := make([]json.RawMessage, 0, len(recs))
	for i, rec := range recs {
		if !throttled[i] {
			kept = append(kept, rec)
		}
	}
	b, err := json.Marshal(kept)
	if err != nil {
		return nil, nil, err
	}
	in["Records"] = b
	out, err := json.Marshal(in)
	return out, throttled, err
}

// mergeEntries puts throttled entries back into a PutRecords response at
// their places.
func mergeEntries(resp []byte, throttled []bool) ([]byte, error) {
	var out map[string]json.RawMessage
	if err := json.Unmarshal(resp, &out); err != nil {
		return nil, fmt.Errorf("PutRecords response: %w", err)
	}
	var got []json.RawMessage
	if err := json.Unmarshal(out["Records"], &got); err != nil {
		return nil, fmt.Errorf("PutRecords response Records: %w", err)
	}
	var failed int
	if c, ok := out["FailedRecordCount"]; ok {
		_ = json.Unmarshal(c, &failed)
	}
	entry, _ := json.Marshal(map[string]string{
		"ErrorCode":    "ProvisionedThroughputExceededException",
		"ErrorMessage": "Rate exceeded for shard in stream under account 000000000000 (injected by faultproxy).",
	})
	merged := make([]json.RawMessage, 0, len(throttled))
	for _, t := range throttled {
		if t {
			merged = append(merged, entry)
			failed++
			continue
		}
		if len(got) == 0 {
			return nil, errors.New("PutRecords response has fewer entries than forwarded")
		}
		merged = append(merged, got[0])
		got = got[1:]
	}
	var err error
	if out["Records"], err = json.Marshal(merged); err != nil {
		return nil, err
	}
	out["FailedRecordCount"] = []byte(strconv.Itoa(failed))
	return json.Marshal(out)
}

// reset closes the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // closes the connection
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close sends RST instead of FIN
	}
	_ = conn.Close()
}

func writeServerError(w http.ResponseWriter, status int) {
	code := "InternalFailure"
	if status == http.StatusServiceUnavailable {
		code = "ServiceUnavailable"
	}
	writeError(w, status, code, "injected by faultproxy")
}

// writeError writes an AWS JSON 1.1 error.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
