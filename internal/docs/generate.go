// Package docs generates the documentation that is derived from code:
// docs/streams/<stream>.md for every stream of every environment, from the
// same config that deploys it, docs/construct.md from the construct's doc
// comments, and docs/architecture.svg from the synthesized templates. `make docs` writes the files; a test fails
// when the committed ones are stale.
package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/internal/docs/diagram"
	"github.com/standardstream/standardstream/internal/docs/propsdoc"
	"github.com/standardstream/standardstream/internal/docs/streamdoc"
	"github.com/standardstream/standardstream/stacks"
)

// Generate returns every generated document by its path relative to root,
// the repository root.
func Generate(root string) (map[string][]byte, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	ctx, err := stacks.Context(root)
	if err != nil {
		return nil, err
	}
	// No bundling: documents need the configuration, not the consumer binary.
	ctx["aws:cdk:bundling-stacks"] = []any{}
	out, err := os.MkdirTemp("", "docgen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(out)})
	deployments, err := stacks.Build(app, stacks.Environments())
	if err != nil {
		return nil, err
	}

	docs := map[string][]byte{}
	construct, err := propsdoc.Markdown(filepath.Join(root, "constructs", "streaming"))
	if err != nil {
		return nil, err
	}
	docs[filepath.Join("docs", "construct.md")] = construct
	byStream := map[string][]streamdoc.Env{}
	var order []string
	for _, d := range deployments {
		for _, s := range d.Streams {
			name := *s.Node().Id()
			if _, seen := byStream[name]; !seen {
				order = append(order, name)
			}
			byStream[name] = append(byStream[name], streamdoc.Env{Name: d.Env.Name, StackName: d.Env.StackName(), Spec: s.Spec()})
		}
	}
	// The diagram is drawn from the synthesized templates, so it shows what
	// deploys. One environment is enough: they share the shape.
	app.Synth(nil)
	first := deployments[0].Env.StackName()
	tpl, err := os.ReadFile(filepath.Join(out, first+".template.json"))
	if err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	svg, err := diagram.SVG(map[string][]byte{first: tpl})
	if err != nil {
		return nil, err
	}
	docs[filepath.Join("docs", "architecture.svg")] = svg

	for _, name := range order {
		md, err := streamdoc.Markdown(name, byStream[name], root)
		if err != nil {
			return nil, err
		}
		docs[filepath.Join("docs", "streams", strings.ToLower(name)+".md")] = md
	}
	return docs, nil
}
