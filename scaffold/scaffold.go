// Package scaffold adds StandardStream streams to a team's Go module: what
// `standardstream new NAME` does.
//
// The first stream also creates the CDK app, in the shape of StandardStream's
// reference app: main.go, cdk.json with current feature flags, a stacks
// package with typed dev, staging and prod config, a Makefile with the
// Node 22 and CDK CLI pinned through package.json, .gitignore, a README and
// a test of every stack (cdk-nag and golden snapshots). Each stream adds
// stacks/<name>.go (its StandardStream with a DataModel), and a consumer
// main package in consumers/<name>/ built on lambda/kinesisbatch: a JSON
// Schema with an example record, the typed Event that lambda/schemagen
// generates from it (event_gen.go), a unit test and test events.
// Then the app is synthesized to write the snapshots and docs/.
//
// Every file comes from a text/template embedded in this package
// (templates/), and the test suite builds, synthesizes and tests what they
// produce. Nothing a user changed is overwritten: a file that exists and
// differs from what the scaffold wrote (recorded in ManifestFile) stops
// the run unless Force is set, and the snapshots are rewritten only when
// they match the app before the new stream.
package scaffold

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"unicode"

	"golang.org/x/mod/modfile"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/constructs/streaming/spec"
	"github.com/standardstream/standardstream/docgen"
	"github.com/standardstream/standardstream/lambda/schemagen"
)

// ModulePath is the module a team's go.mod must require.
const ModulePath = "github.com/standardstream/standardstream"

// ManifestFile records, at the module root, the streams the scaffold added
// and the SHA-256 of every file it wrote.
const ManifestFile = ".standardstream.json"

//go:embed templates
var templates embed.FS

// namePattern is what a stream name may be: it becomes part of paths, a Go
// identifier (camel-cased) and a CloudFormation construct ID.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

const maxNameLen = 40

// reserved are names whose stacks/<name>.go is a file of the app.
var reserved = []string{"config", "stack"}

// ValidateName checks a stream name: lowercase letters, digits and single
// hyphens, starting with a letter, at most 40 characters, and not one of
// the app's own files in stacks/ (config, stack).
func ValidateName(name string) error {
	if len(name) > maxNameLen || !namePattern.MatchString(name) {
		return fmt.Errorf("stream name %q is not valid: use 1-%d lowercase letters, digits and single hyphens, starting with a letter (e.g. orders, click-events)", name, maxNameLen)
	}
	if slices.Contains(reserved, name) {
		return fmt.Errorf("stream name %q is not valid: stacks/%s.go is the app's own file; choose another name", name, name)
	}
	return nil
}

// outputs are the suffixes of the stack outputs each stream adds, named
// <ID><suffix>; construct IDs in a stack must differ from them.
var outputs = []string{"StreamName", "StreamArn", "AlarmTopicArn"}

// collides returns the existing stream whose construct IDs (its own and its
// outputs') clash with those of the stream name, if any.
func collides(name string, existing []string) string {
	ids := func(n string) []string {
		id := camel(n)
		out := []string{id}
		for _, o := range outputs {
			out = append(out, id+o)
		}
		return out
	}
	mine := ids(name)
	for _, e := range existing {
		for _, id := range ids(e) {
			if slices.Contains(mine, id) {
				return e
			}
		}
	}
	return ""
}

// Options configure New.
type Options struct {
	// Dir is the root of the team's Go module (holding go.mod).
	Dir string
	// Name is the stream's name, e.g. "orders"; see ValidateName.
	Name string
	// App names the stacks (<App>-dev, ...) when the app is created.
	//
	// Default: the last element of the module path, camel-cased.
	App string
	// Owner is the team accountable for the stream, for its DataModel.
	//
	// Default: "TODO: the owning team".
	Owner string
	// Classification is how sensitive the records are.
	//
	// Default: spec.ClassificationInternal.
	Classification spec.Classification
	// DryRun reports what would be written and writes nothing.
	DryRun bool
	// Force overwrites files the user changed and snapshots that do not
	// match the app.
	Force bool
	// Log receives progress, one line per step.
	Log io.Writer
}

