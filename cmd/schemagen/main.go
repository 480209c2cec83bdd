// Command schemagen writes the typed Go event and its one-pass validating
// decoder for a stream's JSON Schema (see package lambda/schemagen). Use it
// from go generate, next to the schema:
//
//	//go:generate go run github.com/standardstream/standardstream/cmd/schemagen -schema event.schema.json -type Event -o event_gen.go
//
// The package name defaults to that of the Go files in the output's
// directory (GOPACKAGE under go generate).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/standardstream/standardstream/lambda/schemagen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(args []string) error {
	fs := flag.NewFlagSet("schemagen", flag.ContinueOnError)
	schema := fs.String("schema", "", "the JSON Schema file (required)")
	typeName := fs.String("type", "", "the Go type of the event, exported (required)")
	out := fs.String("o", "", "the Go file to write (required)")
	pkg := fs.String("package", os.Getenv("GOPACKAGE"), "the Go package of the file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: schemagen -schema event.schema.json -type Event -o event_gen.go [-package main]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	switch {
	case *schema == "":
		return usageError{errors.New("-schema is required")}
	case *typeName == "":
		return usageError{errors.New("-type is required")}
	case *out == "":
		return usageError{errors.New("-o is required")}
	case *pkg == "":
		return usageError{errors.New("-package is required outside go generate")}
	}
	doc, err := os.ReadFile(*schema)
	if err != nil {
		return err
	}
	src, err := schemagen.Generate(doc, *pkg, *typeName)
	if err != nil {
		return fmt.Errorf("%s: %s", *schema, strings.TrimPrefix(err.Error(), "schemagen: "))
	}
	if old, err := os.ReadFile(*out); err == nil && bytes.Equal(old, src) {
		return nil // unchanged: keep the file's modification time
	}
	return os.WriteFile(*out, src, 0o644)
}
