package testdir

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStable(t *testing.T) {
	root := t.TempDir()
	var first string
	t.Run("first", func(t *testing.T) {
		first = Stable(t, root, "app")
		if err := os.WriteFile(filepath.Join(first, "left.txt"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("%s still exists after its test ended (%v)", first, err)
	}
	// A directory left by a run that was killed is emptied.
	if err := os.MkdirAll(first, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(first, "stale.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("second", func(t *testing.T) {
		dir := Stable(t, root, "app")
		if dir != first {
			t.Errorf("second run got %s, want the same directory %s", dir, first)
		}
		if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
			t.Errorf("second run's directory is not empty: %v, %v", entries, err)
		}
	})
	// The lock: a second holder waits until the first test ends.
	t.Run("lock", func(t *testing.T) {
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			t.Run("holder", func(t *testing.T) {
				Stable(t, root, "locked")
				close(held)
				<-release
			})
		}()
		<-held
		got, waited := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(waited)
			t.Run("waiter", func(t *testing.T) {
				Stable(t, root, "locked")
				close(got)
			})
		}()
		select {
		case <-got:
			t.Fatal("a second test got the directory while the first held it")
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		<-done
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("the second test did not get the directory after the first ended")
		}
		<-waited
	})
}
