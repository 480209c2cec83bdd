package docgen

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/standardstream/standardstream/cdkapp"
)

func TestColumnNames(t *testing.T) {
	tests := []struct {
		stacks []string
		want   map[string]string
	}{
		{[]string{"Orders-dev", "Orders-staging", "Orders-prod"}, map[string]string{"Orders-dev": "dev", "Orders-staging": "staging", "Orders-prod": "prod"}},
		// The shared prefix ends at a separator, not inside a name.
		{[]string{"App-devA", "App-devB"}, map[string]string{"App-devA": "devA", "App-devB": "devB"}},
		{[]string{"Lone"}, map[string]string{"Lone": "Lone"}},
		{[]string{"Alpha", "Beta"}, map[string]string{"Alpha": "Alpha", "Beta": "Beta"}},
	}
	for _, tt := range tests {
		var streams []cdkapp.Stream
		for _, s := range tt.stacks {
			streams = append(streams, cdkapp.Stream{Stack: s, ID: "Orders"})
		}
		if got := columnNames(streams); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %v, want %v", tt.stacks, got, tt.want)
		}
	}
}

func TestCheckAndWrite(t *testing.T) {
	root := t.TempDir()
	docs := map[string][]byte{
		"docs/streams/orders.md":  []byte("orders\n"),
		"docs/runbooks/README.md": []byte("runbooks\n"),
		"docs/architecture.svg":   []byte("<svg/>\n"),
	}
	write := func(p, s string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/streams/orders.md", "edited by hand\n")
	write("docs/runbooks/old-name.md", "an alarm that no longer exists\n")
	write("docs/architecture.svg", "<svg/>\n")

	got, err := Check(root, docs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{
		{"docs/runbooks/README.md", "missing"},
		{"docs/runbooks/old-name.md", "obsolete"},
		{"docs/streams/orders.md", "stale"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Check: got %v, want %v", got, want)
	}

	written, err := Write(root, docs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"docs/runbooks/README.md", "docs/streams/orders.md"}; !reflect.DeepEqual(written, want) {
		t.Errorf("Write: got %v, want %v (current files are not rewritten)", written, want)
	}
	got, err = Check(root, docs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Status{{"docs/runbooks/old-name.md", "obsolete"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Check after Write: got %v, want %v", got, want)
	}
}

func TestFileName(t *testing.T) {
	for id, want := range map[string]string{"Orders": "orders.md", "ClickEvents": "click-events.md", "Team/Orders": "team-orders.md", "S3Events": "s3-events.md", "V2": "v2.md"} {
		if got := FileName(id); got != want {
			t.Errorf("FileName(%q): got %q, want %q", id, got, want)
		}
	}
}
