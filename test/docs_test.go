package test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming"
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

// TestRunbooks checks that every alarm's runbook says what the alarm means,
// what to check first and how to redrive records.
func TestRunbooks(t *testing.T) {
	for _, name := range streaming.Runbooks {
		raw, err := os.ReadFile(filepath.Join("..", streaming.RunbookDir, name))
		if err != nil {
			t.Errorf("runbook %s: %v", name, err)
			continue
		}
		for _, section := range []string{"## What it means", "## First three things to check", "## Redrive"} {
			if !bytes.Contains(raw, []byte("\n"+section)) {
				t.Errorf("runbook %s lacks the section %q", name, section)
			}
		}
	}
}
