package scan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/standardstream/standardstream/lambda/internal/jsonlex"
)

// Error is a record that is not valid JSON or breaks the schema.
type Error struct {
	// Keyword is the schema location of the keyword that failed, such as
	// /properties/id/minLength; empty when the record is not JSON.
	Keyword string
	// Instance is the JSON pointer of the failing value in the record; empty
	// for the record itself.
	Instance string
	// Message says what is wrong.
	Message string
	// Offset is the byte offset of a syntax error.
	Offset int
}

// Error formats e like package kinesisbatch/schema does, e.g.
// "schema /properties/id/type: at /id: got number, want string".
func (e *Error) Error() string {
	if e.Keyword == "" {
		return "schema: record is not JSON: " + e.Message
	}
	at := e.Instance
	if at == "" {
		at = "/"
	}
	return "schema " + e.Keyword + ": at " + at + ": " + e.Message
}

// Syntax reports whether e is a JSON syntax error rather than a schema
// violation.
func (e *Error) Syntax() bool { return e.Keyword == "" }

// Invalid returns a schema violation of the keyword at schema location
// keyword, for the value being read.
func Invalid(keyword, format string, args ...any) error {
	return &Error{Keyword: keyword, Message: fmt.Sprintf(format, args...)}
}

func (d *Decoder) syntaxError(want string) error {
	return fromLex(d.lx.SyntaxError(want))
}

// fromLex turns a *jsonlex.SyntaxError, the only error jsonlex returns, into
// an *Error, and nil into nil. It inlines, so the hot path pays one compare.
func fromLex(err error) error {
	if err == nil {
		return nil
	}
	e := err.(*jsonlex.SyntaxError)
	return &Error{Message: e.Msg, Offset: e.Offset}
}

// IsInvalid reports whether err is a schema violation, as opposed to a
// syntax error or nil. A decoder that meets one goes on reading, because a
// later duplicate key may replace the value that broke the schema.
func IsInvalid(err error) bool {
	var e *Error
	return errors.As(err, &e) && !e.Syntax()
}

// At prefixes the instance location of a schema violation with one
// reference token (an object's key or an array's index), escaped as JSON
// pointers require.
func At(err error, token string) error {
	var e *Error
	if errors.As(err, &e) && !e.Syntax() {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
		e.Instance = "/" + token + e.Instance
	}
	return err
}

// Missing returns the violation of a "required" keyword.
func Missing(keyword, property string) error {
	return Invalid(keyword, "missing property %q", property)
}

// Additional returns the violation of "additionalProperties": false.
func Additional(keyword string, key []byte) error {
	return Invalid(keyword, "additional property %q is not allowed", key)
}
