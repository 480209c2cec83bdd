package audit

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming"
)

func TestExempt(t *testing.T) {
	templates := []string{filepath.Join("testdata", "destroy.template.json"), filepath.Join("testdata", "keyed.template.json")}
	const autoDelete = "Custom::S3AutoDeleteObjectsCustomResourceProvider"
	tests := []struct {
		finding Finding
		exempt  bool
	}{
		// Always.
		{Finding{Template: "destroy.template.json", Control: "CT.S3.PR.9", Path: "Dev/Orders/AccessLogs/Resource"}, true},
		{Finding{Template: "keyed.template.json", Control: "CT.S3.PR.9", Path: "Prod/Orders/AccessLogs/Resource"}, true},
		// With RemovalPolicy DESTROY: the stream's bucket and the singleton
		// CDK adds for it.
		{Finding{Template: "destroy.template.json", Control: "CT.S3.PR.9", Path: "Dev/Orders/Archive/Resource"}, true},
		{Finding{Template: "keyed.template.json", Control: "CT.S3.PR.9", Path: "Prod/Orders/Archive/Resource"}, false},
		{Finding{Template: "destroy.template.json", Control: "CT.LAMBDA.PR.3", Path: "Dev/" + autoDelete + "/Handler"}, true},
		{Finding{Template: "keyed.template.json", Control: "CT.LAMBDA.PR.3", Path: "Prod/" + autoDelete + "/Handler"}, false},
		// Without EncryptionKey.
		{Finding{Template: "destroy.template.json", Control: "CT.S3.PR.10", Path: "Dev/Orders/Archive/Resource"}, true},
		{Finding{Template: "keyed.template.json", Control: "CT.S3.PR.10", Path: "Prod/Orders/Archive/Resource"}, false},
		// Not a StandardStream's: a team's own bucket, a control no
		// exemption names, a resource without a construct path.
		{Finding{Template: "destroy.template.json", Control: "CT.S3.PR.9", Path: "Dev/TeamBucket/Resource"}, false},
		{Finding{Template: "destroy.template.json", Control: "CT.S3.PR.1", Path: "Dev/Orders/Archive/Resource"}, false},
		{Finding{Template: "destroy.template.json", Control: "CT.S3.PR.9", LogicalID: "Bucket"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.finding.String(), func(t *testing.T) {
			rest, used, err := Exempt([]Finding{tt.finding}, templates...)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rest) == 0; got != tt.exempt {
				t.Fatalf("got exempt %v, want %v", got, tt.exempt)
			}
			if tt.exempt {
				e := streaming.ControlTowerExemptions[used[0]]
				if e.Control != tt.finding.Control || e.Reason == "" {
					t.Errorf("exempted by %+v", e)
				}
			}
		})
	}
}

func TestExemptUsed(t *testing.T) {
	f := Finding{Template: "destroy.template.json", Control: "CT.S3.PR.2", Path: "Dev/Orders/AccessLogs/Resource"}
	_, used, err := Exempt([]Finding{f, f}, filepath.Join("testdata", "destroy.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.IndexFunc(streaming.ControlTowerExemptions, func(e streaming.ControlExemption) bool {
		return e.Control == "CT.S3.PR.2" && e.Resource == "AccessLogs"
	})
	if !slices.Equal(used, []int{want}) {
		t.Errorf("got used %v, want [%d]", used, want)
	}
}

func TestExemptMissingTemplate(t *testing.T) {
	if _, _, err := Exempt(nil, filepath.Join("testdata", "missing.template.json")); err == nil {
		t.Error("got no error for a missing template")
	}
}
