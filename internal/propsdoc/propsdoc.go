// Package propsdoc renders docs/construct.md from the Go source of package
// constructs/streaming and of its CDK-free model, constructs/streaming/spec
// (where DataModel and the enums are declared): every prop with its type,
// default and limits, taken from the doc comments that godoc shows, so the
// page and the code cannot disagree.
package propsdoc

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// Field is one documented field of a props struct.
type Field struct {
	Name, Type, Default, Doc string
}

// Struct is a props struct and its fields, in source order.
type Struct struct {
	Name, Doc string
	Fields    []Field
}

// Package is what the page shows of the construct package.
type Package struct {
	Structs []Struct
	// Enums are the string types with constants, e.g. FailureDestination.
	Enums []Enum
	// Construct lists the exported fields and methods of StandardStream.
	Construct []Field
}

// Enum is a string type and its constants.
type Enum struct {
	Name, Doc string
	Values    []Field // Name and Doc; Default holds the value
}

// documented are the structs the page covers, in reading order.
var documented = []string{"StandardStreamProps", "ConsumerProps", "ArchiveProps", "AlarmProps", "QueryProps", "AnalyticsProps", "DataModel"}

// modelDir is the directory, relative to the construct's, of package spec:
// the CDK-free part of the construct's model, where DataModel and the enums
// the props use are declared (package streaming aliases them).
const modelDir = "spec"

// Parse reads the package in dir and its model package in dir/spec (tests
// excluded).
func Parse(dir string) (*Package, error) {
	fset := token.NewFileSet()
	construct, err := parsePackage(fset, dir, "streaming", "github.com/standardstream/standardstream/constructs/streaming")
	if err != nil {
		return nil, err
	}
	model, err := parsePackage(fset, filepath.Join(dir, modelDir), "spec", "github.com/standardstream/standardstream/constructs/streaming/spec")
	if err != nil {
		return nil, err
	}
	out := &Package{}
	// An alias (type DataModel = spec.DataModel) documents nothing itself:
	// the page shows the declaration it names.
	var declared []*doc.Type
	for _, t := range append(append([]*doc.Type{}, construct.Types...), model.Types...) {
		if len(t.Decl.Specs) > 0 && t.Decl.Specs[0].(*ast.TypeSpec).Assign.IsValid() {
			continue
		}
		declared = append(declared, t)
	}
	sort.SliceStable(declared, func(i, j int) bool { return declared[i].Name < declared[j].Name })
	types := map[string]*doc.Type{}
	for _, t := range declared {
		types[t.Name] = t
	}
	for _, name := range documented {
		t, ok := types[name]
		if !ok {
			return nil, fmt.Errorf("propsdoc: type %s not found", name)
		}
		st, ok := structOf(t)
		if !ok {
			return nil, fmt.Errorf("propsdoc: %s is not a struct", name)
		}
		s := Struct{Name: name, Doc: oneLine(t.Doc)}
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				if !n.IsExported() {
					continue
				}
				def, text := splitDefault(f.Doc.Text())
				s.Fields = append(s.Fields, Field{Name: n.Name, Type: expr(fset, f.Type), Default: def, Doc: text})
			}
		}
		out.Structs = append(out.Structs, s)
	}
	for _, t := range declared {
		if id, ok := t.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.Ident); !ok || id.Name != "string" || len(t.Consts) == 0 {
			continue
		}
		e := Enum{Name: t.Name, Doc: oneLine(t.Doc)}
		for _, c := range t.Consts {
			for _, spec := range c.Decl.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					val := ""
					if i < len(vs.Values) {
						val = expr(fset, vs.Values[i])
					}
					e.Values = append(e.Values, Field{Name: n.Name, Default: val, Doc: oneLine(vs.Doc.Text())})
				}
			}
		}
		out.Enums = append(out.Enums, e)
	}
	if t, ok := types["StandardStream"]; ok {
		if st, ok := structOf(t); ok {
			for _, f := range st.Fields.List {
				for _, n := range f.Names {
					if n.IsExported() {
						out.Construct = append(out.Construct, Field{Name: n.Name, Type: expr(fset, f.Type), Doc: oneLine(f.Doc.Text())})
					}
				}
			}
		}
		for _, m := range t.Methods {
			out.Construct = append(out.Construct, Field{Name: m.Name + "()", Type: "method", Doc: oneLine(m.Doc)})
		}
		for _, f := range t.Funcs {
			out.Construct = append(out.Construct, Field{Name: f.Name + "()", Type: "func", Doc: oneLine(f.Doc)})
		}
	}
	return out, nil
}

// parsePackage reads package name in dir (tests excluded) with its doc
// comments.
func parsePackage(fset *token.FileSet, dir, name, importPath string) (*doc.Package, error) {
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("propsdoc: %w", err)
	}
	var files []*ast.File
	if p, ok := pkgs[name]; ok {
		for _, f := range p.Files {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("propsdoc: no package %s in %s", name, dir)
	}
	sort.Slice(files, func(i, j int) bool { return fset.File(files[i].Pos()).Name() < fset.File(files[j].Pos()).Name() })
	dp, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return nil, fmt.Errorf("propsdoc: %w", err)
	}
	return dp, nil
}

