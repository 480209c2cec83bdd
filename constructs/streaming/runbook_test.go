package streaming_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/runbooks"
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

// TestEveryAlarmHasRunbook checks that every runbook an alarm of the
// construct names ships in package runbooks, with the sections on-call needs.
// A runbook added under docs/runbooks/ instead of runbooks/ fails here.
// (It lives here, not in package runbooks, so that runbooks' test binary
// does not link aws-cdk-go.)
func TestEveryAlarmHasRunbook(t *testing.T) {
	names := runbooks.Names()
	for _, name := range streaming.Runbooks {
		if !slices.Contains(names, name) {
			t.Errorf("runbook %s of an alarm is not in package runbooks (%v); add runbooks/%s", name, names, name)
			continue
		}
		raw, err := runbooks.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, section := range []string{"## What it means", "## First three things to check", "## Redrive"} {
			if !bytes.Contains(raw, []byte("\n"+section)) {
				t.Errorf("runbook %s lacks the section %q", name, section)
			}
		}
	}
}

// TestNoOrphanRunbooks checks the other way: every file is an alarm's
// runbook or the index, so a renamed alarm leaves no stale runbook behind.
func TestNoOrphanRunbooks(t *testing.T) {
	for _, name := range runbooks.Names() {
		if name != runbooks.Index && !slices.Contains(streaming.Runbooks, name) {
			t.Errorf("runbooks/%s is no alarm's runbook (streaming.Runbooks: %v)", name, streaming.Runbooks)
		}
	}
	index, err := runbooks.Read(runbooks.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range streaming.Runbooks {
		if !bytes.Contains(index, []byte("("+name+")")) {
			t.Errorf("%s does not link %s", runbooks.Index, name)
		}
	}
}
