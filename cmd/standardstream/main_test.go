package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs the command line and returns its exit status, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := runCLI(t, "help")
	if code != exitOK {
		t.Fatalf("help: exit %d, want %d", code, exitOK)
	}
	for _, c := range commands {
		name := c().Name()
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help does not list %q:\n%s", name, out)
		}
	}
}

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	for _, c := range commands {
		cmd := c()
		t.Run(cmd.Name(), func(t *testing.T) {
			if cmd.Example == "" {
				t.Errorf("%s has no example", cmd.Name())
			}
			code, out, _ := runCLI(t, cmd.Name(), "-h")
			if code != exitOK || !strings.Contains(out, "Usage:") {
				t.Errorf("%s -h: exit %d, output:\n%s", cmd.Name(), code, out)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"no-such-command"},
		{"version", "--no-such-flag"},
		{"version", "extra-argument"},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, exitUsage, errOut)
		}
		if !strings.Contains(errOut, "-h' for usage") {
			t.Errorf("%q: stderr %q does not point at -h", args, errOut)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != exitOK || strings.TrimSpace(out) == "" {
		t.Fatalf("version: exit %d, output %q", code, out)
	}
}

// Bad flags and arguments of new, docs and local are usage errors that name
// the flag or argument and the value, and nothing runs.
func TestTeamCommandUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"new"}, "accepts 1 arg"},
		{[]string{"new", "Orders_2"}, `"Orders_2"`},
		{[]string{"new", "orders", "--classification", "SECRET"}, `--classification must be PUBLIC, INTERNAL, CONFIDENTIAL or PII, got "SECRET"`},
		{[]string{"new", "orders", "--dir", dir + "/missing"}, `--dir: "` + dir + `/missing"`},
		{[]string{"docs", "--check", "--dry-run"}, "--check and --dry-run"},
		{[]string{"docs", "--dir", dir + "/missing"}, `--dir: "` + dir + `/missing"`},
		{[]string{"local", "--rate", "0"}, "--rate must be at least 1, got 0"},
		{[]string{"local", "--shards", "65"}, "--shards must be between 1 and 64, got 65"},
		{[]string{"local", "--duration", "0s"}, "--duration must be positive, got 0s"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d naming %q", tt.args, code, errOut, exitUsage, tt.want)
		}
	}
}

// Outside a module, new fails (exit 1) and says what to do.
func TestNewOutsideAModule(t *testing.T) {
	code, _, errOut := runCLI(t, "new", "orders", "--dir", t.TempDir())
	if code != exitFail || !strings.Contains(errOut, "no go.mod") {
		t.Errorf("exit %d, stderr %q; want exit 1 and no go.mod", code, errOut)
	}
}
