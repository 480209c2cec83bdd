// Package runbooks holds the runbooks that the alarms of a StandardStream
// name, as this version of the module ships them: one Markdown file per
// alarm, and README.md with what they share (resource names, the dashboard,
// Logs Insights queries).
//
// `standardstream docs` writes them into an app's repository under [Dir],
// where every alarm's description points by default, so the runbooks an
// on-call engineer opens are always those of the construct version that
// created the alarm. The Markdown files in this package's directory are the
// source; docs/runbooks/ of the StandardStream repository is generated from
// them like any app's.
package runbooks

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

// Dir is where `standardstream docs` writes the runbooks, relative to the
// root of the app's repository; alarm descriptions name
// "<Dir>/<runbook>" unless AlarmProps.RunbookBaseURL is set.
const Dir = "docs/runbooks"

// Index is the runbook that the others link to for shared setup.
const Index = "README.md"

//go:embed *.md
var files embed.FS

// Names returns the file name of every runbook, README.md included, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err) // an embed.FS root always reads
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Read returns the runbook called name, e.g. "iterator-age.md".
func Read(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("runbooks: no runbook %q in this StandardStream version", name)
	}
	return b, nil
}

// FS returns the runbooks as a read-only file system.
func FS() fs.FS { return files }
