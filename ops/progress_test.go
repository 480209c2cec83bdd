package ops

import (
	"strings"
	"testing"
	"time"

	"github.com/standardstream/standardstream/internal/syncio"
)

// TestProgressWritesLinesWhenNotATerminal: progress to a file or a pipe is
// a line per interval with the counts, and nothing after finish.
func TestProgressWritesLinesWhenNotATerminal(t *testing.T) {
	var w syncio.Buffer
	p := newProgress(&w, "redrive", 10, time.Millisecond, func() string { return "objects 3, records 7" })
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(w.String(), "redrive: objects 3, records 7\n") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.advance(1)
	p.finish()
	p.finish() // idempotent
	got := w.String()
	if !strings.HasPrefix(got, "redrive: objects 3, records 7\n") {
		t.Fatalf("progress wrote %q", got)
	}
	time.Sleep(5 * time.Millisecond)
	if w.String() != got {
		t.Errorf("progress wrote after finish")
	}
	// No writer, no output and no goroutine to stop.
	newProgress(nil, "x", 1, time.Millisecond, func() string { return "" }).finish()
}
