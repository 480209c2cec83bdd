package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
	"github.com/standardstream/standardstream/scaffold"
)

func init() { register(newNewCmd) }

func newNewCmd() *cobra.Command {
	opts := scaffold.Options{}
	var classification string
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Add a stream (and, the first time, the CDK app) to your Go module",
		Long: `new adds the stream NAME to the Go module in --dir, which must require
github.com/standardstream/standardstream. If the module has no CDK app yet, it
creates one first: main.go, cdk.json, stacks/ with dev, staging and prod,
a Makefile, package.json pinning Node 22 and the CDK CLI, .gitignore, a
README and test/ (cdk-nag and snapshots of every stack).

For the stream it writes stacks/NAME.go (the StandardStream and its data
model), and consumers/NAME/: a JSON Schema with an example record, a
consumer built on lambda/kinesisbatch with a typed Event, a unit test and
test events. It then synthesizes the app and writes the snapshots
(test/testdata/) and docs/. Right after, make synth and make test pass.

NAME is lowercase letters, digits and single hyphens, starting with a
letter. new never overwrites a file you changed, nor snapshots that are not
current; --force does.`,
		Example: `  standardstream new orders
  standardstream new click-events --owner "Web team (#web)" --classification CONFIDENTIAL
  standardstream new payments --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if err := scaffold.ValidateName(opts.Name); err != nil {
				return usageError{err}
			}
			opts.Classification = spec.Classification(strings.ToUpper(classification))
			switch opts.Classification {
			case spec.ClassificationPublic, spec.ClassificationInternal, spec.ClassificationConfidential, spec.ClassificationPII:
			default:
				return usagef("--classification must be PUBLIC, INTERNAL, CONFIDENTIAL or PII, got %q", classification)
			}
			if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
				return usagef("--dir: %q is not a directory", opts.Dir)
			}
			opts.Log = cmd.ErrOrStderr()
			res, err := scaffold.New(cmd.Context(), opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			verb := map[bool]string{true: "would ", false: ""}[opts.DryRun]
			for _, p := range res.Created {
				fmt.Fprintf(out, "%screate %s\n", verb, p)
			}
			for _, p := range res.Overwritten {
				fmt.Fprintf(out, "%soverwrite %s\n", verb, p)
			}
			for _, p := range res.Generated {
				fmt.Fprintf(out, "%sgenerate %s\n", verb, p)
			}
			if opts.DryRun {
				return nil
			}
			fmt.Fprintf(out, "new: added stream %s (%d files, %d generated); next: make synth && make test\n", opts.Name, len(res.Created)+len(res.Overwritten), len(res.Generated))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Dir, "dir", ".", "root of your Go module (holding go.mod)")
	f.StringVar(&opts.App, "app", "", "name of the stacks (<app>-dev, ...) when the app is created (default: from the module path)")
	f.StringVar(&opts.Owner, "owner", "", "team accountable for the stream, for its data model (default: a TODO)")
	f.StringVar(&classification, "classification", string(spec.ClassificationInternal), "how sensitive the records are: PUBLIC, INTERNAL, CONFIDENTIAL or PII")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print what would be written, write nothing")
	f.BoolVar(&opts.Force, "force", false, "overwrite files you changed and snapshots that are not current")
	return cmd
}
