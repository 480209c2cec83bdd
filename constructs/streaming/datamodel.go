package streaming

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is a stream's compiled record schema.
type Schema struct {
	// Path is the schema file as given in DataModel.Schema.
	Path string
	// Raw is the schema document.
	Raw map[string]any
	// Examples are the schema's example records, each valid against it.
	Examples []any

	compiled *jsonschema.Schema
}

// LoadSchema reads and compiles the JSON Schema at path, with format
// assertions on, and checks that its examples validate against it.
func LoadSchema(path string) (*Schema, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("schema file %q: %w", path, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("schema file %q is not valid JSON: %w", path, err)
	}
	// Formats are asserted, as the default consumer does, so an example
	// with "occurredAt": "yesterday" fails synth rather than every record.
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		return nil, fmt.Errorf("schema file %q: %w", path, err)
	}
	compiled, err := c.Compile(path)
	if err != nil {
		return nil, fmt.Errorf("schema file %q is not a valid JSON Schema: %w", path, err)
	}
	s := &Schema{Path: path, compiled: compiled}
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
	return s.compiled.Validate(record)
}

func (v *validator) dataModel(m *DataModel) *Schema {
	if m == nil {
		return nil
	}
	for _, f := range []struct {
		name  string
		value *string
	}{
		{"dataModel.owner", m.Owner}, {"dataModel.description", m.Description},
		{"dataModel.partitionKey", m.PartitionKey}, {"dataModel.partitionKeyRationale", m.PartitionKeyRationale},
	} {
		if f.value == nil || *f.value == "" {
			v.errorf("%s is required with a data model, got an empty value", f.name)
		}
	}
	switch m.Classification {
	case ClassificationPublic, ClassificationInternal, ClassificationConfidential, ClassificationPII:
	default:
		v.errorf("dataModel.classification must be PUBLIC, INTERNAL, CONFIDENTIAL or PII, got %q", string(m.Classification))
	}
	if m.Schema == nil || *m.Schema == "" {
		v.errorf("dataModel.schema is required with a data model, got an empty value")
		return nil
	}
	s, err := LoadSchema(*m.Schema)
	if err != nil {
		v.errorf("dataModel.schema: %v", err)
		return nil
	}
	return s
}
