package streaming

import (
	"encoding/json"
	"fmt"
	"os"

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
