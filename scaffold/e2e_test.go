package scaffold

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/standardstream/standardstream/internal/testdir"
)

// forTeams returns the commands of the first sh block of the README's
// "For teams" section, without comments.
func forTeams(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## For teams\n")
	if !ok {
		t.Fatal(`README.md has no "## For teams" section`)
	}
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatal(`README.md "For teams" has no sh block`)
	}
	block, _, _ = strings.Cut(block, "```")
	var cmds []string
	sc := bufio.NewScanner(strings.NewReader(block))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// TestForTeams runs the README's "For teams" commands in an empty module
// (.cache/teams-test) that requires this checkout: `standardstream new`
// twice, each time followed by the generated app's make synth and make test
// (go vet, the consumers' tests, the outside audits, the snapshots that new
// wrote, docs/ current), then make local. It shares this repository's
// node_modules and Go caches; -short skips it.
func TestForTeams(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the scaffold end-to-end test")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	nodeModules := filepath.Join(repo, "node_modules")
	if _, err := os.Stat(filepath.Join(nodeModules, ".installed")); err != nil {
		t.Fatal("node_modules is not installed; run make deps")
	}
	cmds := forTeams(t)
	want := []string{"go mod init", "go get -tool " + CLI, "go tool standardstream new", "make synth", "make test", "go tool standardstream new", "make test", "make local", "make deploy"}
	for i, w := range want {
		if i >= len(cmds) || !strings.HasPrefix(cmds[i], w) {
			t.Fatalf("README For teams: command %d is %q, want it to start with %q (commands: %q)", i+1, at(cmds, i), w, cmds)
		}
	}

	// The module's directory is the same on every run (emptied first), as a
	// team's is: the go command caches the app's executable (go run .) and
	// compiled packages by their inputs, the directory included, so only the
	// test's own inputs make it compile and link again.
	dir := testdir.Stable(t, repo, "teams-test")
	// In place of go mod init and go get: a module that requires this
	// checkout, with its go.sum so nothing is downloaded.
	gomod := "module example.com/orders\n\ngo 1.26.0\n\nrequire github.com/standardstream/standardstream v0.0.0\n\nreplace github.com/standardstream/standardstream => " + repo + "\n\ntool " + CLI + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	// What go get -tool leaves: go.mod requires what the tool imports.
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	// The pinned Node toolchain and CDK CLI, shared.
	if err := os.Symlink(nodeModules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	// The commands outside make (new) run jsii's Node.js as the generated
	// Makefile does, with build/jsii-node's flags.
	node := jsiiNode(t)
	// The commands' temporary files go to a directory of the test's own,
	// which must hold none of jsii's unpacked runtimes at the end: every
	// process that starts jsii stops it.
	tmp := t.TempDir()
	env := append(os.Environ(),
		"TMPDIR="+tmp,
		"PATH="+filepath.Join(nodeModules, ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"JSII_NODE="+node,
		"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1",
	)
	var steps []string
	for _, c := range cmds {
		if strings.HasPrefix(c, "go mod init") || strings.HasPrefix(c, "go get") || strings.HasPrefix(c, "make deploy") {
			continue // replaced above; deploying needs AWS
		}
		steps = append(steps, c)
	}
	outputs := map[string][]byte{}
	var mu sync.Mutex
	run := func(c string) error {
		start := time.Now()
		cmd := exec.Command("sh", "-c", c)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", c, err, out)
		}
		mu.Lock()
		outputs[c] = out
		mu.Unlock()
		// CPU time (user+sys of the step's whole process tree, as wait4
		// reports it) moves far less than wall time on a busy machine.
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		t.Logf("%s (%v wall, %v CPU)", c, time.Since(start).Round(100*time.Millisecond), cpu.Round(100*time.Millisecond))
		return nil
	}
	for i := 0; i < len(steps); i++ {
		c := steps[i]
		if strings.HasPrefix(c, "make") {
			// The shared node_modules is installed: keep make from running
			// npm ci (through the symlink) because new wrote package.json.
			old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, f := range []string{"package.json", "package-lock.json"} {
				if err := os.Chtimes(filepath.Join(dir, f), old, old); err != nil {
					t.Fatal(err)
				}
			}
		}
		// make synth and the make test after it, and make test and the
		// make local after it, read the app and write to separate places
		// (cdk.out, temporary directories), so each pair runs side by side:
		// on a small machine each step leaves a core idle part of the time.
		if i+1 < len(steps) && sideBySide(c, steps[i+1]) {
			errs := make(chan error, 1)
			go func() { errs <- run(steps[i+1]) }()
			err := run(c)
			if lerr := <-errs; lerr != nil {
				t.Error(lerr)
			}
			if err != nil {
				t.Fatal(err)
			}
			i++
			continue
		}
		if err := run(c); err != nil {
			t.Fatal(err)
		}
	}

	// make local ran both streams at once, each line naming its stream:
	// both had started before either finished, and each summary counts
	// no record lost.
	local := string(outputs[steps[len(steps)-1]])
	for _, id := range []string{"Orders", "Payments"} {
		offer := strings.Index(local, "local "+id+": offering ")
		summary := regexp.MustCompile(`(?m)^local ` + id + `: produced [1-9][0-9]*, handled [1-9][0-9]*, failure-destination [0-9]+, lost 0 in `).FindStringIndex(local)
		progress := regexp.MustCompile(`(?m)^local ` + id + `: +[0-9.]+s  produced `).MatchString(local)
		if offer < 0 || summary == nil || !progress {
			t.Errorf("make local: no start, progress or summary line (lost 0) for %s:\n%s", id, local)
			continue
		}
		for _, other := range []string{"Orders", "Payments"} {
			if o := strings.Index(local, "local "+other+": offering "); o > summary[0] {
				t.Errorf("make local: %s started after %s finished; the streams must run at once:\n%s", other, id, local)
			}
		}
	}

	if leaked, _ := filepath.Glob(filepath.Join(tmp, "jsii-runtime.*")); len(leaked) > 0 {
		t.Errorf("the commands left %d of jsii's unpacked runtimes in TMPDIR: %q", len(leaked), leaked)
	}

	// Both streams, each in every environment's snapshot and in docs/.
	for _, f := range []string{"stacks/orders.go", "stacks/payments.go", "consumers/orders/main.go", "consumers/payments/main.go",
		"docs/streams/orders.md", "docs/streams/payments.md", "docs/runbooks/iterator-age.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	golden, err := os.ReadFile(filepath.Join(dir, "test", "testdata", "Orders-prod.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{`"aws:cdk:path": "Orders-prod/Orders/Stream/Resource"`, `"aws:cdk:path": "Orders-prod/Payments/Stream/Resource"`, "Runbook: docs/runbooks/iterator-age.md"} {
		if !strings.Contains(string(golden), id) {
			t.Errorf("Orders-prod snapshot lacks %s", id)
		}
	}
}

// sideBySide reports whether README step next may run alongside step c.
func sideBySide(c, next string) bool {
	return strings.HasPrefix(c, "make synth") && strings.HasPrefix(next, "make test") ||
		strings.HasPrefix(c, "make test") && strings.HasPrefix(next, "make local")
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
