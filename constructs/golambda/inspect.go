package golambda

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"golang.org/x/mod/modfile"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

// hashVersion is bumped when the hash inputs change, so old assets in cdk.out
// are not reused for a differently built binary.
const hashVersion = "golambda/2"

// listedPackage holds the fields of `go list -json` that inspect needs.
type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	Standard   bool
	DepOnly    bool
	GoFiles    []string
	CgoFiles   []string
	SFiles     []string
	HFiles     []string
	SysoFiles  []string
	EmbedFiles []string
	Module     *listedModule
	Error      *struct{ Err string }
}

type listedModule struct {
	Path    string
	Version string
	Dir     string
	GoMod   string
	Main    bool
	Replace *listedModule
}

// local reports whether the module's sources are files the user edits (the
// main module, a workspace module or a directory replacement) rather than a
// version fixed by go.sum.
func (m *listedModule) local() bool {
	return m.Main || (m.Replace != nil && m.Replace.Version == "")
}

// inspect validates entry, compiles its packages (without linking) and
// computes the asset hash.
func inspect(entry string) (*localBuilder, error) {
	dir, err := filepath.Abs(entry)
	if err != nil {
		return nil, fmt.Errorf("golambda: entry %q: %w", entry, err)
	}
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("golambda: entry %q: directory does not exist", entry)
	case err != nil:
		return nil, fmt.Errorf("golambda: entry %q: %w", entry, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("golambda: entry %q: not a directory", entry)
	}

	env, err := goEnv(dir)
	if err != nil {
		return nil, fmt.Errorf("golambda: entry %q: %w", entry, err)
	}
	// GOMOD is os.DevNull in module mode outside a module, empty with GO111MODULE=off.
	if env.GOMOD == "" || env.GOMOD == os.DevNull {
		return nil, fmt.Errorf("golambda: entry %q: not inside a Go module (no go.mod in it or any parent directory)", entry)
	}

	// Listing from the module root, as the build runs, makes compiler messages
	// name files by their path in the module.
	moduleDir := filepath.Dir(env.GOMOD)
	rel, err := filepath.Rel(moduleDir, dir)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("golambda: entry %q: not inside its module %s", entry, moduleDir)
	}
	key := cacheKey(dir, env)
	defer inspected.exclusive(key)()
	if b := inspected.lookup(key); b != nil {
		b.entry = entry
		return b, nil
	}
	pkgs, err := listDeps(moduleDir, "./"+filepath.ToSlash(rel))
	if err != nil {
		return nil, fmt.Errorf("golambda: entry %q: %w", entry, err)
	}
	var root *listedPackage
	for _, p := range pkgs {
		if !p.DepOnly {
			root = p
		}
	}
	switch {
	case root == nil:
		return nil, fmt.Errorf("golambda: entry %q: go list found no package", entry)
	case root.Name == "" && root.Error != nil:
		return nil, fmt.Errorf("golambda: entry %q: not a main package (%s)", entry, strings.TrimSpace(root.Error.Err))
	case root.Name != "main":
		return nil, fmt.Errorf("golambda: entry %q: not a main package (package %s)", entry, root.Name)
	case root.Module == nil:
		return nil, fmt.Errorf("golambda: entry %q: not inside a Go module", entry)
	}
	if msg := buildErrors(pkgs); msg != "" {
		return nil, fmt.Errorf("golambda: entry %q: build failed:\n%s", entry, msg)
	}
	// A missing func main is a link error, which the compile-only check misses
	// and which would otherwise only show up while bundling.
	if ok, err := hasFuncMain(root); err != nil {
		return nil, fmt.Errorf("golambda: entry %q: %w", entry, err)
	} else if !ok {
		return nil, fmt.Errorf("golambda: entry %q: package main has no func main", entry)
	}

	sums := map[string][sha256.Size]byte{}
	hash, err := hashPackages(env.GOVERSION, root, pkgs, sums)
	if err != nil {
		return nil, fmt.Errorf("golambda: entry %q: hash sources: %w", entry, err)
	}
	b := &localBuilder{
		entry:      entry,
		dir:        dir,
		moduleDir:  root.Module.Dir,
		importPath: root.ImportPath,
		hash:       hash,
	}
	// A failure to record only costs the reuse.
	if in, err := recordInputs(env, pkgs, sums); err == nil {
		inspected.store(key, b, in)
	}
	return b, nil
}

type goEnvVars struct {
	GOMOD     string
	GOWORK    string
	GOVERSION string
}

func goEnv(dir string) (goEnvVars, error) {
	var env goEnvVars
	out, err := runGo(dir, "env", "-json", "GOMOD", "GOWORK", "GOVERSION")
	if err != nil {
		return env, err
	}
	if err := json.Unmarshal(out, &env); err != nil {
		return env, fmt.Errorf("go env: %w", err)
	}
	return env, nil
}

