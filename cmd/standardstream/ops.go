package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/ops"
)

// Helpers shared by the operations commands (redrive, replay, tail).

// progressWriter is where a command reports progress: stderr (a live bar
// when it is a terminal, periodic lines otherwise).
func progressWriter(cmd *cobra.Command) io.Writer { return cmd.ErrOrStderr() }

// isInputError reports whether err is, or holds, a mistake in the input.
func isInputError(err error) bool {
	var ie *ops.InputError
	return errors.As(err, &ie)
}

// opsError makes an *ops.InputError a usage error (exit status 2).
func opsError(err error) error {
	var ie *ops.InputError
	if errors.As(err, &ie) {
		return usageError{ie}
	}
	return err
}
