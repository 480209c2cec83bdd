package streaming_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming"
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
		_, err := streaming.LoadSchema(p)
		return err
	}
	if err := load(`{"at":"2026-11-25t21:00:00z"}`); err != nil {
		t.Errorf("lowercase RFC 3339 example: got %v, want it accepted", err)
	}
	if err := load(`{"at":"yesterday"}`); err == nil || !strings.Contains(err.Error(), "examples[0] does not validate") {
		t.Errorf("example breaking date-time: got %v, want it rejected", err)
	}
}

// A Schema read back from the Spec metadata (as standardstream docs and
// local read it) validates as the loaded one does, formats included.
func TestSchemaRoundTripAssertsFormats(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	doc := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
		"properties":{"at":{"type":"string","format":"date-time"}}}`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := streaming.LoadSchema(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(loaded)
	if err != nil {
		t.Fatal(err)
	}
	var restored streaming.Schema
	if err := json.Unmarshal(b, &restored); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*streaming.Schema{"loaded": loaded, "restored": &restored} {
		if err := s.Validate(map[string]any{"at": "2026-11-25t21:00:00z"}); err != nil {
			t.Errorf("%s: lowercase RFC 3339: got %v, want it accepted", name, err)
		}
		if err := s.Validate(map[string]any{"at": "yesterday"}); err == nil {
			t.Errorf("%s: \"yesterday\" as a date-time: got it accepted, want it rejected", name)
		}
	}
}
