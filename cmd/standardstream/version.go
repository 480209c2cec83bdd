package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the StandardStream module version this binary was built from",
		Example: "  standardstream version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), moduleVersion())
			return nil
		},
	}
}

// moduleVersion is the version of github.com/standardstream/standardstream
// in this binary: its tag when installed with go install or required by a
// team's module, "(devel)" when built inside this repository.
func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	const path = "github.com/standardstream/standardstream"
	if info.Main.Path == path {
		return info.Main.Version
	}
	for _, d := range info.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return "(unknown)"
}
