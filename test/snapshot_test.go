// Package test holds the golden snapshots of every environment's stack.
// Refresh them with `go test ./test/ -update` and review the diff.
package test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/cdkvalidate"
	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// environments is every environment's stack, synthesized once for the tests
// that read the cloud assembly (TestSnapshots, TestDocsAreCurrent) and
// bundled like `make synth`, so the snapshot is the deployed template. TestMain
// removes its directory.
var environments struct {
	once sync.Once
	dir  string
	err  error
}

// synthEnvironments returns the directory of the environments' cloud assembly.
func synthEnvironments(t *testing.T) string {
	t.Helper()
	environments.once.Do(func() {
		ctx := cdktest.Context(t, true)
		dir, err := os.MkdirTemp("", "standardstream-environments-")
		if err != nil {
			environments.err = err
			return
		}
		environments.dir = dir
		var buildErr error
		environments.err = cdktest.Catch(func() {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(dir), TreeMetadata: jsii.Bool(false)})
			if _, buildErr = stacks.Build(app, stacks.Environments()); buildErr == nil {
				app.Synth(nil)
			}
		})
		if environments.err == nil {
			environments.err = buildErr
		}
	})
	if environments.err != nil {
		t.Fatalf("synthesizing the environments: %v", environments.err)
	}
	return environments.dir
}

// TestTemplateValidation: CDK's template validation, which `cdk synth` runs
// and whose findings the CLI prints, finds nothing in any environment's
// template. (The App runs with the CLI's context, so synthesis succeeds
// whatever it finds; the findings are only in the report.)
func TestTemplateValidation(t *testing.T) {
	found, err := cdkvalidate.Violations(synthEnvironments(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range found {
		t.Error(v)
	}
}

func TestSnapshots(t *testing.T) {
	dir := synthEnvironments(t)
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
