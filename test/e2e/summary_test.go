package e2e

import "testing"

// TestSummaryLine pins the summary's form: scripts read it.
func TestSummaryLine(t *testing.T) {
	s := summary{produced: 4000, handled: 3990, failed: 124, duplicates: 2201, resets: 9, serverErrors: 9, throttled: 90, crashes: 6}
	want := "e2e: produced 4000, handled 3990, failure-destination 124, lost 0, duplicates 2201, order violations 0 (faults: resets 9, 5xx 9, throttled 90, crashes 6)"
	if got := s.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
