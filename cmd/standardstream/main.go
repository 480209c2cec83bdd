// Command standardstream is the StandardStream command-line tool for the
// teams that import the construct: it scaffolds streams into a team's CDK
// app, generates their documentation, runs their consumers locally and
// carries the day-2 operations (redrive, replay, tail).
//
// Install it with
//
//	go install github.com/standardstream/standardstream/cmd/standardstream@latest
//
// or run it from any module that requires github.com/standardstream/standardstream:
//
//	go run github.com/standardstream/standardstream/cmd/standardstream help
//
// Every command takes -h. Data goes to stdout, progress and diagnostics to
// stderr; the exit status is 0 on success, 1 when the work failed and 2 on a
// usage error (a bad flag or argument).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed (records not put, stale docs, ...)
	exitUsage = 2 // bad flags or arguments
)

// commands are the subcommands, each added by an init function in its own
// file so that commands stay independent of each other.
var commands []func() *cobra.Command

// register adds a subcommand constructor; call it from an init function.
func register(c func() *cobra.Command) { commands = append(commands, c) }

// usageError marks an error as a usage mistake (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error; the message should name the flag or argument
// and the value it got.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "Run '%s -h' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	return exitFail
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "standardstream",
		Short: "Scaffold, document, run locally and operate StandardStream streams",
		Long: `standardstream is the command-line tool of StandardStream, the Go CDK
construct for production-grade Kinesis streams.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "standardstream" prints help rather than doing anything.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q", args[0])
			}
			return cmd.Help()
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	subs := make([]*cobra.Command, 0, len(commands))
	for _, c := range commands {
		subs = append(subs, c())
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
	for _, c := range subs {
		if c.Args == nil {
			c.Args = cobra.NoArgs
		}
		wrapArgs(c)
		root.AddCommand(c)
	}
	return root
}

// wrapArgs makes a positional-argument mistake a usage error.
func wrapArgs(c *cobra.Command) {
	args := c.Args
	c.Args = func(cmd *cobra.Command, a []string) error {
		if err := args(cmd, a); err != nil {
			return usageError{err}
		}
		return nil
	}
}
