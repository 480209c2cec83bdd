package ops

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// An InputError is a mistake in the operator's input: it names the
// command-line flag and the value it got.
type InputError struct {
	// Flag is the command-line flag, such as "--from".
	Flag string
	// Value is the value the flag got.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns `--flag: reason: "value"`.
func (e *InputError) Error() string {
	return fmt.Sprintf("%s: %s: %q", e.Flag, e.Reason, e.Value)
}

func inputErrorf(flag, value, format string, args ...any) *InputError {
	return &InputError{Flag: flag, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// apiCode returns the error code of an AWS API error, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
