package spec_test

import (
	"path/filepath"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// The consumer entries are found from this package's source, three levels
// below the module root: a test runs in its package's directory.
func TestConsumerEntries(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	def, err := spec.DefaultConsumerEntry()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := spec.ReferenceConsumerEntry()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ got, want string }{
		{def, filepath.Join(root, "lambda", "defaultconsumer")},
		{ref, filepath.Join(root, "lambda")},
	} {
		if filepath.Clean(tt.got) != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
