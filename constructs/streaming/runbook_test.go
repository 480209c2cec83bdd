package streaming_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
)

// With a RunbookBaseURL, every alarm's description and the Spec the docs
// are rendered from name the runbook under that URL, and the longest
// description still fits CloudWatch's 1024 characters (the longest
// description, of any option's alarm, is under 250).
func TestRunbookBaseURL(t *testing.T) {
	base := "https://wiki.example.com/" + strings.Repeat("r", 256-len("https://wiki.example.com/"))
	tpl, s, _ := synth(t, alarms(streaming.AlarmProps{RunbookBaseURL: jsii.String(base + "/")}))
	named := map[string]bool{}
	for id, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
		desc, _ := a["Properties"].(map[string]any)["AlarmDescription"].(string)
		if len(desc) > 1024 {
			t.Errorf("alarm %s: description of %d characters exceeds CloudWatch's 1024", id, len(desc))
		}
		i := strings.Index(desc, "Runbook: "+base+"/")
		if i < 0 {
			t.Errorf("alarm %s: description %q does not name a runbook under %s", id, desc, base)
			continue
		}
		named[strings.TrimPrefix(desc[i:], "Runbook: "+base+"/")] = true
	}
	if len(named) != len(s.Alarms) {
		t.Errorf("%d alarms name %d distinct runbooks under %s, want one each", len(s.Alarms), len(named), base)
	}
	for r := range named {
		if !slices.Contains(streaming.Runbooks, r) {
			t.Errorf("an alarm names %s/%s, which is not in streaming.Runbooks", base, r)
		}
	}
	for _, a := range s.Spec().Alarms {
		if !strings.HasPrefix(a.Runbook, base+"/") || strings.Contains(a.Runbook, "//"+"docs") {
			t.Errorf("Spec alarm %s: got runbook %q, want it under %s/", a.ID, a.Runbook, base)
		}
	}
}
