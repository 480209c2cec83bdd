package golambda

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// An app that builds the same entry several times (one stack per
// environment, or the many apps of a test binary) would run `go list -export`
// for it each time, about a second of CPU. inspect therefore remembers its
// result per entry for the life of the process and reuses it while nothing
// that go list read has changed since:
//
//   - the environment (every variable, and go env's GOMOD, GOWORK, GOVERSION);
//   - the content of every file the hash covers (Go, assembly, embedded and
//     other source files of the linked local packages);
//   - the names in every local package directory, and in every directory
//     below it that holds embedded files, so an added or removed file (which
//     may join the package or an embed pattern) is noticed;
//   - go.mod, go.sum and vendor/modules.txt of every local module, and
//     go.work and go.work.sum.
//
// These are exactly the inputs that can change which files are built or how,
// so a reused result has the hash a fresh go list would give. Only successful
// inspections are remembered; an error is recomputed every time. Checking
// costs a read of the linked local sources, a few milliseconds.
var inspected = &inspectCache{entries: map[string]*cachedInspect{}, running: map[string]*sync.Mutex{}}

type inspectCache struct {
	mu      sync.Mutex
	entries map[string]*cachedInspect // by cacheKey
	running map[string]*sync.Mutex    // by cacheKey, held while inspecting
}

// exclusive waits until no other inspection with key runs and returns the
// function that lets the next one run, so that concurrent inspections of one
// entry (Prepare, then Code) run go list once.
func (c *inspectCache) exclusive(key string) (done func()) {
	c.mu.Lock()
	m := c.running[key]
	if m == nil {
		m = new(sync.Mutex)
		c.running[key] = m
	}
	c.mu.Unlock()
	m.Lock()
	return m.Unlock
}

type cachedInspect struct {
	builder localBuilder
	inputs  inputs
}

// inputs is what an inspection read, with the content it saw.
type inputs struct {
	files  map[string][sha256.Size]byte // absolute path -> SHA-256
	absent map[string]bool              // absolute paths that did not exist
	dirs   map[string]string            // absolute path -> sorted, newline-separated names
}

// cacheKey identifies an inspection: the entry directory, the go command's
// view of the module and toolchain, and the whole environment.
func cacheKey(dir string, env goEnvVars) string {
	environ := os.Environ()
	slices.Sort(environ)
	return strings.Join(append([]string{dir, env.GOMOD, env.GOWORK, env.GOVERSION}, environ...), "\x00")
}

// lookup returns a copy of the remembered inspection for key, or nil when
// there is none or its inputs changed.
func (c *inspectCache) lookup(key string) *localBuilder {
	c.mu.Lock()
	e := c.entries[key]
	c.mu.Unlock()
	if e == nil || !e.inputs.unchanged() {
		return nil
	}
	b := e.builder
	return &b
}

func (c *inspectCache) store(key string, b *localBuilder, in inputs) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = &cachedInspect{builder: *b, inputs: in}
}

// unchanged reports whether every file still has the content and every
// directory still has the names recorded.
func (in inputs) unchanged() bool {
	for file, sum := range in.files {
		data, err := os.ReadFile(file)
		if err != nil || sha256.Sum256(data) != sum {
			return false
		}
	}
	for file := range in.absent {
		if _, err := os.Lstat(file); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	for dir, names := range in.dirs {
		got, err := listNames(dir)
		if err != nil || got != names {
			return false
		}
	}
	return true
}

// recordInputs returns the inputs of an inspection that listed pkgs with the
// go env in env. sums holds the SHA-256 of every file hashPackages read, so
// the cache checks the content the hash was computed from.
func recordInputs(env goEnvVars, pkgs []*listedPackage, sums map[string][sha256.Size]byte) (inputs, error) {
	in := inputs{files: map[string][sha256.Size]byte{}, absent: map[string]bool{}, dirs: map[string]string{}}
	for file, sum := range sums {
		in.files[file] = sum
	}
	addFile := func(file string) error {
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			in.absent[file] = true // its creation must be noticed too
			return nil
		}
		if err != nil {
			return err
		}
		in.files[file] = sha256.Sum256(data)
		return nil
	}
	addDir := func(dir string) error {
		if _, ok := in.dirs[dir]; ok {
			return nil
		}
		names, err := listNames(dir)
		if err != nil {
			return err
		}
		in.dirs[dir] = names
		return nil
	}

	if env.GOWORK != "" && env.GOWORK != "off" {
		for _, f := range []string{env.GOWORK, env.GOWORK + ".sum"} {
			if err := addFile(f); err != nil {
				return in, err
			}
		}
	}
	modules := map[string]bool{}
	for _, p := range pkgs {
		if p.Standard || p.Module == nil || !p.Module.local() {
			continue
		}
		if m := p.Module; !modules[m.Dir] {
			modules[m.Dir] = true
			for _, f := range []string{"go.mod", "go.sum", filepath.Join("vendor", "modules.txt")} {
				if err := addFile(filepath.Join(m.Dir, f)); err != nil {
					return in, err
				}
			}
		}
		if err := addDir(p.Dir); err != nil {
			return in, err
		}
		// An embed pattern naming a directory matches files added anywhere
		// below it, so every directory under an embedded file's top-level
		// directory is recorded.
		for _, f := range p.EmbedFiles {
			top, _, nested := strings.Cut(filepath.ToSlash(f), "/")
			if !nested {
				continue
			}
			root := filepath.Join(p.Dir, top)
			err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					return addDir(path)
				}
				return nil
			})
			if err != nil {
				return in, err
			}
		}
	}
	return in, nil
}

// listNames returns the names in dir, sorted and newline-separated, with a
// slash after each directory.
func listNames(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	for _, e := range entries { // os.ReadDir sorts by name
		b.WriteString(e.Name())
		if e.IsDir() {
			b.WriteByte('/')
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
