package golambda

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/internal/jsiitest"
)

// TestMain stops jsii once the tests have run (package jsiitest says why).
func TestMain(m *testing.M) { jsiitest.Main(m) }

// testModule is a module without external dependencies, so the tests need
// neither network nor module cache: a Lambda main package, a shared package
// it links (with an embedded file), and files the binary does not link.
var testModule = map[string]string{
	"go.mod": "module example.com/fn\n\ngo 1.26\n",
	"cmd/handler/main.go": `package main

import "example.com/fn/shared"

func main() { println(shared.Greeting()) }
`,
	"cmd/handler/main_test.go": "package main\n",
	"shared/shared.go": `package shared

import _ "embed"

//go:embed greeting.txt
var greeting string

func Greeting() string { return greeting }
`,
	"shared/greeting.txt":      "hello\n",
	"shared/shared_test.go":    "package shared\n",
	"shared/shared_windows.go": "package shared\n\nconst windows = true\n",
	"unused/unused.go":         "package unused\n",
	"README.md":                "# fn\n",
}

// writeModule writes testModule plus overrides (an empty content deletes the
// file) into a new temporary directory and returns it.
func writeModule(t *testing.T, overrides map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for name, content := range testModule {
		files[name] = content
	}
	for name, content := range overrides {
		files[name] = content
	}
	for name, content := range files {
		if content == "" {
			continue
		}
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

func writeFile(t *testing.T, file, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hashOf(t *testing.T, entry string) string {
	t.Helper()
	b, err := inspect(entry)
	if err != nil {
		t.Fatalf("inspect(%q): %v", entry, err)
	}
	return b.hash
}

func TestHash(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		content     string
		wantChanged bool
	}{
		{"main package edited", "cmd/handler/main.go", strings.Replace(testModule["cmd/handler/main.go"], "println", "print", 1), true},
		{"linked shared package edited", "shared/shared.go", testModule["shared/shared.go"] + "\nfunc Other() {}\n", true},
		{"file added to linked package", "shared/extra.go", "package shared\n", true},
		{"embedded file edited", "shared/greeting.txt", "bonjour\n", true},
		{"go.mod edited", "go.mod", testModule["go.mod"] + "\ngodebug panicnil=1\n", true},
		{"go directive changed", "go.mod", "module example.com/fn\n\ngo 1.25\n", true},
		// Versions of linked modules are hashed; go.sum adds nothing.
		{"go.sum added", "go.sum", "example.com/x v1.0.0 h1:AAAA=\n", false},
		{"README edited", "README.md", "# fn, edited\n", false},
		{"unlinked package edited", "unused/unused.go", "package unused\n\nfunc F() {}\n", false},
		{"package added outside the build", "tools/tool.go", "package tools\n", false},
		{"test file of main package edited", "cmd/handler/main_test.go", "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n", false},
		{"test file of shared package edited", "shared/shared_test.go", "package shared\n\nvar x = 1\n", false},
		{"file for another GOOS edited", "shared/shared_windows.go", "package shared\n\nconst windows = false\n", false},
	}
	// The hash does not depend on the module's directory
	// (TestHashIndependentOfLocation), so one inspection of the unchanged
	// module serves every case.
	before := hashOf(t, filepath.Join(writeModule(t, nil), "cmd/handler"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, map[string]string{tt.file: tt.content})
			after := hashOf(t, filepath.Join(dir, "cmd/handler"))
			if changed := after != before; changed != tt.wantChanged {
				t.Errorf("hash changed: got %v, want %v (before %s, after %s)", changed, tt.wantChanged, before, after)
			}
		})
	}
}

// TestHashIndependentOfLocation guards the hash against absolute paths: two
// checkouts of the same commit must reuse each other's assets.
func TestHashIndependentOfLocation(t *testing.T) {
	t.Parallel()
	a := hashOf(t, filepath.Join(writeModule(t, nil), "cmd/handler"))
	b := hashOf(t, filepath.Join(writeModule(t, nil), "cmd/handler"))
	if a != b {
		t.Errorf("same module in two directories: got hashes %s and %s, want equal", a, b)
	}
}

