package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/standardstream/standardstream/internal/jsiitest"
	"github.com/standardstream/standardstream/stacks"
)

// TestMain stops jsii once the tests have run (package jsiitest says why).
func TestMain(m *testing.M) { jsiitest.Main(m) }

// An environment mistake reaches the user of `make synth` as one line that
// names the field and the value, with exit status 1 and no panic trace.
// (Props the construct rejects are synth errors that the CDK CLI reports;
// test/importer_test.go runs the CLI on them.)
func TestRunReportsMistakes(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*stacks.Environment)
		want   []string
	}{
		{"account", func(e *stacks.Environment) { e.Account, e.Region = "12345", "eu-west-1" }, []string{"account", `"12345"`}},
		{"retention", func(e *stacks.Environment) { e.Retention = 90 * time.Minute }, []string{"retention", "1h30m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := stacks.Lookup("dev")
			tt.mutate(&env)
			var stderr bytes.Buffer
			if code := run([]stacks.Environment{env}, &stderr); code != 1 {
				t.Errorf("got exit status %d, want 1", code)
			}
			out := stderr.String()
			if strings.Count(strings.TrimSpace(out), "\n") != 0 || strings.Contains(out, "goroutine") || strings.Contains(out, "panic") {
				t.Errorf("got %q, want one line without a trace", out)
			}
			for _, w := range append(tt.want, "standardstream: ") {
				if !strings.Contains(out, w) {
					t.Errorf("got %q, want it to contain %q", out, w)
				}
			}
		})
	}
}
