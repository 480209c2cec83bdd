package audit_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/audit"
	"github.com/standardstream/standardstream/internal/jsiitest"
)

// TestMain stops jsii once the tests have run (package jsiitest says why).
func TestMain(m *testing.M) { jsiitest.Main(m) }

// One jsii synthesis audits both templates: the plain bucket has findings,
// the bucket whose template suppresses them (cdk_nag metadata) has none.
func TestNag(t *testing.T) {
	findings, err := audit.Nag(filepath.Join("testdata", "bucket.template.json"), filepath.Join("testdata", "suppressed.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(findings, func(f string) bool { return strings.HasPrefix(f, "AwsSolutions-S1 bucket/Template/Plain:") }) {
		t.Errorf("got %q, want AwsSolutions-S1 (no server access logs) on bucket/Template/Plain", findings)
	}
	for _, f := range findings {
		if strings.Contains(f, "suppressed/") {
			t.Errorf("got %q on the template that suppresses or meets every rule", f)
		}
	}
}

func TestNagErrors(t *testing.T) {
	if _, err := audit.Nag(); err == nil {
		t.Error("no templates: got no error")
	}
	_, err := audit.Nag(filepath.Join("testdata", "missing.template.json"))
	if err == nil || !strings.Contains(err.Error(), "missing.template.json") {
		t.Errorf("missing template: got %v, want an error naming it", err)
	}
}