func TestCodeErrors(t *testing.T) {
	mod := writeModule(t, map[string]string{
		"nomain/main.go":    "package main\n\nfunc helper() {}\n",
		"broken/main.go":    "package main\n\nimport \"example.com/fn/broken/lib\"\n\nfunc main() { lib.F() }\n",
		"broken/lib/lib.go": "package lib\n\nfunc F() { foo() }\n",
	})
	noModule := t.TempDir()
	writeFile(t, filepath.Join(noModule, "main.go"), "package main\n\nfunc main() {}\n")

	tests := []struct {
		name  string
		entry string
		want  string // the error, after the "golambda: entry %q: " prefix
	}{
		{"missing directory", filepath.Join(mod, "missing"), "directory does not exist"},
		{"file, not directory", filepath.Join(mod, "README.md"), "not a directory"},
		{"library package", filepath.Join(mod, "shared"), "not a main package (package shared)"},
		{"no Go files", filepath.Join(mod, "cmd"), "not a main package (no Go files in " + filepath.Join(mod, "cmd") + ")"},
		{"no func main", filepath.Join(mod, "nomain"), "package main has no func main"},
		{"outside any module", noModule, "not inside a Go module (no go.mod in it or any parent directory)"},
		{"compile error in linked package", filepath.Join(mod, "broken"), "build failed:\n# example.com/fn/broken/lib\nbroken/lib/lib.go:3:12: undefined: foo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, err := Code(tt.entry)
			want := fmt.Sprintf("golambda: entry %q: %s", tt.entry, tt.want)
			if err == nil || err.Error() != want {
				t.Errorf("Code(%q) error:\ngot  %v\nwant %s", tt.entry, err, want)
			}
			if code != nil {
				t.Errorf("Code(%q) returned code with an error", tt.entry)
			}
		})
	}
}

// TestTryBundleFailure covers the last resort: a build that fails after Code
// succeeded must stop synth with the compiler's message, never return false
// (which would make CDK try Docker).
func TestTryBundleFailure(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, nil)
	b, err := inspect(filepath.Join(dir, "cmd/handler"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "shared/shared.go"), "package shared\n\nfunc Greeting() string { return foo }\n")

	defer func() {
		r := recover()
		if err, ok := r.(error); !ok || !strings.Contains(err.Error(), "undefined: foo") {
			t.Errorf("TryBundle panicked with %v, want an error containing %q", r, "undefined: foo")
		}
	}()
	got := b.TryBundle(jsii.String(t.TempDir()), nil)
	t.Errorf("TryBundle returned %v, want a panic", *got)
}

func TestWithFile(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"schema.json": `{"type":"object"}`, "other.json": `{}`})
	b, err := inspect(filepath.Join(dir, "cmd/handler"))
	if err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join(dir, "schema.json")
	hash := func(opts ...Option) string {
		t.Helper()
		c, err := b.withFiles(opts)
		if err != nil {
			t.Fatal(err)
		}
		return c.hash
	}
	with := hash(WithFile("schema.json", schema))
	switch {
	case with == b.hash:
		t.Error("adding a file kept the hash")
	case hash(WithFile("schema.json", schema)) != with:
		t.Error("the same file gave another hash")
	case hash(WithFile("record.json", schema)) == with:
		t.Error("renaming the file in the asset kept the hash")
	case hash() != b.hash:
		t.Error("no files changed the hash")
	}
	writeFile(t, schema, `{"type":"object","required":["id"]}`)
	if hash(WithFile("schema.json", schema)) == with {
		t.Error("editing the file kept the hash")
	}

	for _, tt := range []struct {
		name, src, want string
	}{
		{"sub/schema.json", schema, `WithFile name must be a plain file name, got "sub/schema.json"`},
		{"..", schema, `WithFile name must be a plain file name, got ".."`},
		{"", schema, `WithFile name must be a plain file name, got ""`},
		{"bootstrap", schema, `WithFile name "bootstrap" is the Lambda binary's`},
		{"schema.json", filepath.Join(dir, "missing.json"), `WithFile "schema.json": open ` + filepath.Join(dir, "missing.json")},
	} {
		if _, err := b.withFiles([]Option{WithFile(tt.name, tt.src)}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("WithFile(%q, %q): got %v, want an error containing %q", tt.name, tt.src, err, tt.want)
		}
	}
	if _, err := b.withFiles([]Option{WithFile("a.json", schema), WithFile("a.json", schema)}); err == nil || !strings.Contains(err.Error(), `WithFile name "a.json" given twice`) {
		t.Errorf("a name twice: got %v", err)
	}
}

