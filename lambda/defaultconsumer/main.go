// Command defaultconsumer is the StandardStream default consumer: the
// function a stream gets when ConsumerProps.Entry is not set. It fits any
// stream.
//
//   - Without a schema it accepts every record.
//   - When the stream has a DataModel, the construct bundles the schema file
//     (the one synth validates and the docs render) next to the binary as
//     schema.json, and each record must validate against it, formats
//     asserted; a record that does not fails with the validator's message,
//     e.g. "schema /properties/id/type: at /id: got number, want string".
//
// Either way, kinesisbatch logs and counts every batch, and reports failed
// records by sequence number so Lambda retries them and then sends them to
// the failure destination. A team that does real work per record writes its
// own consumer (see lambda/main.go, the typed reference consumer) and names
// it as ConsumerProps.Entry.
package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
)

// SchemaFile is the name of the schema the construct bundles next to the
// binary when the stream has a DataModel.
const SchemaFile = "schema.json"

// loadSchema compiles dir/schema.json; it returns nil when there is none,
// and an error naming the file when it is not a valid JSON Schema.
func loadSchema(dir string) (*schema.Schema, error) {
	path := filepath.Join(dir, SchemaFile)
	doc, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s, err := schema.Compile(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// accept is the Func: a record that reaches it has passed the schema, if any.
func accept(context.Context, kinesisbatch.Record) error { return nil }

// newHandler returns the handler, validating records against s if it is
// not nil.
func newHandler(s *schema.Schema, n int, opts ...kinesisbatch.Option) *kinesisbatch.Handler {
	opts = append([]kinesisbatch.Option{kinesisbatch.WithConcurrency(n)}, opts...)
	if s != nil {
		opts = append(opts, kinesisbatch.WithValidator(s.Validate))
	}
	return kinesisbatch.New(accept, opts...)
}

func run() (*kinesisbatch.Handler, error) {
	n, err := kinesisbatch.ConcurrencyFromEnv()
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	s, err := loadSchema(filepath.Dir(exe))
	if err != nil {
		return nil, err
	}
	return newHandler(s, n), nil
}

func main() {
	h, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
