package syncio

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentWrites: writes from many goroutines all arrive, whole, in
// a Buffer and through a Writer (run with -race to see the locking).
func TestConcurrentWrites(t *testing.T) {
	var buf Buffer
	var under strings.Builder
	w := NewWriter(&under)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line := fmt.Sprintf("line %02d\n", i)
			fmt.Fprint(&buf, line)
			fmt.Fprint(w, line)
			_ = buf.String()
		}()
	}
	wg.Wait()
	for name, got := range map[string]string{"Buffer": buf.String(), "Writer": under.String(), "Bytes": string(buf.Bytes())} {
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) != 50 {
			t.Fatalf("%s: %d lines, want 50:\n%s", name, len(lines), got)
		}
		for _, l := range lines {
			if len(l) != len("line 00") || !strings.HasPrefix(l, "line ") {
				t.Errorf("%s: interleaved line %q", name, l)
			}
		}
	}
}