// TestCodeSynth bundles one entry for three stacks, as the per-environment
// stacks do, and checks that it is built once into a Lambda-runnable binary,
// with the file added by WithFile beside it.
func TestCodeSynth(t *testing.T) {
	mod := writeModule(t, map[string]string{"schema.json": `{"type":"object"}`})
	entry := filepath.Join(mod, "cmd/handler")
	outdir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	stacks := []string{"Dev", "Staging", "Prod"}
	for _, name := range stacks {
		stack := awscdk.NewStack(app, jsii.String(name), nil)
		code, err := Code(entry, WithFile("schema.json", filepath.Join(mod, "schema.json")))
		if err != nil {
			t.Fatal(err)
		}
		awslambda.NewFunction(stack, jsii.String("Consumer"), &awslambda.FunctionProps{
			Code:         code,
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String(handler),
		})
	}
	asm := app.Synth(nil)

	var keys []string
	for _, name := range stacks {
		tmpl := asm.GetStackByName(jsii.String(name)).Template().(map[string]any)
		for _, r := range tmpl["Resources"].(map[string]any) {
			res := r.(map[string]any)
			if res["Type"] == "AWS::Lambda::Function" {
				props := res["Properties"].(map[string]any)
				keys = append(keys, props["Code"].(map[string]any)["S3Key"].(string))
			}
		}
	}
	if len(keys) != len(stacks) || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Errorf("function code S3 keys: got %v, want one shared key per stack", keys)
	}

	assets, err := filepath.Glob(filepath.Join(outdir, "asset.*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(assets) != 1 {
		t.Fatalf("asset directories in cdk.out: got %v, want exactly one", assets)
	}
	if got, err := os.ReadFile(filepath.Join(assets[0], "schema.json")); err != nil || string(got) != `{"type":"object"}` {
		t.Errorf("schema.json in the asset: got %q, %v; want the file's content", got, err)
	}
	bootstrap := filepath.Join(assets[0], handler)
	fi, err := os.Stat(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("%s mode: got %v, want executable", bootstrap, fi.Mode())
	}
	f, err := elf.Open(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC {
		t.Errorf("%s: got machine %v type %v, want %v %v", bootstrap, f.Machine, f.Type, elf.EM_AARCH64, elf.ET_EXEC)
	}
}

// freshHashOf returns the hash of a new inspection of entry, as a new
// process would compute it.
func freshHashOf(t *testing.T, entry string) string {
	t.Helper()
	inspected.mu.Lock()
	clear(inspected.entries)
	inspected.mu.Unlock()
	return hashOf(t, entry)
}

// TestInspectReuse covers the per-process reuse of inspections: inspecting an
// unchanged entry again runs no go list, and after a change the next
// inspection gives what a new process would. Not parallel: it counts go list
// runs.
func TestInspectReuse(t *testing.T) {
	dir := writeModule(t, map[string]string{
		// An embedded directory, with a subdirectory that has no files yet.
		"shared/shared.go": `package shared

import "embed"

//go:embed static
var static embed.FS

func Greeting() string { b, _ := static.ReadFile("static/greeting.txt"); return string(b) }
`,
		"shared/static/greeting.txt": "hello\n",
	})
	if err := os.MkdirAll(filepath.Join(dir, "shared/static/empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "cmd/handler")
	prev := hashOf(t, entry)

	lists := listCalls.Load()
	if again := hashOf(t, entry); again != prev {
		t.Errorf("unchanged entry: got hash %s, want %s", again, prev)
	}
	if n := listCalls.Load() - lists; n != 0 {
		t.Errorf("unchanged entry: go list ran %d times, want 0 (reused)", n)
	}

	steps := []struct {
		name, file, content string
		wantChanged         bool
	}{
		{"file added to an embedded directory", "shared/static/other.txt", "other\n", true},
		{"file added to an empty embedded subdirectory", "shared/static/empty/new.txt", "new\n", true},
		{"unlinked package linked", "cmd/handler/main.go", "package main\n\nimport (\n\t\"example.com/fn/shared\"\n\t_ \"example.com/fn/unused\"\n)\n\nfunc main() { println(shared.Greeting()) }\n", true},
		{"newly linked package edited", "unused/unused.go", "package unused\n\nfunc F() {}\n", true},
		{"file added to the newly linked package", "unused/more.go", "package unused\n", true},
		{"go.sum added", "go.sum", "example.com/x v1.0.0 h1:AAAA=\n", false},
		{"go.work added", "go.work", "go 1.26\n\nuse .\n", false},
		{"test file added", "unused/unused_test.go", "package unused\n", false},
	}
	for _, s := range steps {
		writeFile(t, filepath.Join(dir, s.file), s.content)
		got := hashOf(t, entry)
		if fresh := freshHashOf(t, entry); got != fresh {
			t.Errorf("%s: reused inspection gave hash %s, a new one %s", s.name, got, fresh)
		}
		if changed := got != prev; changed != s.wantChanged {
			t.Errorf("%s: hash changed: got %v, want %v", s.name, changed, s.wantChanged)
		}
		prev = got
	}
}

// TestPrepare checks that Code reuses what Prepare started: one go list for
// both, and the hash of a new inspection. Not parallel: it counts go list runs.
func TestPrepare(t *testing.T) {
	entry := filepath.Join(writeModule(t, nil), "cmd/handler")
	lists := listCalls.Load()

	Prepare(entry)
	b, err := inspect(entry)
	if err != nil {
		t.Fatal(err)
	}
	preparing.Wait()

	if n := listCalls.Load() - lists; n != 1 {
		t.Errorf("go list ran %d times for Prepare and Code, want 1", n)
	}
	if fresh := freshHashOf(t, entry); b.hash != fresh {
		t.Errorf("after Prepare: got hash %s, want %s", b.hash, fresh)
	}
}
