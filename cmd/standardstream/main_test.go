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
