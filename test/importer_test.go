package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/internal/testdir"
)

// TestImportingApp is what a team sees: its own Go module imports the
// construct (testdata/importer, with a replace directive to this checkout),
// its cdk.json has the feature flags `cdk init` writes, its main.go has no
// recover, and the CDK CLI runs `cdk synth`. Every mistake, in two stacks, is
// reported at once, one message each naming the construct path, the field
// and the value; the compiler's output shows for the consumer that does not
// build; there is no Go panic or goroutine trace; synth fails.
func TestImportingApp(t *testing.T) {
	// Mostly the CDK CLI and the go command in other processes.
	t.Parallel()
	root := cdktest.Root(t)
	bin := filepath.Join(root, "node_modules", ".bin")
	if _, err := os.Stat(filepath.Join(bin, "cdk")); err != nil {
		t.Fatalf("the CDK CLI is not installed (%v); run `make deps`", err)
	}
	// The same directory on every run: `go run .` caches the app's
	// executable by its build inputs, the directory included.
	app := testdir.Stable(t, root, "importer-test")
	if err := os.CopyFS(app, os.DirFS(filepath.Join("testdata", "importer"))); err != nil {
		t.Fatal(err)
	}
	goMod := fmt.Sprintf("module example.com/orders\n\ngo 1.26.0\n\nrequire github.com/standardstream/standardstream v0.0.0\n\nreplace github.com/standardstream/standardstream => %s\n", root)
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	flags, err := os.ReadFile(filepath.Join(root, "node_modules", "aws-cdk", "lib", "init-templates", ".recommended-feature-flags.json"))
	if err != nil {
		t.Fatal(err)
	}
	cdkJSON, _ := json.Marshal(map[string]any{"app": "go run .", "context": json.RawMessage(flags)})
	for name, content := range map[string][]byte{"go.mod": []byte(goMod), "go.sum": goSum, "cdk.json": cdkJSON} {
		if err := os.WriteFile(filepath.Join(app, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(filepath.Join(bin, "cdk"), "synth", "--no-notices", "--no-version-reporting", "--quiet")
	cmd.Dir = app
	// The module cache and build cache are this checkout's (from the
	// environment); -mod=mod lets go fill in go.mod's requirements from them,
	// and GOPROXY=off keeps the network out.
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOFLAGS=-mod=mod", "GOPROXY=off", "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1")
	raw, err := cmd.CombinedOutput()
	out := string(raw)
	if err == nil {
		t.Fatalf("cdk synth succeeded, want it to fail:\n%s", out)
	}
	for _, trace := range []string{"goroutine", "panic:"} {
		if strings.Contains(out, trace) {
			t.Errorf("output contains %q, want no Go panic:\n%s", trace, out)
		}
	}
	if !strings.Contains(out, "Synthesis finished with errors") {
		t.Errorf("output does not say synthesis failed:\n%s", out)
	}

	got := synthErrors(out)
	want := []struct{ path, message string }{
		{"Orders/Orders", "retentionPeriod must be a whole number of hours between 24 and 8760, got 8761 hours"},
		{"Orders/Orders", `removalPolicy must be RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE, got "SNAPSHOT"`},
		{"Orders/Orders", "consumer.batchSize must be a whole number between 1 and 10000, got 20000"},
		{"Orders/Orders", "consumer.maxBatchingWindow must be a whole number of seconds, got 0.5 seconds"},
		{"Orders/Orders", "archive.bufferingInterval must be a whole number of seconds, got 60.5 seconds"},
		{"Orders/Orders", "GrantWrite: grantee must be a role, user, function or other IGrantable, got nil"},
		{"Payments/Payments", `consumer.entry "broken"`},
	}
	if len(got) != len(want) {
		t.Errorf("got %d synth errors, want %d, one per mistake:\n%s", len(got), len(want), out)
	}
	for _, w := range want {
		if !contains(got, w.path, w.message) {
			t.Errorf("no synth error at %s saying %q in:\n%s", w.path, w.message, out)
		}
	}
	// The compiler's own message for the consumer that does not build.
	if !contains(got, "Payments/Payments", "broken/main.go:5:2: undefined: undefinedHandler") {
		t.Errorf("the compiler's message is missing:\n%s", out)
	}
	if strings.Contains(out, "WARNING") {
		t.Errorf("synth warns, want only the errors:\n%s", out)
	}
}

// synthError is one error the CLI reports: its construct path and message.
type synthError struct{ path, message string }

// reportEntry matches one entry of the CLI's validation report:
//
//	ERROR <message, possibly several lines> (Annotation)
//	   <construct path> <construct type>
var reportEntry = regexp.MustCompile(`(?ms)^ERROR (.*?) \(Annotation\)\n\s+(\S+) `)

func synthErrors(out string) []synthError {
	var errs []synthError
	for _, m := range reportEntry.FindAllStringSubmatch(out, -1) {
		errs = append(errs, synthError{path: m[2], message: m[1]})
	}
	return errs
}

func contains(errs []synthError, path, message string) bool {
	for _, e := range errs {
		if e.path == path && strings.Contains(e.message, message) {
			return true
		}
	}
	return false
}
