// Package test holds the golden snapshots of every environment's stack.
// Refresh them with `go test ./test/ -update` and review the diff.
package test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestSnapshots(t *testing.T) {
	// Bundled like `make synth`, so the snapshot is the deployed template.
	app := cdktest.NewApp(t, true)
	if _, err := stacks.Build(app, stacks.Environments()); err != nil {
		t.Fatal(err)
	}
	dir := *app.Synth(nil).Directory()
	for _, env := range stacks.Environments() {
		t.Run(env.Name, func(t *testing.T) {
			name := env.StackName() + ".template.json"
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			// Asset hashes are normalised: they depend on the Go toolchain
			// and the consumer's source, not on the infrastructure.
			got, err := cdkapp.NormalizeTemplate(raw)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run `go test ./test/ -update` to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s changed; review the change and run `go test ./test/ -update`:\n%s", name, diff(want, got))
			}
		})
	}
}

// diff returns the first differing lines of want and got, enough to see what changed.
func diff(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if !bytes.Equal(wl, gl) {
			out.WriteString("line " + itoa(i+1) + ":\n  want: " + string(wl) + "\n  got:  " + string(gl) + "\n")
			shown++
		}
	}
	return out.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
