// Package schema validates Kinesis records against a stream's JSON Schema,
// for kinesisbatch.WithValidator. It is a separate package so that consumers
// that do not validate do not link a JSON Schema implementation.
//
//	s, err := schema.Compile(eventSchema) // e.g. a go:embed of the stream's schema file
//	h := kinesisbatch.New(handle, kinesisbatch.WithValidator(s.Validate))
package schema

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is a compiled JSON Schema (draft 4 to 2020-12).
type Schema struct {
	compiled *jsonschema.Schema
}

// Compile compiles a JSON Schema document. Formats are asserted: a
// "format": "date-time" rejects "yesterday" and accepts any RFC 3339 time,
// lowercase t and z included, in every draft (2019-09 and 2020-12 would
// otherwise treat formats as annotations only).
func Compile(schemaJSON []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("schema: not valid JSON: %w", err)
	}
	const url = "mem://record.schema.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema: not a valid JSON Schema: %w", err)
	}
	return &Schema{compiled: compiled}, nil
}

// Validate checks one record's data. The error names the schema path that
// failed and where in the record, e.g.
// "schema /properties/id/type: at /id: got number, want string".
func (s *Schema) Validate(data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("schema: record is not JSON: %w", err)
	}
	err = s.compiled.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return fmt.Errorf("schema: %w", err)
	}
	return describe(ve.BasicOutput())
}

// describe turns the basic output's leaf errors into one error, deepest
// schema path first in a stable order.
func describe(out *jsonschema.OutputUnit) error {
	var leaves []string
	for _, u := range out.Errors {
		if u.Error == nil || u.KeywordLocation == "" {
			continue
		}
		msg := u.Error.String()
		// Container keywords only say that a nested keyword failed; the
		// nested one is listed too.
		if strings.HasPrefix(msg, "validation failed") {
			continue
		}
		instance := u.InstanceLocation
		if instance == "" {
			instance = "/"
		}
		leaves = append(leaves, fmt.Sprintf("schema %s: at %s: %s", u.KeywordLocation, instance, msg))
	}
	if len(leaves) == 0 && out.Error != nil {
		leaves = append(leaves, "schema: "+out.Error.String())
	}
	sort.Strings(leaves)
	return fmt.Errorf("%s", strings.Join(leaves, "; "))
}
