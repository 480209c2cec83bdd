package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type response struct {
	BatchItemFailures []struct {
		ItemIdentifier string `json:"itemIdentifier"`
	} `json:"batchItemFailures"`
}

type payload struct {
	Records []struct {
		EventID string `json:"eventID"`
		Kinesis struct {
			SequenceNumber string `json:"sequenceNumber"`
		} `json:"kinesis"`
	} `json:"Records"`
}

func TestPartialBatchResponse(t *testing.T) {
	tests := []struct {
		file   string
		lowest string // the sequence number Lambda must resume at; "" for success
	}{
		{"valid.json", ""},
		// The second record is not JSON; the fifth has an empty id.
		{"poison.json", "4964532938766123456789012345678901234567890123456002"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var in payload
			if err := json.Unmarshal(raw, &in); err != nil {
				t.Fatal(err)
			}
			out, err := newHandler(4).Invoke(context.Background(), raw)
			if err != nil {
				t.Fatalf("got error %v, want a partial batch response", err)
			}
			var resp response
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			if tt.lowest == "" {
				if len(resp.BatchItemFailures) != 0 {
					t.Errorf("got failures %s, want none", out)
				}
				return
			}
			if len(resp.BatchItemFailures) == 0 {
				t.Fatalf("got no failures, want %s reported", tt.lowest)
			}
			lowest := resp.BatchItemFailures[0].ItemIdentifier
			for _, f := range resp.BatchItemFailures {
				for _, r := range in.Records {
					if f.ItemIdentifier == r.EventID {
						t.Errorf("itemIdentifier %q is an event ID; Lambda needs sequence numbers", f.ItemIdentifier)
					}
				}
				if less(f.ItemIdentifier, lowest) {
					lowest = f.ItemIdentifier
				}
			}
			if lowest != tt.lowest {
				t.Errorf("got lowest itemIdentifier %s, want %s", lowest, tt.lowest)
			}
		})
	}
}

// less compares decimal sequence numbers.
func less(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func TestDecode(t *testing.T) {
	tests := []struct {
		data, wantErr string
	}{
		{`{"id":"e1","type":"order.created","occurredAt":"2026-11-25T21:00:00Z"}`, ""},
		{`not json`, "decode event"},
		{`{"type":"order.created"}`, "id is empty"},
		{`{"id":"e2"}`, "decode event e2: type is empty"},
	}
	for _, tt := range tests {
		_, err := decode([]byte(tt.data))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("decode(%s): got %v, want no error", tt.data, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("decode(%s): got %v, want an error containing %q", tt.data, err, tt.wantErr)
		}
	}
}

func TestConcurrency(t *testing.T) {
	tests := []struct {
		env     string
		want    int
		wantErr bool
	}{{"", 1, false}, {"8", 8, false}, {"0", 0, true}, {"eight", 0, true}}
	for _, tt := range tests {
		t.Setenv("CONSUMER_CONCURRENCY", tt.env)
		got, err := concurrency()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("CONSUMER_CONCURRENCY=%q: got %d, %v; want %d, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), tt.env) {
			t.Errorf("error %q does not name the value %q", err, tt.env)
		}
	}
}

func TestSchema(t *testing.T) {
	tests := []struct {
		data, wantErr string
	}{
		{`{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`, ""},
		{`{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"},"extra":1}`, "/additionalProperties"},
		{`{"id":"e1","type":"order.lost","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`, "/properties/type/enum"},
		{`{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1"}}`, "/properties/payload/required"},
	}
	for _, tt := range tests {
		err := recordSchema.Validate([]byte(tt.data))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: got %v, want valid", tt.data, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: got %v, want an error naming %s", tt.data, err, tt.wantErr)
		}
	}
}
