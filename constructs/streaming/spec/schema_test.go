package spec_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// The schema's formats are asserted at synth as the default consumer
// asserts them at run time, so an example that breaks one fails synth.
func TestLoadSchemaAssertsFormats(t *testing.T) {
	dir := t.TempDir()
	load := func(example string) error {
		p := filepath.Join(dir, "s.json")
		doc := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
			"properties":{"at":{"type":"string","format":"date-time"}},"examples":[` + example + `]}`
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := spec.LoadSchema(p)
		return err
	}
	if err := load(`{"at":"2026-11-25t21:00:00z"}`); err != nil {
		t.Errorf("lowercase RFC 3339 example: got %v, want it accepted", err)
	}
	if err := load(`{"at":"yesterday"}`); err == nil || !strings.Contains(err.Error(), "examples[0] does not validate") {
		t.Errorf("example breaking date-time: got %v, want it rejected", err)
	}
}

// A Schema read back from the Stream metadata (as standardstream docs and
// local read it) validates as the loaded one does, formats included.
func TestSchemaRoundTripAssertsFormats(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	doc := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
		"properties":{"at":{"type":"string","format":"date-time"}}}`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := spec.LoadSchema(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(loaded)
	if err != nil {
		t.Fatal(err)
	}
	var restored spec.Schema
	if err := json.Unmarshal(b, &restored); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*spec.Schema{"loaded": loaded, "restored": &restored} {
		if err := s.Validate(map[string]any{"at": "2026-11-25t21:00:00z"}); err != nil {
			t.Errorf("%s: lowercase RFC 3339: got %v, want it accepted", name, err)
		}
		if err := s.Validate(map[string]any{"at": "yesterday"}); err == nil {
			t.Errorf("%s: \"yesterday\" as a date-time: got it accepted, want it rejected", name)
		}
	}
}

// The table's columns follow the schema's top-level properties, lowercased
// (Athena's rule) with Hive types; no properties means the raw record column.
func TestColumns(t *testing.T) {
	for _, tt := range []struct {
		name   string
		schema *spec.Schema
		want   []spec.Column
	}{
		{"no schema", nil, []spec.Column{{Name: spec.RawRecordColumn, Type: "string"}}},
		{"no properties", &spec.Schema{Raw: map[string]any{"type": "object"}}, []spec.Column{{Name: "record", Type: "string"}}},
		{"typed properties", &spec.Schema{Raw: map[string]any{"properties": map[string]any{
			"Qty":   map[string]any{"type": "integer"},
			"qty":   map[string]any{"type": "string"},
			"price": map[string]any{"type": "number"},
			"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"ship":  map[string]any{"type": "object", "properties": map[string]any{"City": map[string]any{"type": "string"}, "ok": map[string]any{"type": "boolean"}}},
		}}}, []spec.Column{
			// sorted by property name, so "Qty" comes first and wins "qty"
			{Name: "qty", Type: "bigint"}, {Name: "price", Type: "double"},
			{Name: "ship", Type: "struct<city:string,ok:boolean>"}, {Name: "tags", Type: "array<string>"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := spec.Columns(tt.schema); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
