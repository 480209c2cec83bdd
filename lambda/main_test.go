package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
	"github.com/standardstream/standardstream/lambda/schemagen"
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
		// The second record is not JSON; the fifth has an empty id and lacks
		// required properties.
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

// eventCases are records of the reference stream, with what its schema says
// of them; TestEventParity checks that the reference validator and the
// generated decoder agree with each.
var eventCases = []struct {
	name, data string
	accept     bool
	wantErr    string // part of the generated decoder's error
}{
	{"valid", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`, true, ""},
	{"full", `{"id":"e1","type":"order.created","occurredAt":"2026-11-25T21:00:00.123+01:00","payload":{"orderId":"o-1","customer":"c-1","amountCents":4599,"currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unitPriceCents":2299}],"note":"kept"}}`, true, ""},
	{"lowercase t and z", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25t21:00:00z","payload":{"orderId":"o-1","customer":"c-1"}}`, true, ""},
	{"not a date-time", `{"id":"e1","type":"order.paid","occurredAt":"yesterday","payload":{"orderId":"o-1","customer":"c-1"}}`, false, "schema /properties/occurredAt/format: at /occurredAt"},
	{"additional property", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"},"extra":1}`, false, "schema /additionalProperties"},
	{"unknown type", `{"id":"e1","type":"order.lost","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`, false, "schema /properties/type/enum: at /type"},
	{"missing customer", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1"}}`, false, `schema /properties/payload/required: at /payload: missing property "customer"`},
	{"empty id", `{"id":"","type":"order.created"}`, false, "schema /properties/id/minLength"},
	{"not JSON", `not json`, false, "schema: record is not JSON"},
	{"negative amount", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1","amountCents":-1}}`, false, "schema /properties/payload/properties/amountCents/minimum"},
	{"fractional amount", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1","amountCents":1.5}}`, false, "amountCents/type"},
	{"amount 1.0 is an integer", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1","amountCents":1.0}}`, true, ""},
	{"bad sku", `{"id":"e1","type":"order.created","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1","lines":[{"sku":"sku 1","quantity":1,"unitPriceCents":1}]}}`, false, "schema /properties/payload/properties/lines/items/properties/sku/pattern: at /payload/lines/0/sku"},
	{"zero quantity", `{"id":"e1","type":"order.created","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1","lines":[{"sku":"SKU-1","quantity":0,"unitPriceCents":1}]}}`, false, "quantity/minimum"},
	{"unknown currency", `{"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1","currency":"eur"}}`, false, "currency/enum"},
	{"duplicate key, last wins", `{"id":1,"id":"e1","type":"order.paid","occurredAt":"2026-11-25T21:00:00Z","payload":{"orderId":"o-1","customer":"c-1"}}`, true, ""},
}

func eventReference(t testing.TB) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile("event.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("event.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("event.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func referenceAccepts(s *jsonschema.Schema, data []byte) bool {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	return err == nil && s.Validate(v) == nil
}

func TestEventParity(t *testing.T) {
	ref := eventReference(t)
	for _, tt := range eventCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := referenceAccepts(ref, []byte(tt.data)); got != tt.accept {
				t.Errorf("reference validator: got accept %v, want %v; the case is wrong", got, tt.accept)
			}
			err := process(context.Background(), kinesisbatch.Record{Data: []byte(tt.data)})
			switch {
			case tt.accept && err != nil:
				t.Errorf("consumer: got %v, want the record accepted", err)
			case !tt.accept && err == nil:
				t.Errorf("consumer: got the record accepted, want an error containing %q", tt.wantErr)
			case !tt.accept && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("consumer: got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzEventParity checks that the consumer accepts exactly the records the
// reference validator accepts.
func FuzzEventParity(f *testing.F) {
	for _, tt := range eventCases {
		f.Add([]byte(tt.data))
	}
	ref := eventReference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Event
		err := e.Decode(data)
		if want := referenceAccepts(ref, data); want != (err == nil) {
			t.Fatalf("%q: reference accepts %v, consumer %v (%v)", data, want, err == nil, err)
		}
	})
}

func TestDecodedEvent(t *testing.T) {
	var e Event
	err := e.Decode([]byte(`{"id":"e1","type":"order.created","occurredAt":"2026-11-25t21:00:00z","payload":{"orderId":"o-1","customer":"c-1","amountCents":4599,"lines":[{"sku":"SKU-1","quantity":2,"unitPriceCents":2299}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	switch {
	case e.ID != "e1" || e.Type != "order.created" || !e.OccurredAt.Equal(want):
		t.Errorf("got %+v, want id e1, type order.created, occurredAt %v", e, want)
	case e.Payload.OrderID != "o-1" || e.Payload.Customer != "c-1" || e.Payload.AmountCents == nil || *e.Payload.AmountCents != 4599:
		t.Errorf("got payload %+v, want o-1, c-1, 4599", e.Payload)
	case e.Payload.Currency != nil:
		t.Errorf("got currency %v, want nil (absent)", *e.Payload.Currency)
	case len(e.Payload.Lines) != 1 || e.Payload.Lines[0] != (EventPayloadLinesItem{Sku: "SKU-1", Quantity: 2, UnitPriceCents: 2299}):
		t.Errorf("got lines %+v", e.Payload.Lines)
	}
}

// TestEventIsGenerated fails when event_gen.go is not what schemagen makes
// of event.schema.json now; run go generate ./lambda.
func TestEventIsGenerated(t *testing.T) {
	schema, err := os.ReadFile("event.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := schemagen.Generate(schema, "main", "Event")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("event_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("event_gen.go is stale; run go generate ./lambda")
	}
}
