package streaming_test

import (
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
