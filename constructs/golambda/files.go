package golambda

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// An Option adds to the asset that Code builds.
type Option func(*options)

type options struct {
	files []extraFile
}

// extraFile is a file bundled next to the binary. Its content is read once,
// in Code, so the hash and the bundle see the same bytes.
type extraFile struct {
	name string // in the asset
	src  string // as the caller gave it, for errors
	data []byte
	sum  [sha256.Size]byte
}

// WithFile bundles the file src into the asset as name, next to bootstrap,
// where the function finds it at run time (in $LAMBDA_TASK_ROOT, /var/task),
// for example the stream's JSON Schema that a consumer loads at start. Its
// content takes part in the asset hash, so editing it redeploys the
// function. name must be a plain file name other than bootstrap.
func WithFile(name, src string) Option {
	return func(o *options) { o.files = append(o.files, extraFile{name: name, src: src}) }
}

// withFiles returns a copy of b that also bundles the options' files, with
// a hash over the binary's inputs and the files.
func (b *localBuilder) withFiles(opts []Option) (*localBuilder, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.files) == 0 {
		return b, nil
	}
	seen := map[string]bool{}
	for i := range o.files {
		f := &o.files[i]
		switch {
		case f.name == "" || f.name == "." || f.name == ".." || filepath.Base(f.name) != f.name || filepath.ToSlash(f.name) != f.name:
			return nil, fmt.Errorf("golambda: entry %q: WithFile name must be a plain file name, got %q", b.entry, f.name)
		case f.name == handler:
			return nil, fmt.Errorf("golambda: entry %q: WithFile name %q is the Lambda binary's", b.entry, f.name)
		case seen[f.name]:
			return nil, fmt.Errorf("golambda: entry %q: WithFile name %q given twice", b.entry, f.name)
		}
		seen[f.name] = true
		data, err := os.ReadFile(f.src)
		if err != nil {
			return nil, fmt.Errorf("golambda: entry %q: WithFile %q: %w", b.entry, f.name, err)
		}
		f.data, f.sum = data, sha256.Sum256(data)
	}
	sort.Slice(o.files, func(i, j int) bool { return o.files[i].name < o.files[j].name })
	h := sha256.New()
	fmt.Fprintf(h, "binary %s\n", b.hash)
	for _, f := range o.files {
		fmt.Fprintf(h, "file %s %x\n", f.name, f.sum)
	}
	c := *b
	c.files = o.files
	c.hash = hex.EncodeToString(h.Sum(nil))
	return &c, nil
}

// writeFiles writes the bundled files into the asset directory.
func (b *localBuilder) writeFiles(outputDir string) error {
	for _, f := range b.files {
		if err := os.WriteFile(filepath.Join(outputDir, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("golambda: entry %q: bundle %s: %w", b.entry, f.name, err)
		}
	}
	return nil
}
