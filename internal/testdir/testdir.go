// Package testdir gives tests that run the go command in a module of their
// own a directory that is the same on every run.
//
// The go command caches what it builds by its inputs, and the directory of
// a package is one of them (unless -trimpath): `go run .` in a fresh
// temporary directory links its executable again on every run, which for a
// CDK app is all of aws-cdk-go, about 1.5 s of CPU, for a binary that only
// the test's own inputs can change.
package testdir

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Stable returns the empty directory root/.cache/name (which ./... and the
// Makefile skip), locked against every other test binary that asks for it
// until t ends, and removed then. Whatever the directory held from an
// earlier run is removed first, so the test starts from an empty directory
// every time.
func Stable(t testing.TB, root, name string) string {
	t.Helper()
	dir := filepath.Join(root, ".cache", name)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.RemoveAll(dir)
		lock.Close() // releases the lock
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