// Result is what New did (or, with DryRun, would do).
type Result struct {
	// Created and Overwritten are the template files, slash-separated
	// paths relative to Dir.
	Created, Overwritten []string
	// Generated are the snapshots and documents written from the
	// synthesized app.
	Generated []string
	// AppCreated is true when the CDK app was created.
	AppCreated bool
}

// manifest is the content of ManifestFile.
type manifest struct {
	App     string            `json:"app"`
	Streams []string          `json:"streams"`
	Files   map[string]string `json:"files"` // path -> sha256 hex
}

// appData is what the app templates see.
type appData struct {
	Module  struct{ Path, Base string }
	App     string
	NPMName string
}

// streamData is what the stream templates see.
type streamData struct {
	appData
	Name, ID, Func          string
	ConsumerDir, SchemaFile string
	SchemaPath              string
	Owner                   string
	ClassificationConst     string
	Records                 []testRecord
	PoisonSequence          string
}

type testRecord struct {
	Key, Sequence, Data, Arrival string
}

// file is one file to write.
type file struct {
	path    string // slash-separated, relative to the module root
	content []byte
}

// New adds the stream opts.Name to the module in opts.Dir, creating the CDK
// app first if the module has none.
//
// When the app exists, New synthesizes it as it is and refuses if a
// snapshot is not its current template, before writing anything. The
// app's `go run .` links once: while that check synthesizes, the app with
// the new stream compiles and links from the files New is about to write
// (as a build overlay), and the synthesis after writing finds that
// executable in Go's cache.
func New(ctx context.Context, opts Options) (*Result, error) {
	if err := ValidateName(opts.Name); err != nil {
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Classification == "" {
		opts.Classification = spec.ClassificationInternal
	}
	switch opts.Classification {
	case spec.ClassificationPublic, spec.ClassificationInternal, spec.ClassificationConfidential, spec.ClassificationPII:
	default:
		return nil, fmt.Errorf("classification must be PUBLIC, INTERNAL, CONFIDENTIAL or PII, got %q", string(opts.Classification))
	}
	if opts.Owner == "" {
		opts.Owner = "TODO: the owning team"
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	modPath, err := readModule(dir)
	if err != nil {
		return nil, err
	}

	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var files []file
	if m == nil {
		if _, err := os.Stat(filepath.Join(dir, cdkapp.ConfigFile)); err == nil {
			return nil, fmt.Errorf("%s exists in %s but the app was not created by standardstream new (no %s); add the stream by hand: see the StandardStream README", cdkapp.ConfigFile, dir, ManifestFile)
		}
		app := opts.App
		if app == "" {
			app = appName(modPath)
		}
		if !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`).MatchString(app) {
			return nil, fmt.Errorf("app name %q is not valid: use 1-64 letters and digits, starting with a letter", app)
		}
		m = &manifest{App: app, Files: map[string]string{}}
		res.AppCreated = true
	} else {
		if slices.Contains(m.Streams, opts.Name) {
			return nil, fmt.Errorf("stream %q already exists (stacks/%s.go); choose another name", opts.Name, opts.Name)
		}
		if other := collides(opts.Name, m.Streams); other != "" {
			return nil, fmt.Errorf("stream name %q gives construct IDs that clash with stream %q's (%s and its outputs); choose another name", opts.Name, other, camel(other))
		}
	}
	ad := appData{App: m.App, NPMName: strings.ToLower(m.App)}
	ad.Module.Path, ad.Module.Base = modPath, path.Base(modPath)
	if res.AppCreated {
		if files, err = renderTree("templates/app", ad, appPaths); err != nil {
			return nil, err
		}
	}
	sd, err := newStreamData(ad, opts)
	if err != nil {
		return nil, err
	}
	streamFiles, err := renderTree("templates/stream", sd, streamPaths(sd))
	if err != nil {
		return nil, err
	}
	files = append(files, streamFiles...)
	event, err := eventFile(sd)
	if err != nil {
		return nil, err
	}
	files = append(files, event)
	for _, rec := range []struct {
		name    string
		records []testRecord
	}{{"valid.json", sd.Records[:3]}, {"poison.json", sd.Records[3:]}} {
		sd.Records = rec.records
		b, err := render("templates/stream/consumer/testdata/event.json.tmpl", sd)
		if err != nil {
			return nil, err
		}
		files = append(files, file{path.Join(sd.ConsumerDir, "testdata", rec.name), b})
	}

	// Refuse before writing anything.
	var conflicts []string
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			res.Created = append(res.Created, f.path)
		case err != nil:
			return nil, err
		case bytes.Equal(old, f.content):
			// Already there, as it would be written (an interrupted run).
		case m.Files[f.path] == hash(old) || opts.Force:
			res.Overwritten = append(res.Overwritten, f.path)
		default:
			conflicts = append(conflicts, f.path)
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("refusing to overwrite %s: the file exists and was not written by standardstream new as it is now; move it away or pass --force", strings.Join(conflicts, ", "))
	}
	if !res.AppCreated && !opts.Force {
		// The app with the new stream compiles and links, without a file
		// written, while the app as it is synthesizes for the check: the
		// synthesis after writing then finds its binary in Go's cache.
		wait := func() {}
		if !opts.DryRun {
			wait = prebuild(ctx, dir, files)
		}
		err := checkSnapshots(ctx, dir, opts.Log)
		// Also after a refusal, so no build outlives New; the binary it
		// cached serves the run after the snapshots are fixed.
		wait()
		if err != nil {
			return nil, err
		}
	}
	if opts.DryRun {
		res.Generated = []string{"test/testdata/*.template.json", "docs/"}
		return res, nil
	}

	for _, f := range files {
		full := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := writeFile(full, f.content); err != nil {
			return nil, err
		}
		m.Files[f.path] = hash(f.content)
	}
	m.Streams = append(m.Streams, opts.Name)
	sort.Strings(m.Streams)
	if err := writeManifest(dir, m); err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Log, "new: wrote %d files for stream %s\n", len(files), opts.Name)

	if err := tidy(ctx, dir, opts.Log); err != nil {
		return nil, err
	}
	fmt.Fprintln(opts.Log, "new: synthesizing the app to write the snapshots and docs")
	a, err := cdkapp.Synth(ctx, dir, cdkapp.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w\nthe files are written; fix the error, then run go test ./test -update and standardstream docs", err)
	}
	defer os.RemoveAll(a.Dir)
	snapshots, err := snapshotFiles(a)
	if err != nil {
		return nil, err
	}
	for _, f := range snapshots {
		full := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(full, f.content, 0o644); err != nil {
			return nil, err
		}
		res.Generated = append(res.Generated, f.path)
	}
	docs, err := docgen.Generate(a, dir)
	if err != nil {
		return nil, err
	}
	written, err := docgen.Write(dir, docs)
	if err != nil {
		return nil, err
	}
	res.Generated = append(res.Generated, written...)
	return res, nil
}

// writeFile writes content to name; a script (starting with "#!") is
// executable.
func writeFile(name string, content []byte) error {
	mode := os.FileMode(0o644)
	if bytes.HasPrefix(content, []byte("#!")) {
		mode = 0o755
	}
	if err := os.WriteFile(name, content, mode); err != nil {
		return err
	}
	return os.Chmod(name, mode)
}

// appPaths maps an app template to the file it writes.
func appPaths(tmpl string) string {
	switch tmpl {
	case "gitignore", "cfnlintrc":
		return "." + tmpl
	}
	return tmpl
}

// streamPaths maps a stream template to the file it writes; "" skips it.
func streamPaths(sd streamData) func(string) string {
	return func(tmpl string) string {
		switch tmpl {
		case "stacks/stream.go":
			return "stacks/" + sd.Name + ".go"
		case "consumer/schema.json":
			return sd.SchemaPath
		case "consumer/testdata/event.json":
			return "" // rendered once per test event file
		}
		if rest, ok := strings.CutPrefix(tmpl, "consumer/"); ok {
			return path.Join(sd.ConsumerDir, rest)
		}
		return tmpl
	}
}

// eventFile returns consumers/<name>/event_gen.go: the typed Event of the
// stream's schema with its one-pass validating decoder, generated by
// schemagen as go generate would (the consumer's main.go carries the
// go:generate line, and its TestEventIsGenerated keeps the file fresh).
func eventFile(sd streamData) (file, error) {
	schema, err := render("templates/stream/consumer/schema.json.tmpl", sd)
	if err != nil {
		return file{}, err
	}
	src, err := schemagen.Generate(schema, "main", "Event")
	if err != nil {
		return file{}, fmt.Errorf("scaffold: the starter schema is outside schemagen's subset (a bug): %w", err)
	}
	return file{path.Join(sd.ConsumerDir, "event_gen.go"), src}, nil
}

// renderTree renders every template under root; to maps a template's path
// (relative to root, without .tmpl) to the file it writes.
func renderTree(root string, data any, to func(string) string) ([]file, error) {
	var out []file
	err := fs.WalkDir(templates, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl")
		dst := to(rel)
		if dst == "" {
			return nil
		}
		b, err := render(p, data)
		if err != nil {
			return err
		}
		out = append(out, file{dst, b})
		return nil
	})
	return out, err
}

func render(name string, data any) ([]byte, error) {
	t, err := template.New(path.Base(name)).Option("missingkey=error").ParseFS(templates, name)
	if err != nil {
		return nil, fmt.Errorf("scaffold: template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("scaffold: template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

func newStreamData(ad appData, opts Options) (streamData, error) {
	id := camel(opts.Name)
	sd := streamData{
		appData:             ad,
		Name:                opts.Name,
		ID:                  id,
		Func:                "new" + id,
		ConsumerDir:         "consumers/" + opts.Name,
		SchemaFile:          opts.Name + ".schema.json",
		Owner:               opts.Owner,
		ClassificationConst: "Classification" + camel(strings.ToLower(string(opts.Classification))),
	}
	if opts.Classification == spec.ClassificationPII {
		sd.ClassificationConst = "ClassificationPII"
	}
	sd.SchemaPath = path.Join(sd.ConsumerDir, sd.SchemaFile)
	// Test events: three valid records, then a batch whose second record is
	// not JSON and whose third breaks the schema (no key).
	const seqBase = "4964532938766123456789012345678901234567890123456"
	valid := func(i int, key string) string {
		return fmt.Sprintf(`{"id":"evt-%d","type":"%s.created","occurredAt":"2026-01-01T00:00:0%dZ","key":"%s","attributes":{"source":"test"}}`, i, opts.Name, i, key)
	}
	datas := []struct{ key, data string }{
		{"customer-1", valid(1, "customer-1")},
		{"customer-2", valid(2, "customer-2")},
		{"customer-1", valid(3, "customer-1")},
		{"customer-1", valid(4, "customer-1")},
		{"customer-2", "not json"},
		{"customer-3", fmt.Sprintf(`{"id":"evt-6","type":"%s.created","occurredAt":"2026-01-01T00:00:06Z"}`, opts.Name)},
		{"customer-1", valid(7, "customer-1")},
	}
	for i, d := range datas {
		sd.Records = append(sd.Records, testRecord{
			Key:      d.key,
			Sequence: fmt.Sprintf("%s%03d", seqBase, i+1),
			Data:     base64.StdEncoding.EncodeToString([]byte(d.data)),
			Arrival:  fmt.Sprintf("%d.0", 1767225600+i),
		})
	}
	sd.PoisonSequence = sd.Records[4].Sequence
	return sd, nil
}

// camel turns "click-events" into "ClickEvents".
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// appName derives the stacks' name from a module path:
// "example.com/orders-team" gives "OrdersTeam".
func appName(modPath string) string {
	n := camel(path.Base(modPath))
	if n == "" || !unicode.IsLetter(rune(n[0])) {
		n = "App" + n
	}
	return n
}

func readModule(dir string) (string, error) {
	gomod := filepath.Join(dir, "go.mod")
	raw, err := os.ReadFile(gomod)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no go.mod in %s: run standardstream new at the root of your Go module (go mod init, then go get %s/cmd/standardstream@latest)", dir, ModulePath)
	}
	if err != nil {
		return "", err
	}
	f, err := modfile.Parse(gomod, raw, nil)
	if err != nil {
		return "", err
	}
	if f.Module == nil {
		return "", fmt.Errorf("%s has no module line", gomod)
	}
	for _, r := range f.Require {
		if r.Mod.Path == ModulePath {
			return f.Module.Mod.Path, nil
		}
	}
	return "", fmt.Errorf("%s does not require %s; run go get %s/cmd/standardstream@latest first", gomod, ModulePath, ModulePath)
}

func readManifest(dir string) (*manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	if m.Files == nil {
		m.Files = map[string]string{}
	}
	return &m, nil
}

func writeManifest(dir string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CLI is the package of the standardstream command, which the app's go.mod
// lists as a tool (go tool standardstream), so the Makefile runs the CLI of
// the StandardStream version the app builds with.
const CLI = ModulePath + "/cmd/standardstream"

// tidy makes go.mod list the CLI as a tool and runs go mod tidy, so go.mod
// requires the modules whose packages the generated code imports (the CDK,
// jsii, aws-lambda-go, cdk-nag) at the versions StandardStream already
// selects, and go.sum has their sums.
func tidy(ctx context.Context, dir string, log io.Writer) error {
	fmt.Fprintf(log, "new: go mod edit -tool=%s && go mod tidy\n", CLI)
	if _, err := goCmd(ctx, dir, "mod", "edit", "-tool="+CLI); err != nil {
		return err
	}
	_, err := goCmd(ctx, dir, "mod", "tidy")
	return err
}

func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// snapshotFiles returns the golden snapshot of every stack of a.
func snapshotFiles(a *cdkapp.Assembly) ([]file, error) {
	var out []file
	for _, s := range a.Stacks {
		raw, err := a.Template(s)
		if err != nil {
			return nil, err
		}
		n, err := cdkapp.NormalizeTemplate(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, file{path.Join("test", "testdata", s.Name+".template.json"), n})
	}
	return out, nil
}

// goRunApp is the app command that New writes into cdk.json.
const goRunApp = "go run ."

// prebuild starts building the app in dir as it will be once files are
// written, without writing them: `go run` with the files as a build
// overlay, and with the program "run" by true, so it only compiles and
// links. go run caches the executable it links, keyed on the build's inputs
// (the overlay's content, not its location), so the app's own `go run .`
// after the files are written reuses it. It does nothing unless cdk.json
// runs the app with "go run .". wait returns when the build has ended; a
// failed build is left for the synthesis to report.
func prebuild(ctx context.Context, dir string, files []file) (wait func()) {
	nothing := func() {}
	if cfg, err := cdkapp.ReadConfig(dir); err != nil || strings.TrimSpace(cfg.App) != goRunApp {
		return nothing
	}
	tmp, err := os.MkdirTemp("", "standardstream-new-")
	if err != nil {
		return nothing
	}
	overlay := map[string]string{}
	for i, f := range files {
		if !strings.HasSuffix(f.path, ".go") {
			continue
		}
		name := filepath.Join(tmp, fmt.Sprintf("%d.go", i))
		if err := os.WriteFile(name, f.content, 0o644); err != nil {
			os.RemoveAll(tmp)
			return nothing
		}
		overlay[filepath.Join(dir, filepath.FromSlash(f.path))] = name
	}
	b, err := json.Marshal(map[string]any{"Replace": overlay})
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, "overlay.json"), b, 0o644)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nothing
	}
	cmd := exec.CommandContext(ctx, "go", "run", "-exec=true", "-overlay="+filepath.Join(tmp, "overlay.json"), ".")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nothing
	}
	return func() {
		cmd.Wait()
		os.RemoveAll(tmp)
	}
}

// checkSnapshots refuses to rewrite snapshots that do not match the app as
// it is: the snapshot test fails already, and rewriting would hide a change
// nobody reviewed.
func checkSnapshots(ctx context.Context, dir string, log io.Writer) error {
	fmt.Fprintln(log, "new: synthesizing the app to check its snapshots are current")
	a, err := cdkapp.Synth(ctx, dir, cdkapp.Options{})
	if err != nil {
		return err
	}
	defer os.RemoveAll(a.Dir)
	snaps, err := snapshotFiles(a)
	if err != nil {
		return err
	}
	var stale []string
	for _, f := range snaps {
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.path)))
		if err != nil || !bytes.Equal(old, f.content) {
			stale = append(stale, f.path)
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("refusing to rewrite %s: not the app's current template, so go test ./test fails already; review that change first (go test ./test -update), or pass --force", strings.Join(stale, ", "))
	}
	return nil
}
