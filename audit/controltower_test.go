package audit_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/standardstream/standardstream/audit"
	"github.com/standardstream/standardstream/internal/cdktest"
)

func TestCheck(t *testing.T) {
	findings, err := audit.ControlTower(cdktest.Root(t), filepath.Join("testdata", "bucket.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	has := func(control, id string) bool {
		return slices.ContainsFunc(findings, func(f audit.Finding) bool { return f.Control == control && f.LogicalID == id })
	}
	want := audit.Finding{Template: "bucket.template.json", Control: "CT.S3.PR.9", LogicalID: "Plain", Path: "Test/Plain/Resource"}
	if !slices.Contains(findings, want) {
		t.Errorf("got %v, want it to contain %v", findings, want)
	}
	if has("CT.S3.PR.9", "Locked") {
		t.Errorf("got %v; the bucket with Object Lock passes CT.S3.PR.9", findings)
	}
	// Both fail the encryption control: neither sets BucketEncryption.
	if !has("CT.S3.PR.10", "Locked") || !has("CT.S3.PR.10", "Plain") {
		t.Errorf("got %v, want CT.S3.PR.10 on both buckets", findings)
	}
	if got := want.String(); got != "CT.S3.PR.9 bucket.template.json: Test/Plain/Resource" {
		t.Errorf("got %q", got)
	}
}
