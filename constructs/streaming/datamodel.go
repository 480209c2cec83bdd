package streaming

import "github.com/standardstream/standardstream/constructs/streaming/spec"

// Schema is a stream's compiled record schema ([spec.Schema]).
type Schema = spec.Schema

// LoadSchema reads and compiles the JSON Schema at path, with format
// assertions on, and checks that its examples validate against it. It
// compiles with kinesisbatch/schema, as the default consumer does, so synth
// accepts exactly the records the consumer will.
func LoadSchema(path string) (*Schema, error) { return spec.LoadSchema(path) }

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
