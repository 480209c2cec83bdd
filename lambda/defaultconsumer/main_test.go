package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

// batch returns a Kinesis event of records, one per data, all with the
// partition key of their index and sequence number 100+index.
func batch(t *testing.T, data ...string) []byte {
	t.Helper()
	var ev struct {
		Records []map[string]any `json:"Records"`
	}
	for i, d := range data {
		ev.Records = append(ev.Records, map[string]any{
			"eventSource": "aws:kinesis", "eventID": fmt.Sprintf("shardId-000000000000:%d", 100+i),
			"eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
			"kinesis": map[string]any{
				"partitionKey": fmt.Sprintf("k%d", i), "sequenceNumber": fmt.Sprint(100 + i),
				"approximateArrivalTimestamp": 1764108000.0, "data": base64.StdEncoding.EncodeToString([]byte(d)),
			},
		})
	}
	p, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// summary is the batch log line's fields that these tests read.
type summary struct {
	Records  int `json:"records"`
	Handled  int `json:"handled"`
	Failed   int `json:"failed"`
	Failures []struct {
		SequenceNumber string `json:"sequence_number"`
		Error          string `json:"error"`
	} `json:"failures"`
}

// invoke runs the handler for schema s (nil: none) on payload and returns
// the response's failed sequence numbers and the batch's log line.
func invoke(t *testing.T, dir string, payload []byte) ([]string, summary) {
	t.Helper()
	s, err := loadSchema(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := newHandler(s, 2, kinesisbatchLogger(&logs)...)
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("got error %v, want a partial batch response", err)
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	var sum summary
	if err := json.Unmarshal(logs.Bytes(), &sum); err != nil {
		t.Fatalf("log line %q: %v", logs.String(), err)
	}
	return failed, sum
}

var records = []string{
	`{"id":"e1","type":"order.created","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`,
	`not json at all`,
	`{"id":7,"type":"order.created","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`,
	`{"id":"e4","type":"order.created","occurredAt":"yesterday","payload":{"orderId":"o-1","customer":"c-1"}}`,
	`{"id":"e5","type":"order.paid","occurredAt":"2026-11-25t21:00:00z","payload":{"orderId":"o-1","customer":"c-1"}}`,
	``,
}

func TestAnyRecordWithoutSchema(t *testing.T) {
	failed, sum := invoke(t, t.TempDir(), batch(t, records...))
	if len(failed) != 0 {
		t.Errorf("got failures %v, want every record accepted", failed)
	}
	if sum.Records != len(records) || sum.Handled != len(records) || sum.Failed != 0 {
		t.Errorf("got log line %+v, want %d records handled", sum, len(records))
	}
}

func TestSchemaViolationsFail(t *testing.T) {
	dir := t.TempDir()
	// The reference stream's schema, as the construct bundles it.
	doc, err := os.ReadFile(filepath.Join("..", "event.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SchemaFile), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	failed, sum := invoke(t, dir, batch(t, records...))
	want := []string{"101", "102", "103", "105"}
	if fmt.Sprint(failed) != fmt.Sprint(want) {
		t.Errorf("got failures %v, want %v (lowercase t and z are RFC 3339)", failed, want)
	}
	if sum.Failed != len(want) || sum.Handled != len(records)-len(want) {
		t.Errorf("got log line %+v, want %d failed, %d handled", sum, len(want), len(records)-len(want))
	}
	wantErrs := map[string]string{
		"101": "record is not JSON",
		"102": "schema /properties/id/type: at /id: got number, want string",
		"103": "schema /properties/occurredAt/format: at /occurredAt:",
		"105": "record is not JSON",
	}
	for _, f := range sum.Failures {
		if w := wantErrs[f.SequenceNumber]; w == "" || !strings.Contains(f.Error, w) {
			t.Errorf("record %s: got error %q, want it to contain %q", f.SequenceNumber, f.Error, w)
		}
	}
	if len(sum.Failures) != len(want) {
		t.Errorf("got %d failures logged, want %d", len(sum.Failures), len(want))
	}
}

func TestBadSchemaFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SchemaFile)
	if err := os.WriteFile(path, []byte(`{"type": 5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSchema(dir); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a valid JSON Schema") {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
}

// kinesisbatchLogger sends the batch log line to w and metrics nowhere.
func kinesisbatchLogger(w io.Writer) []kinesisbatch.Option {
	return []kinesisbatch.Option{kinesisbatch.WithLogger(slog.New(slog.NewJSONHandler(w, nil))), kinesisbatch.WithMetrics(io.Discard, "Test")}
}
