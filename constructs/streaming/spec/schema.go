package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
)

// Schema is a stream's compiled record schema.
type Schema struct {
	// Path is the schema file as given in DataModel.Schema.
	Path string
	// Raw is the schema document.
	Raw map[string]any
	// Examples are the schema's example records, each valid against it.
	Examples []any

	compiled *schema.Schema
}

// LoadSchema reads and compiles the JSON Schema at path, with format
// assertions on, and checks that its examples validate against it. It
// compiles with kinesisbatch/schema, as the default consumer does, so synth
// accepts exactly the records the consumer will.
func LoadSchema(path string) (*Schema, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("schema file %q: %w", path, err)
	}
	s := &Schema{Path: path}
	if s.compiled, err = schema.Compile(raw); err != nil {
		return nil, fmt.Errorf("schema file %q: %w", path, err)
	}
	if err := json.Unmarshal(raw, &s.Raw); err != nil {
		return nil, fmt.Errorf("schema file %q must be a JSON object: %w", path, err)
	}
	examples, _ := s.Raw["examples"].([]any)
	for i, ex := range examples {
		if err := s.Validate(ex); err != nil {
			return nil, fmt.Errorf("schema file %q: examples[%d] does not validate: %w", path, i, err)
		}
	}
	s.Examples = examples
	return s, nil
}

// Validate checks one decoded record (as from json.Unmarshal into any)
// against the schema.
func (s *Schema) Validate(record any) error {
	data, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("schema %q: %w", s.Path, err)
	}
	return s.compiled.Validate(data)
}

// UnmarshalJSON decodes a Schema marshalled with encoding/json (as in the
// MetadataType entry) and compiles it again, so Validate works on it.
func (s *Schema) UnmarshalJSON(b []byte) error {
	type plain Schema
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Schema(p)
	if s.Raw == nil {
		return fmt.Errorf("schema %q: no schema document", s.Path)
	}
	raw, err := json.Marshal(s.Raw)
	if err != nil {
		return fmt.Errorf("schema %q: %w", s.Path, err)
	}
	if s.compiled, err = schema.Compile(raw); err != nil {
		return fmt.Errorf("schema %q: %w", s.Path, err)
	}
	return nil
}

// RawRecordColumn is the one column of the table when the stream has no
// DataModel: each archived line as a string, for json_extract and friends.
const RawRecordColumn = "record"

// Column is a column of the archive's table.
type Column struct {
	Name, Type string
}

// Columns returns the table's columns for schema: one per top-level
// property, named in lowercase (Athena's rule), with Hive types from the JSON
// Schema types; or the single string column RawRecordColumn when schema is
// nil or has no properties.
func Columns(schema *Schema) []Column {
	var props map[string]any
	if schema != nil {
		props, _ = schema.Raw["properties"].(map[string]any)
	}
	if len(props) == 0 {
		return []Column{{Name: RawRecordColumn, Type: "string"}}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	var cols []Column
	for _, n := range names {
		name := strings.ToLower(n)
		if seen[name] {
			continue // the JSON SerDe matches case-insensitively: one column serves both
		}
		seen[name] = true
		p, _ := props[n].(map[string]any)
		cols = append(cols, Column{Name: name, Type: hiveType(p)})
	}
	return cols
}

// hiveType maps a JSON Schema to a Hive (Athena DDL) type.
func hiveType(p map[string]any) string {
	switch p["type"] {
	case "integer":
		return "bigint"
	case "number":
		return "double"
	case "boolean":
		return "boolean"
	case "array":
		items, _ := p["items"].(map[string]any)
		return "array<" + hiveType(items) + ">"
	case "object":
		props, _ := p["properties"].(map[string]any)
		if len(props) == 0 {
			return "string"
		}
		names := make([]string, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, 0, len(names))
		for _, n := range names {
			c, _ := props[n].(map[string]any)
			parts = append(parts, strings.ToLower(n)+":"+hiveType(c))
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return "string"
}