// Markdown renders the page for the package in dir.
func Markdown(dir string) ([]byte, error) {
	p, err := Parse(dir)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# The StandardStream construct\n\n")
	w("<!-- Generated by `standardstream docs` from constructs/streaming; do not edit. -->\n\n")
	w("`streaming.NewStandardStream(scope, id, props)` provisions the stream, its consumer, archive, dashboard and alarms. ")
	w("Every prop is optional unless it says otherwise; bad values stop synth with an error that names the prop and the value.\n\n")
	w("%s", errorsSection)
	for _, s := range p.Structs {
		w("## %s\n\n%s\n\n", s.Name, s.Doc)
		w("| Prop | Type | Default | Description and limits |\n| --- | --- | --- | --- |\n")
		for _, f := range s.Fields {
			w("| `%s` | `%s` | %s | %s |\n", f.Name, f.Type, cell(f.Default), cell(f.Doc))
		}
		w("\n")
	}
	for _, e := range p.Enums {
		w("## %s\n\n%s\n\n| Constant | Value | Meaning |\n| --- | --- | --- |\n", e.Name, e.Doc)
		for _, v := range e.Values {
			w("| `%s` | `%s` | %s |\n", v.Name, v.Default, cell(v.Doc))
		}
		w("\n")
	}
	w("## StandardStream\n\nWhat `NewStandardStream` returns: the resources, for extending the pattern, and the grants.\n\n")
	w("| Member | Type | Description |\n| --- | --- | --- |\n")
	for _, f := range p.Construct {
		w("| `%s` | `%s` | %s |\n", f.Name, f.Type, cell(f.Doc))
	}
	return b.Bytes(), nil
}

func structOf(t *doc.Type) (*ast.StructType, bool) {
	if len(t.Decl.Specs) == 0 {
		return nil, false
	}
	st, ok := t.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.StructType)
	return st, ok
}

// splitDefault separates the "@default ..." paragraph of a field comment
// from the rest.
func splitDefault(text string) (def, rest string) {
	var keep []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if strings.HasPrefix(para, "@default") {
			def = strings.TrimSpace(strings.TrimPrefix(para, "@default"))
			def = strings.TrimPrefix(def, "- ")
			def = strings.Join(strings.Fields(def), " ")
			continue
		}
		keep = append(keep, para)
	}
	return def, oneLine(strings.Join(keep, " "))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func expr(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	if err := formatNode(&b, fset, e); err != nil {
		return fmt.Sprintf("%T", e)
	}
	return b.String()
}

// errorsSection says how mistakes are reported and where Validate fits.
const errorsSection = `## Errors

A mistake never panics. ` + "`NewStandardStream`" + ` validates its props eagerly; each problem is
added to the construct as a CDK error annotation (` + "`awscdk.Annotations`" + `) that names
the field and the value, and the construct is then built from the defaults, so
your app goes on and every mistake of every stack is reported in one run. The
same holds for a consumer ` + "`Entry`" + ` that does not compile (the compiler's message
is the error) and for a nil grantee passed to ` + "`GrantWrite`" + ` or ` + "`GrantRead`" + `. The CDK
CLI then fails ` + "`cdk synth`" + ` and ` + "`cdk deploy`" + `, listing each error with the construct
path; your ` + "`main.go`" + ` needs no recover:

` + "```" + `
ERROR retentionPeriod must be a whole number of hours between 24 and 8760, got 8761 hours (Annotation)
   Orders/Orders constructs.Construct
   Rule Annotation::error-annotation

ERROR consumer.maxBatchingWindow must be a whole number of seconds, got 0.5 seconds (Annotation)
   Orders/Orders constructs.Construct
   Rule Annotation::error-annotation

ERROR consumer.entry "broken": golambda: entry "broken": build failed:
# example.com/orders/broken
broken/main.go:5:2: undefined: undefinedHandler (Annotation)
   Payments/Payments constructs.Construct
   Rule Annotation::error-annotation
Synthesis finished with errors
` + "```" + `

(That is the CLI's report with the feature flag ` + "`@aws-cdk/core:annotationsInValidationReport`" + `,
which ` + "`cdk init`" + ` turns on; without it the CLI prints ` + "`[Error at /Orders/Orders] retentionPeriod ...`" + `.)
The errors are the CLI's to report: the CLI tells the app not to throw on them
(` + "`@aws-cdk/core:failSynthOnValidationErrors`" + `). A program that calls ` + "`app.Synth`" + ` itself with
that flag on, such as a unit test with ` + "`cdk.json`" + `'s context, gets a ` + "`ValidationFailed`" + ` panic
from synth instead; test such props with ` + "`Validate`" + ` or by reading the annotations
(` + "`assertions.Annotations_FromStack`" + `).

` + "`streaming.Validate(props)`" + ` returns the same problems as one ` + "`*PropsError`" + `, one line per
problem (` + "`Unwrap() []error`" + ` gives each), without building anything: for a unit test
of a team's props, or for code that checks configuration before it builds a
stack. Durations that CloudFormation counts in whole units must be whole:
seconds for ` + "`Timeout`" + `, ` + "`MaxBatchingWindow`" + `, ` + "`MaxRecordAge`" + `, ` + "`BufferingInterval`" + ` and
` + "`ArchiveFreshnessThreshold`" + `, days for ` + "`TransitionAfter`" + `, ` + "`Expiration`" + ` and ` + "`ObjectLockRetention`" + `,
hours for ` + "`RetentionPeriod`" + `, milliseconds for ` + "`IteratorAgeThreshold`" + `. Values that are
unresolved tokens are not checked.

`