// listDeps lists the package matching pattern and everything it imports, for the
// Lambda's platform and tags, so the file lists are exactly what the build
// compiles. -export makes go list compile every package (into Go's build
// cache, where the build in TryBundle finds them) and report compile errors
// per package, so one command both checks the code and feeds the hash.
func listDeps(moduleDir, pattern string) ([]*listedPackage, error) {
	listCalls.Add(1)
	args := []string{"list", "-e", "-deps", "-export",
		"-json=ImportPath,Name,Dir,Standard,DepOnly,GoFiles,CgoFiles,SFiles,HFiles,SysoFiles,EmbedFiles,Module,Error"}
	args = append(args, compileFlags...)
	args = append(args, pattern)
	out, err := runGo(moduleDir, args...)
	if err != nil {
		return nil, err
	}
	var pkgs []*listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		p := new(listedPackage)
		if err := dec.Decode(p); err == io.EOF {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list: decode output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// listCalls counts the go list runs, so tests can tell a reused inspection
// from a fresh one.
var listCalls atomic.Int64

func runGo(dir string, args ...string) ([]byte, error) {
	cmd := goCommand(dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// buildErrors joins the packages' load and compile errors, dependencies
// first, in the compiler's words.
func buildErrors(pkgs []*listedPackage) string {
	var msgs []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if p.Error == nil {
			continue
		}
		msg := strings.TrimSpace(p.Error.Err)
		if !seen[msg] {
			seen[msg] = true
			msgs = append(msgs, msg)
		}
	}
	return strings.Join(msgs, "\n")
}

func hasFuncMain(root *listedPackage) (bool, error) {
	fset := token.NewFileSet()
	for _, name := range root.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(root.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return false, err
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "main" {
				return true, nil
			}
		}
	}
	return false, nil
}

// hashPackages hashes everything that decides the binary's bytes. Files are
// named by module path plus slash-separated path inside the module, never by
// absolute path, so every checkout of a commit gets the same hash. Standard
// library packages are covered by the Go version, modules from the module
// cache by their version (go.sum pins their content).
//
// hashPackages adds the SHA-256 of every file it reads to sums, by absolute path.
func hashPackages(goVersion string, root *listedPackage, pkgs []*listedPackage, sums map[string][sha256.Size]byte) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", hashVersion)
	fmt.Fprintf(h, "go %s GOOS=%s GOARCH=%s CGO_ENABLED=0\n", goVersion, goos, goarch)
	fmt.Fprintf(h, "flags %q %q\n", compileFlags, linkFlags)
	fmt.Fprintf(h, "main %s\n", root.ImportPath)

	sorted := append([]*listedPackage(nil), pkgs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ImportPath < sorted[j].ImportPath })
	modules := map[string]bool{}
	for _, p := range sorted {
		if p.Standard {
			continue
		}
		m := p.Module
		if m == nil {
			return "", fmt.Errorf("package %s is not in a module", p.ImportPath)
		}
		if !modules[m.Path] {
			modules[m.Path] = true
			if err := hashModule(h, m); err != nil {
				return "", err
			}
		}
		if !m.local() {
			continue
		}
		rel, err := filepath.Rel(m.Dir, p.Dir)
		if err != nil {
			return "", err
		}
		for _, files := range [][]string{p.GoFiles, p.CgoFiles, p.SFiles, p.HFiles, p.SysoFiles, p.EmbedFiles} {
			for _, f := range files {
				name := path.Join(m.Path, filepath.ToSlash(rel), filepath.ToSlash(f))
				if err := hashFile(h, name, filepath.Join(p.Dir, f), sums); err != nil {
					return "", err
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashModule(h io.Writer, m *listedModule) error {
	switch {
	case m.Replace != nil && !m.local():
		fmt.Fprintf(h, "module %s@%s => %s@%s\n", m.Path, m.Version, m.Replace.Path, m.Replace.Version)
		return nil
	case !m.local():
		fmt.Fprintf(h, "module %s@%s\n", m.Path, m.Version)
		return nil
	}
	// Of go.mod, only the go, toolchain and godebug lines change the binary.
	// Requirements are covered by the versions of the linked modules, so a
	// dependency that only the CDK app uses does not redeploy the Lambda;
	// go.sum adds nothing (a version's content is fixed).
	gomod := m.GoMod
	if gomod == "" {
		gomod = filepath.Join(m.Dir, "go.mod")
	}
	data, err := os.ReadFile(gomod)
	if err != nil {
		return err
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", gomod, err)
	}
	fmt.Fprintf(h, "module %s (local)\n", m.Path)
	if f.Go != nil {
		fmt.Fprintf(h, "go %s\n", f.Go.Version)
	}
	if f.Toolchain != nil {
		fmt.Fprintf(h, "toolchain %s\n", f.Toolchain.Name)
	}
	for _, d := range f.Godebug {
		fmt.Fprintf(h, "godebug %s=%s\n", d.Key, d.Value)
	}
	return nil
}

func hashFile(h io.Writer, name, file string, sums map[string][sha256.Size]byte) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	sums[file] = sum
	fmt.Fprintf(h, "file %s %x\n", name, sum)
	return nil
}
