package ops

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// defaultProgressEvery is how often progress lines are written when the
// progress writer is not a terminal.
const defaultProgressEvery = 5 * time.Second

// progress reports long work on a writer (stderr): a live bar when it is a
// terminal, a line every interval otherwise (a CI log, a file).
type progress struct {
	w      io.Writer
	label  string
	status func() string // the counts so far

	bar  *progressbar.ProgressBar
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// newProgress starts reporting work of total units (objects) on w, or
// nothing when w is nil. status renders the counts so far.
func newProgress(w io.Writer, label string, total int, every time.Duration, status func() string) *progress {
	p := &progress{w: w, label: label, status: status, stop: make(chan struct{})}
	if w == nil {
		return p
	}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("objects"),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		return p
	}
	if every <= 0 {
		every = defaultProgressEvery
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintf(w, "%s: %s\n", label, status())
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// advance counts n units done.
func (p *progress) advance(n int) {
	if p.bar != nil {
		p.bar.Describe(p.label + ": " + p.status())
		_ = p.bar.Add(n)
	}
}

// finish stops reporting.
func (p *progress) finish() {
	p.once.Do(func() {
		close(p.stop)
		p.done.Wait()
		if p.bar != nil {
			_ = p.bar.Finish()
		}
	})
}
