package scaffold

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/standardstream/standardstream/cdkapp"
)

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"orders", "click-events", "v2", "a", "s3-events-2", strings.Repeat("a", 40)} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Orders", "2fast", "-orders", "orders-", "click--events", "click_events", "orders.v2", "ордера", strings.Repeat("a", 41), "config", "stack"} {
		err := ValidateName(bad)
		if err == nil || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("ValidateName(%q): got %v, want an error naming it", bad, err)
		}
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"orders": "Orders", "click-events": "ClickEvents", "s3-events-2": "S3Events2"} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q): got %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"example.com/orders-team": "OrdersTeam", "example.com/x/v2": "V2", "example.com/2go": "App2go"} {
		if got := appName(in); got != want {
			t.Errorf("appName(%q): got %q, want %q", in, got, want)
		}
	}
}

// The app gets this repository's feature flags, Node toolchain pins and
// build/ scripts, so changing any of them here without the templates fails.
func TestTemplatesFollowThisRepository(t *testing.T) {
	cdk, err := render("templates/app/cdk.json.tmpl", appData{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cdk, want) {
		t.Error("templates/app/cdk.json.tmpl differs from cdk.json; copy cdk.json over it")
	}
	// This repository's build/ starts jsii's Node.js as the apps do.
	for _, name := range []string{"jsii-node", "jsii-stdio.js"} {
		want, err := render("templates/app/build/"+name+".tmpl", nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "build", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("build/%s differs from templates/app/build/%s.tmpl; copy the template over it", name, name)
		}
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		got, err := render("templates/app/"+f+".tmpl", appData{NPMName: "x"})
		if err != nil {
			t.Fatal(err)
		}
		repo, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		var g, r map[string]any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := json.Unmarshal(repo, &r); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"devDependencies", "packages"} {
			gv, rv := g[key], r[key]
			if gv == nil && rv == nil {
				continue
			}
			if key == "packages" && gv != nil && rv != nil {
				// The root package's name differs; its dependencies may not.
				gp, rp := gv.(map[string]any), rv.(map[string]any)
				delete(gp[""].(map[string]any), "name")
				delete(rp[""].(map[string]any), "name")
			}
			if !reflect.DeepEqual(gv, rv) {
				t.Errorf("templates/app/%s.tmpl: %s differ from %s's; update the template", f, key, f)
			}
		}
	}
}

