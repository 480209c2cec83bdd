package spec

import (
	"fmt"
	"path/filepath"
	"runtime"
)

// ConsumerSchemaFile is the name under which the stream's schema file
// (DataModel.Schema) is bundled next to the consumer's binary, in
// $LAMBDA_TASK_ROOT. The default consumer validates every record against it;
// any consumer may load it.
const ConsumerSchemaFile = "schema.json"

// DefaultConsumerEntry returns the directory of the default consumer, the
// default ConsumerProps.Entry (lambda/defaultconsumer of this module). It
// fits any stream: it accepts every record, or, when the stream has a
// DataModel, every record that validates against its schema (formats
// asserted), and it logs, counts and reports failures like any kinesisbatch
// consumer.
func DefaultConsumerEntry() (string, error) {
	return moduleDir("defaultconsumer", "lambda", "defaultconsumer")
}

// ReferenceConsumerEntry returns the directory of the reference consumer
// (lambda/ of this module): the typed consumer of the reference app's
// stream, whose Event and one-pass validating decoder schemagen generates
// from lambda/event.schema.json. It is the template a team copies; the
// reference app names it as its ConsumerProps.Entry.
func ReferenceConsumerEntry() (string, error) {
	return moduleDir("reference", "lambda")
}

// moduleDir returns a directory of this module, found relative to this
// package's source (constructs/streaming/spec), which the Go toolchain keeps
// on disk (in the module cache when imported).
func moduleDir(what string, elem ...string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", fmt.Errorf("consumer.entry: cannot locate the %s consumer (source path %q unavailable, built with -trimpath?); set ConsumerProps.Entry", what, file)
	}
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", ".."}, elem...)...), nil
}
