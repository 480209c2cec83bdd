package schemagen

import (
	"strings"
	"testing"
)

func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		name, schema, want string
	}{
		{"not JSON", `{`, "schema is not valid JSON"},
		{"invalid schema", `{"type":"object","properties":{"a":{"type":"string","minLength":-1}}}`, "not a valid JSON Schema"},
		{"top level not an object", `{"type":"string"}`, `/type: the top-level schema must have "type": "object"`},
		{"unsupported keyword", `{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}}`, `/properties/a/oneOf: keyword "oneOf" is not supported`},
		{"keyword of another type", `{"type":"object","properties":{"a":{"type":"integer","minimum":0,"maximum":1,"minLength":1}}}`, `/properties/a/minLength: keyword "minLength" is not supported for type integer`},
		{"keyword without type", `{"type":"object","properties":{"a":{"maxLength":3}}}`, `/properties/a/maxLength: keyword "maxLength" without "type" is not supported`},
		{"type list", `{"type":"object","properties":{"a":{"type":["string","null"]}}}`, `/properties/a/type: only a single type is supported`},
		{"null type", `{"type":"object","properties":{"a":{"type":"null"}}}`, `/properties/a/type: type "null" is not supported`},
		{"unsupported format", `{"type":"object","properties":{"a":{"type":"string","format":"uri"}}}`, `/properties/a/format: format "uri" is not supported`},
		{"additionalProperties schema", `{"type":"object","additionalProperties":{"type":"string"}}`, `/additionalProperties: only true or false is supported`},
		{"unbounded integer", `{"type":"object","properties":{"n":{"type":"integer","minimum":0}}}`, `/properties/n: an integer needs "minimum" and "maximum"`},
		{"integer beyond int64", `{"type":"object","properties":{"n":{"type":"integer","minimum":0,"maximum":1e19}}}`, `/properties/n/maximum: 1e19 is above int64's range`},
		{"non-string enum", `{"type":"object","properties":{"a":{"type":"string","enum":["x",1]}}}`, `/properties/a/enum/1: enum values of a string must be strings`},
		{"tuple items", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"a":{"type":"array","items":[{"type":"string"}]}}}`, `/properties/a/items: tuple items`},
		{"false schema", `{"type":"object","properties":{"a":false}}`, `/properties/a: the schema false`},
		{"old draft", `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}`, `/$schema: draft http://json-schema.org/draft-04/schema# is not supported`},
		{"$ref", `{"type":"object","$defs":{"x":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/x"}}}`, `/$defs: keyword "$defs" is not supported`},
		{"required not declared", `{"type":"object","required":["a"]}`, `/required: required property "a" is not in "properties"`},
		{"field collision", `{"type":"object","properties":{"a_b":{"type":"string"},"aB":{"type":"string"}}}`, `both become the Go field AB`},
		{"type collision", `{"type":"object","properties":{"b":{"type":"object","properties":{"c":{"type":"object"}}},"bC":{"type":"object"}}}`, `Go name EventBC is already used`},
		{"no letters", `{"type":"object","properties":{"--":{"type":"string"}}}`, `property name "--" has no letters or digits`},
		{"pattern Go cannot compile", `{"type":"object","properties":{"a":{"type":"string","pattern":"(?=x)"}}}`, "not a valid JSON Schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Generate([]byte(tt.schema), "events", "Event")
			if err == nil {
				t.Fatalf("got no error and %d bytes of code, want an error containing %q", len(src), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestGenerateNames(t *testing.T) {
	schema := []byte(`{"type":"object"}`)
	for _, tt := range []struct{ pkg, typ, want string }{
		{"1pkg", "Event", `package name must be a Go identifier, got "1pkg"`},
		{"events", "event", `type name must be an exported Go identifier, got "event"`},
		{"events", "Ev ent", `type name must be an exported Go identifier, got "Ev ent"`},
	} {
		if _, err := Generate(schema, tt.pkg, tt.typ); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Generate(%q, %q): got %v, want %q", tt.pkg, tt.typ, err, tt.want)
		}
	}
	if _, err := Generate(schema, "events", "Event"); err != nil {
		t.Errorf("an object without properties: %v", err)
	}
}

func TestGoIdent(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"id", "ID"}, {"occurredAt", "OccurredAt"}, {"orderId", "OrderID"}, {"order_id", "OrderID"},
		{"ip-address", "IPAddress"}, {"ip4", "IP4"}, {"HTTPStatus", "HTTPStatus"}, {"3d", "X3d"},
		{"a/b~c", "ABC"}, {"userURL", "UserURL"},
	} {
		got, err := goIdent(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("goIdent(%q): got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"z":{"type":"string","pattern":"^a"},"a":{"type":"number","minimum":1.5},"m":{"type":"array","items":{"type":"object","properties":{"q":{"type":"boolean"}}}}}}`)
	first, err := Generate(schema, "events", "Event")
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, _ := Generate(schema, "events", "Event")
		if string(again) != string(first) {
			t.Fatal("two runs generated different code")
		}
	}
	for _, want := range []string{"Z string `json:\"z,omitempty\"`", "type EventMItem struct", `scan.NewBound("1.5")`} {
		if !strings.Contains(string(first), want) && !strings.Contains(string(first), strings.Replace(want, "Z string", "Z *string", 1)) {
			t.Errorf("generated code lacks %s", want)
		}
	}
}
