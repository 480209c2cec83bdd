package test

import (
	"testing"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/docgen"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// TestDocsAreCurrent fails when a generated document (docs/streams/,
// docs/runbooks/, docs/architecture.svg, docs/construct.md) differs from
// what `standardstream docs` would write now, is missing, or is obsolete.
// The app is synthesized in process, bundled as `standardstream docs`
// synthesizes it through cdk.json (the synthesis TestSnapshots reads), and
// rendered by the same code.
func TestDocsAreCurrent(t *testing.T) {
	a, err := cdkapp.ReadAssembly(synthEnvironments(t))
	if err != nil {
		t.Fatal(err)
	}
	root := cdktest.Root(t)
	docs, err := docgen.Generate(a, root)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := docs["docs/streams/events.md"]; !ok || len(docs) < 12 {
		t.Fatalf("generated %d documents without docs/streams/events.md; the generator is broken", len(docs))
	}
	statuses, err := docgen.Check(root, docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range statuses {
		t.Errorf("%s is %s; run make docs and commit the result", s.Path, s.Problem)
	}
}
