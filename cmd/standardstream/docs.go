package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/docgen"
)

func init() { register(newDocsCmd) }

func newDocsCmd() *cobra.Command {
	var dir string
	var check, dryRun bool
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Write the stream documents, architecture diagram and runbooks of a CDK app",
		Long: `docs synthesizes the CDK app in --dir (the "app" command of its cdk.json,
without bundling) and writes, for every StandardStream in it:

  docs/streams/<stream>.md   its data model, settings per environment and alarms
  docs/architecture.svg      the architecture, drawn from the synthesized template
  docs/runbooks/*.md         the runbooks the alarms name, from this StandardStream version

Files that are already current are not touched. With --check it writes
nothing and exits 1, naming each file, when a document is stale, missing
or obsolete: run it in CI.`,
		Example: `  standardstream docs
  standardstream docs --check
  go run github.com/standardstream/standardstream/cmd/standardstream docs --dir ../orders-app`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if check && dryRun {
				return usagef("--check and --dry-run: give one of them, not both")
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usagef("--dir: %q is not a directory", dir)
			}
			errOut := cmd.ErrOrStderr()
			fmt.Fprintf(errOut, "docs: synthesizing the app in %s\n", dir)
			a, err := cdkapp.Synth(cmd.Context(), dir, cdkapp.Options{})
			if err != nil {
				return err
			}
			defer os.RemoveAll(a.Dir)
			docs, err := docgen.Generate(a, dir)
			if err != nil {
				return err
			}
			statuses, err := docgen.Check(dir, docs)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case check:
				for _, s := range statuses {
					fmt.Fprintf(out, "%s: %s\n", s.Path, s.Problem)
				}
				if len(statuses) > 0 {
					return fmt.Errorf("%d of %d documents are not current; run standardstream docs and commit the result", len(statuses), len(docs))
				}
				fmt.Fprintf(out, "docs: %d documents current\n", len(docs))
				return nil
			case dryRun:
				for _, s := range statuses {
					verb := "would write"
					if s.Problem == "obsolete" {
						verb = "would leave (obsolete; remove it)"
					}
					fmt.Fprintf(out, "%s %s (%s)\n", verb, s.Path, s.Problem)
				}
				return nil
			}
			written, err := docgen.Write(dir, docs)
			for _, p := range written {
				fmt.Fprintf(out, "wrote %s\n", p)
			}
			if err != nil {
				return err
			}
			for _, s := range statuses {
				if s.Problem == "obsolete" {
					fmt.Fprintf(errOut, "docs: %s is obsolete (no StandardStream or alarm needs it); remove it\n", s.Path)
				}
			}
			fmt.Fprintf(out, "docs: wrote %d of %d documents\n", len(written), len(docs))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "root of the CDK app (the directory holding cdk.json)")
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 if a document is stale, missing or obsolete")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be written, write nothing")
	return cmd
}