// module writes a go.mod that requires StandardStream into a new directory.
func module(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gomod := "module example.com/orders-team\n\ngo 1.26.0\n\nrequire github.com/standardstream/standardstream v0.0.0\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDryRunWritesNothing(t *testing.T) {
	dir := module(t)
	res, err := New(context.Background(), Options{Dir: dir, Name: "click-events", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.AppCreated {
		t.Error("AppCreated is false for a module without an app")
	}
	for _, want := range []string{
		"main.go", "cdk.json", "Makefile", "package.json", "package-lock.json", ".gitignore", ".cfnlintrc", "README.md",
		"build/jsii-node", "build/jsii-stdio.js", "stacks/config.go", "stacks/stack.go", "test/config_test.go", "test/stacks_test.go", "stacks/click-events.go",
		"consumers/click-events/main.go", "consumers/click-events/event_gen.go", "consumers/click-events/main_test.go",
		"consumers/click-events/click-events.schema.json",
		"consumers/click-events/testdata/valid.json", "consumers/click-events/testdata/poison.json",
	} {
		if !slices.Contains(res.Created, want) {
			t.Errorf("dry run would not create %s (got %v)", want, res.Created)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dry run wrote into the module: %v", entries)
	}
}

func TestNewRefuses(t *testing.T) {
	write := func(dir, name, content string) {
		full := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		setup func(dir string)
		opts  Options
		want  []string
	}{
		{"bad name", nil, Options{Name: "Orders"}, []string{`"Orders"`}},
		{"bad classification", nil, Options{Name: "orders", Classification: "SECRET"}, []string{"classification", `"SECRET"`}},
		{"bad app name", nil, Options{Name: "orders", App: "my app"}, []string{"app name", `"my app"`}},
		{"no go.mod", func(dir string) { os.Remove(filepath.Join(dir, "go.mod")) }, Options{Name: "orders"}, []string{"no go.mod"}},
		{"go.mod without StandardStream", func(dir string) { write(dir, "go.mod", "module example.com/x\n\ngo 1.26.0\n") }, Options{Name: "orders"},
			[]string{"does not require github.com/standardstream/standardstream"}},
		{"someone else's CDK app", func(dir string) { write(dir, "cdk.json", `{"app":"go run ."}`) }, Options{Name: "orders"},
			[]string{"cdk.json exists", ManifestFile}},
		{"stream exists", func(dir string) { write(dir, ManifestFile, `{"app":"X","streams":["orders"],"files":{}}`) }, Options{Name: "orders"},
			[]string{`stream "orders" already exists`}},
		{"clashing construct IDs", func(dir string) { write(dir, ManifestFile, `{"app":"X","streams":["orders"],"files":{}}`) }, Options{Name: "orders-stream-arn"},
			[]string{`"orders-stream-arn"`, `stream "orders"`}},
		{"a file the user wrote", func(dir string) { write(dir, "consumers/orders/main.go", "package main // mine\n") }, Options{Name: "orders"},
			[]string{"refusing to overwrite consumers/orders/main.go", "--force"}},
		{"a file the user changed", func(dir string) {
			write(dir, "README.md", "ours\n")
			write(dir, ManifestFile, `{"app":"X","streams":["orders"],"files":{"stacks/payments.go":"`+hash([]byte("as written"))+`"}}`)
			write(dir, "stacks/payments.go", "package stacks // changed\n")
		}, Options{Name: "payments"}, []string{"refusing to overwrite stacks/payments.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := module(t)
			if tt.setup != nil {
				tt.setup(dir)
			}
			before := snapshot(t, dir)
			opts := tt.opts
			opts.Dir = dir
			_, err := New(context.Background(), opts)
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused run changed the module:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// snapshot returns every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPrebuildCachesTheApp checks what New relies on to link the app only
// once: a build of the app with its new files as an overlay, before they
// are written, leaves the executable that the app's own `go run .` finds
// in Go's cache once they are, and writes nothing into the module.
func TestPrebuildCachesTheApp(t *testing.T) {
	if _, err := exec.LookPath("true"); err != nil {
		t.Skip("no true command")
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":   "module example.com/prebuild\n\ngo 1.26.0\n",
		"cdk.json": `{"app": "go run ."}`,
		"main.go":  "package main\n\nimport \"example.com/prebuild/stacks\"\n\nfunc main() { println(stacks.Streams) }\n",
		// A fresh value, so no earlier run's executable is in the cache.
		"stacks/stack.go": fmt.Sprintf("package stacks\n\n// Streams counts the streams.\nvar Streams = %d\n", time.Now().UnixNano()),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := []file{
		{"stacks/orders.go", []byte("package stacks\n\nfunc init() { Streams++ }\n")},
		{"consumers/orders/main.go", []byte("package main\n\nfunc main() {}\n")},
	}
	before := snapshot(t, dir)
	prebuild(context.Background(), dir, files)()
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("prebuild changed the module:\nbefore %v\nafter  %v", before, after)
	}
	for _, f := range files {
		full := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, f.content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "run", "-x", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if regexp.MustCompile(`(?m)/link |/compile `).Match(out) {
		t.Errorf("go run . compiled or linked again after prebuild:\n%s", out)
	}
}

// TestNewRefusesStaleSnapshot: new synthesizes the app as it is before it
// adds a stream, and refuses, naming the snapshot and writing nothing, if
// a snapshot in test/testdata is not the app's current template (the
// snapshot test fails already, and rewriting it would hide a change that
// nobody reviewed). The app here writes a finished cloud assembly of two
// stacks; one snapshot is current, the other stale.
func TestNewRefusesStaleSnapshot(t *testing.T) {
	assembly, err := filepath.Abs(filepath.Join("..", "cdkapp", "testdata", "assembly"))
	if err != nil {
		t.Fatal(err)
	}
	dir := module(t)
	cfg, err := json.Marshal(map[string]any{"app": `cp ` + assembly + `/* "$CDK_OUTDIR"`})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"cdk.json":   cfg,
		ManifestFile: []byte(`{"app":"App","streams":["orders"],"files":{}}`),
	}
	for name, stale := range map[string]bool{"App-dev": false, "App-prod": true} {
		raw, err := os.ReadFile(filepath.Join(assembly, name+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		snap, err := cdkapp.NormalizeTemplate(raw)
		if err != nil {
			t.Fatal(err)
		}
		if stale {
			snap = append(snap, '\n')
		}
		files[path.Join("test", "testdata", name+".template.json")] = snap
	}
	for name, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, dir)
	_, err = New(context.Background(), Options{Dir: dir, Name: "refunds"})
	if err == nil || !strings.Contains(err.Error(), "refusing to rewrite test/testdata/App-prod.template.json:") || strings.Contains(err.Error(), "App-dev") {
		t.Errorf("got %v, want a refusal naming the stale App-prod snapshot only", err)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused run changed the module:\nbefore %v\nafter  %v", before, after)
	}
}
