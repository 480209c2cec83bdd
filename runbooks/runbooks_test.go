package runbooks_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/runbooks"
)

// TestEveryAlarmHasRunbook checks that every runbook an alarm of the
// construct names ships in this package, with the sections on-call needs.
// A runbook added under docs/runbooks/ instead of runbooks/ fails here.
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

func TestReadUnknown(t *testing.T) {
	if _, err := runbooks.Read("no-such.md"); err == nil || !bytes.Contains([]byte(err.Error()), []byte(`"no-such.md"`)) {
		t.Errorf("got %v, want an error naming the runbook", err)
	}
}
