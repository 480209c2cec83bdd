package test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/standardstream/standardstream/internal/docs"
)

// TestDocsAreCurrent fails when a generated document differs from what the
// code that deploys would generate now.
func TestDocsAreCurrent(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	generated, err := docs.Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(generated) == 0 {
		t.Fatal("no documents generated")
	}
	for path, want := range generated {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: %v (run make docs)", path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale; run make docs and commit the result", path)
		}
	}
}
