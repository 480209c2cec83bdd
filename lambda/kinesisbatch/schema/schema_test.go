package schema_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
)

const event = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["id", "payload"],
  "properties": {
    "id": {"type": "string"},
    "at": {"type": "string", "format": "date-time"},
    "payload": {"type": "object", "required": ["customer"], "properties": {"customer": {"type": "string"}}}
  }
}`

func TestValidate(t *testing.T) {
	s, err := schema.Compile([]byte(event))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		data string
		want []string // in the error; none for a valid record
	}{
		{`{"id":"e1","payload":{"customer":"c1"}}`, nil},
		{`{"id":7,"payload":{"customer":"c1"}}`, []string{"/properties/id/type", "at /id", "string"}},
		{`{"id":"e1"}`, []string{"/required", "at /", "payload"}},
		{`{"id":"e1","payload":{}}`, []string{"/properties/payload/required", "at /payload", "customer"}},
		{`not json`, []string{"record is not JSON"}},
		// Formats are asserted, as RFC 3339 and the schema say.
		{`{"id":"e1","payload":{"customer":"c1"},"at":"2026-11-25T21:00:00Z"}`, nil},
		{`{"id":"e1","payload":{"customer":"c1"},"at":"2026-11-25t21:00:00z"}`, nil},
		{`{"id":"e1","payload":{"customer":"c1"},"at":"yesterday"}`, []string{"/properties/at/format", "at /at", "date-time"}},
	}
	for _, tt := range tests {
		err := s.Validate([]byte(tt.data))
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: got %v, want valid", tt.data, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: got valid, want an error", tt.data)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %q, want it to contain %q", tt.data, err, w)
			}
		}
	}
}

func TestCompileRejects(t *testing.T) {
	for schemaJSON, want := range map[string]string{
		`{"type":`:    "not valid JSON",
		`{"type": 5}`: "not a valid JSON Schema",
	} {
		if _, err := schema.Compile([]byte(schemaJSON)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Compile(%s): got %v, want %q", schemaJSON, err, want)
		}
	}
}

// An invalid record fails like any other record: it is reported, and the
// rest of its key is skipped; other keys go on.
func TestWithValidator(t *testing.T) {
	s, err := schema.Compile([]byte(event))
	if err != nil {
		t.Fatal(err)
	}
	var handled []string
	h := kinesisbatch.New(func(_ context.Context, r kinesisbatch.Record) error {
		handled = append(handled, r.SequenceNumber)
		return nil
	}, kinesisbatch.WithValidator(s.Validate), kinesisbatch.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))), kinesisbatch.WithMetrics(io.Discard, "Test"))

	records := []struct{ seq, key, data string }{
		{"100", "a", `{"id":"1","payload":{"customer":"a"}}`},
		{"101", "a", `{"id":2,"payload":{"customer":"a"}}`}, // invalid
		{"102", "b", `{"id":"3","payload":{"customer":"b"}}`},
		{"103", "a", `{"id":"4","payload":{"customer":"a"}}`}, // skipped: after a's failure
	}
	var event struct {
		Records []map[string]any `json:"Records"`
	}
	for _, r := range records {
		event.Records = append(event.Records, map[string]any{
			"eventSource": "aws:kinesis", "eventID": "shardId-000000000000:" + r.seq,
			"eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
			"kinesis": map[string]any{
				"partitionKey": r.key, "sequenceNumber": r.seq, "approximateArrivalTimestamp": 1764108000.0,
				"data": base64.StdEncoding.EncodeToString([]byte(r.data)),
			},
		})
	}
	payload, _ := json.Marshal(event)
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(handled), "[100 102]"; got != want {
		t.Errorf("handled %s, want %s", got, want)
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) == 0 || resp.BatchItemFailures[0].ItemIdentifier != "101" {
		t.Errorf("got %s, want the invalid record 101 reported first", out)
	}
}

func TestWithValidatorNil(t *testing.T) {
	defer func() {
		if r := fmt.Sprint(recover()); !strings.Contains(r, "WithValidator") {
			t.Errorf("got panic %q, want one naming WithValidator", r)
		}
	}()
	kinesisbatch.New(func(context.Context, kinesisbatch.Record) error { return nil }, kinesisbatch.WithValidator(nil))
}
