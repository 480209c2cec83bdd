package suite

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/standardstream/standardstream/lambda/schemagen"
	"github.com/standardstream/standardstream/lambda/schemagen/scan"
)

// reference compiles the suite schema with the reference validator, format
// assertions on.
func reference(t testing.TB) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile("testdata/suite.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("suite.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("suite.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// referenceAccepts is what the reference says about a record.
func referenceAccepts(s *jsonschema.Schema, data []byte) (bool, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return false, err
	}
	if err := s.Validate(v); err != nil {
		return false, err
	}
	return true, nil
}

const base = `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`

// with returns base with the property key set to the raw JSON value.
func with(key, value string) string {
	return strings.TrimSuffix(base, "}") + `,"` + key + `":` + value + "}"
}

type parityCase struct {
	name   string
	record string
	accept bool
}

func depth(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

var cases = []parityCase{
	{"base", base, true},
	{"leading and trailing whitespace", " \n\t" + base + " \r\n", true},
	{"trailing garbage", base + "x", false},
	{"two values", base + " {}", false},
	{"truncated", base[:len(base)-1], false},
	{"byte order mark", "\xef\xbb\xbf" + base, false},
	{"empty", "", false},
	{"array root", `[]`, false},
	{"string root", `"x"`, false},
	{"null root", `null`, false},
	{"extra property", with("extra", "1"), false},
	{"missing required", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z"}`, false},
	{"required null", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":null}`, false},
	{"key escaped", `{"\u0069d":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"key with pointer characters", with("a/b~c", "true"), true},
	{"key case differs", `{"ID":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"trailing comma", strings.TrimSuffix(base, "}") + ",}", false},
	{"missing comma", `{"id":"ab" "kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"single quotes", `{'id':"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},

	// Duplicate keys: the reference parser keeps the last.
	{"duplicate, last valid", `{"id":1,"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"duplicate, last invalid", `{"id":"ab","id":1,"kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"duplicate nested", with("nested", `{"name":1,"name":"x"}`), true},
	{"duplicate object replaces", with("nested", `{"name":"x"}`) + "", true},
	{"duplicate object, last lacks required", strings.TrimSuffix(with("nested", `{"name":"x"}`), "}") + `,"nested":{"deep":{}}}`, false},
	{"duplicate array", strings.TrimSuffix(with("tags", `[1]`), "}") + `,"tags":["a"]}`, true},
	{"duplicate, both invalid", `{"id":1,"id":2,"kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"invalid then syntax error later", `{"id":1,"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":01}`, false},

	// Strings, lengths in code points.
	{"minLength", with("id", `"a"`), false},
	{"maxLength", with("id", `"abcdefgh"`), true},
	{"maxLength exceeded", with("id", `"abcdefghi"`), false},
	{"two code points", `{"id":"ü€","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"escaped code points", `{"id":"\u00fc\u20ac","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"surrogate pair is one code point", `{"id":"\ud83d\ude00","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"unpaired surrogate", `{"id":"a\ud800","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"invalid UTF-8 counts per byte", "{\"id\":\"a\xff\",\"kind\":\"a\",\"at\":\"2026-11-25T21:00:00Z\",\"count\":1}", true},
	{"invalid UTF-8 alone", "{\"id\":\"\xff\",\"kind\":\"a\",\"at\":\"2026-11-25T21:00:00Z\",\"count\":1}", false},
	{"control character", "{\"id\":\"a\x01\",\"kind\":\"a\",\"at\":\"2026-11-25T21:00:00Z\",\"count\":1}", false},
	{"bad escape", `{"id":"a\x","kind":"a","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"string as number", with("id", "12"), false},
	{"enum", `{"id":"ab","kind":"b","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"enum non-ASCII", `{"id":"ab","kind":"ü","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"enum escaped", `{"id":"ab","kind":"\u00fc","at":"2026-11-25T21:00:00Z","count":1}`, true},
	{"enum case", `{"id":"ab","kind":"A","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"enum missing value", `{"id":"ab","kind":"c","at":"2026-11-25T21:00:00Z","count":1}`, false},
	{"pattern", with("code", `"AB-12"`), true},
	{"pattern unanchored end", with("code", `"AB-12x"`), false},
	{"pattern case", with("code", `"ab-12"`), false},
	{"pattern escaped input", with("code", `"\u0041B-1"`), true},

	// date-time, as RFC 3339 and the reference allow.
	{"date-time lowercase", `{"id":"ab","kind":"a","at":"2026-11-25t21:00:00z","count":1}`, true},
	{"date-time fraction and offset", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00.123456789123+05:30","count":1}`, true},
	{"date-time space", `{"id":"ab","kind":"a","at":"2026-11-25 21:00:00Z","count":1}`, false},
	{"date-time words", `{"id":"ab","kind":"a","at":"yesterday","count":1}`, false},
	{"date-time not leap year", `{"id":"ab","kind":"a","at":"2026-02-29T00:00:00Z","count":1}`, false},
	{"date-time leap year", `{"id":"ab","kind":"a","at":"2024-02-29T00:00:00Z","count":1}`, true},
	{"date-time leap second", `{"id":"ab","kind":"a","at":"2026-12-31T23:59:60Z","count":1}`, true},
	{"date-time leap second wrong minute", `{"id":"ab","kind":"a","at":"2026-12-31T22:59:60Z","count":1}`, false},
	{"date-time leap second in UTC by offset", `{"id":"ab","kind":"a","at":"2026-12-31T00:59:60+01:00","count":1}`, true},
	{"date-time leap second not in UTC", `{"id":"ab","kind":"a","at":"2026-12-31T23:59:60+01:00","count":1}`, false},
	{"date-time no offset", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00","count":1}`, false},
	{"date-time hour 24", `{"id":"ab","kind":"a","at":"2026-11-25T24:00:00Z","count":1}`, false},
	{"date-time empty fraction", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00.Z","count":1}`, false},
	{"date-time offset without colon", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00+0530","count":1}`, false},
	{"date-time signed hour", `{"id":"ab","kind":"a","at":"2026-11-25T+1:00:00Z","count":1}`, true},
	{"date-time offset 24h", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00+24:00","count":1}`, false},
	{"date-time short year", `{"id":"ab","kind":"a","at":"226-11-25T21:00:00Z","count":1}`, false},
	{"date-time not a string", `{"id":"ab","kind":"a","at":20261125,"count":1}`, false},
	{"date-time enum", with("when", `"2026-01-01t00:00:00z"`), true},
	{"date-time enum other instant spelled differently", with("when", `"2026-01-01T00:00:00+00:00"`), false},
	{"date", with("day", `"2026-11-25"`), true},
	{"date month 13", with("day", `"2026-13-01"`), false},
	{"date short year", with("day", `"26-11-25"`), false},
	{"time", with("clock", `"21:00:00Z"`), true},
	{"time offset", with("clock", `"21:00:00+01:00"`), true},
	{"time no zone", with("clock", `"21:00:00"`), false},
	{"email", with("email", `"a@b.co"`), true},
	{"email consecutive dots", with("email", `"a..b@c.d"`), false},
	{"email quoted", with("email", `"\"q\"@x.y"`), true},
	{"email ipv4", with("email", `"a@[1.2.3.4]"`), true},
	{"email ipv6", with("email", `"a@[IPv6:::1]"`), true},
	{"email no at", with("email", `"no-at"`), false},
	{"hostname", with("host", `"example.com"`), true},
	{"hostname trailing dot", with("host", `"example.com."`), true},
	{"hostname hyphen", with("host", `"-bad.com"`), false},
	{"hostname empty label", with("host", `"a..b"`), false},
	{"hostname long label", with("host", `"`+strings.Repeat("a", 64)+`.com"`), false},
	{"ipv4", with("ip4", `"1.2.3.4"`), true},
	{"ipv4 leading zero", with("ip4", `"01.2.3.4"`), false},
	{"ipv4 above 255", with("ip4", `"256.1.1.1"`), false},
	{"ipv4 plus sign", with("ip4", `"+1.2.3.4"`), true},
	{"ipv4 three parts", with("ip4", `"1.2.3"`), false},
	{"ipv6", with("ip6", `"::1"`), true},
	{"ipv6 zone", with("ip6", `"fe80::1%eth0"`), false},
	{"ipv6 given ipv4", with("ip6", `"1.2.3.4"`), false},
	{"uuid", with("uuid", `"123e4567-e89b-12d3-a456-426614174000"`), true},
	{"uuid no dashes", with("uuid", `"123e4567e89b12d3a456426614174000"`), false},
	{"uuid bad hex", with("uuid", `"123e4567-e89b-12d3-a456-42661417400g"`), false},

	// Integers: a zero fraction is an integer; bounds are exact.
	{"integer zero", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":0}`, true},
	{"integer max", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1000}`, true},
	{"integer above max", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1001}`, false},
	{"integer below min", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":-1}`, false},
	{"integer minus zero", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":-0}`, true},
	{"integer 1.0", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1.0}`, true},
	{"integer 1.5", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1.5}`, false},
	{"integer exponent", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1e2}`, true},
	{"integer exponent above max", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1E4}`, false},
	{"integer fraction and exponent", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":10.5e1}`, true},
	{"integer zero with exponent", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":0.0e5}`, true},
	{"integer negative exponent", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1e-2}`, false},
	{"integer huge exponent", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":1e400}`, false},
	{"integer huge", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":100000000000000000000}`, false},
	{"integer leading zero", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":01}`, false},
	{"integer as string", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":"1"}`, false},
	{"integer plus sign", `{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z","count":+1}`, false},
	{"exclusive minimum fraction", with("delta", "-10"), true},
	{"exclusive minimum fraction below", with("delta", "-11"), false},
	{"exclusive maximum", with("delta", "9"), true},
	{"exclusive maximum reached", with("delta", "10"), false},
	{"int64 max", with("big", "9223372036854775807"), true},
	{"int64 max plus one", with("big", "9223372036854775808"), false},
	{"int64 min", with("big", "-9223372036854775808"), true},
	{"int64 min minus one", with("big", "-9223372036854775809"), false},
	{"int64 max by exponent", with("big", "9.223372036854775807e18"), true},

	// Numbers: bounds compared exactly, not as float64.
	{"number min", with("ratio", "0"), true},
	{"number max", with("ratio", "1"), true},
	{"number just above max", with("ratio", "1.0000000000000000000001"), false},
	{"number minus zero", with("ratio", "-0.0"), true},
	{"number tiny positive", with("ratio", "1e-400"), true},
	{"number tiny negative", with("ratio", "-1e-400"), false},
	{"number exclusive min", with("temp", "-273.15"), false},
	{"number just above exclusive min", with("temp", "-273.1499999999999999999"), true},
	{"number exclusive max", with("temp", "1e3"), false},
	{"number below exclusive max", with("temp", "999.9999"), true},
	{"number huge", with("free", "1e400"), true},
	{"number huge negative", with("free", "-1e400"), true},
	{"number as string", with("free", `"1"`), false},
	{"number bad", with("free", "1."), false},
	{"number bad exponent", with("free", "1e"), false},
	{"boolean true", with("flag", "true"), true},
	{"boolean false", with("flag", "false"), true},
	{"boolean as string", with("flag", `"true"`), false},
	{"boolean misspelt", with("flag", "tru"), false},
	{"boolean as number", with("flag", "1"), false},

	// Any value.
	{"any nested", with("any", `{"x":[1,{"y":null}],"x":2}`), true},
	{"any null", with("any", "null"), true},
	{"any broken", with("any", `{"x":}`), false},
	{"true schema", with("anyTrue", `"x"`), true},
	{"nesting at the limit", with("any", depth(9999)), true},
	{"nesting beyond the limit", with("any", depth(10000)), false},

	// Arrays.
	{"array", with("tags", `["a","bc"]`), true},
	{"array below minItems", with("tags", `[]`), false},
	{"array above maxItems", with("tags", `["a","b","c","d"]`), false},
	{"array item too long", with("tags", `["abcd"]`), false},
	{"array item wrong type", with("tags", `[1]`), false},
	{"array trailing comma", with("tags", `["a",]`), false},
	{"array of arrays", with("matrix", `[[1,2],[3],[]]`), true},
	{"array of arrays item out of range", with("matrix", `[[10]]`), false},
	{"array of arrays flat", with("matrix", `[1]`), false},
	{"array of objects", with("items", `[{"n":1},{"n":3,"other":true}]`), true},
	{"array of objects out of range", with("items", `[{"n":4}]`), false},
	{"array of objects missing required", with("items", `[{}]`), false},
	{"array of anything", with("anyItems", `[1,"x",null,{},[]]`), true},
	{"array not an array", with("anyItems", `{}`), false},

	// Objects.
	{"nested", with("nested", `{"name":"x"}`), true},
	{"nested missing required", with("nested", `{}`), false},
	{"nested closed", with("nested", `{"name":"x","deep":{"x":true}}`), true},
	{"nested closed extra", with("nested", `{"name":"x","deep":{"y":1}}`), false},
	{"nested open extra", with("nested", `{"name":"x","other":[1,2]}`), true},
	{"open object", with("open", `{"a":1}`), true},
	{"open object not an object", with("open", `[]`), false},
}

func TestParity(t *testing.T) {
	ref := reference(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			refOK, refErr := referenceAccepts(ref, []byte(tc.record))
			var r Record
			err := r.Decode([]byte(tc.record))
			if refOK != tc.accept {
				t.Errorf("reference validator: got accept %v (%v), want %v; the case is wrong", refOK, refErr, tc.accept)
			}
			if got := err == nil; got != tc.accept {
				t.Errorf("generated decoder: got accept %v (%v), want %v", got, err, tc.accept)
			}
			var se *scan.Error
			if err != nil && !errors.As(err, &se) {
				t.Errorf("got error %T %v, want a *scan.Error", err, err)
			}
		})
	}
}

// FuzzParity checks that the generated decoder and the reference validator
// accept the same records.
func FuzzParity(f *testing.F) {
	for _, tc := range cases {
		if len(tc.record) < 2000 {
			f.Add([]byte(tc.record))
		}
	}
	ref := reference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		refOK, refErr := referenceAccepts(ref, data)
		var r Record
		err := r.Decode(data)
		if refOK != (err == nil) {
			t.Fatalf("%q: reference accepts %v (%v), generated decoder accepts %v (%v)", data, refOK, refErr, err == nil, err)
		}
	})
}

func TestDecodeValues(t *testing.T) {
	rec := `{"id":"a\u00fcb","kind":"ü","at":"2026-11-25t21:00:00.5+01:30","count":1e2,
		"big":-9223372036854775808,"ratio":0.25,"free":-1e400,"flag":true,"any":{"x": [1]},
		"tags":["a"],"matrix":[[1,2],[]],"nested":{"name":"n","deep":{"x":false}},"items":[{"n":2}],
		"anyItems":[null]}`
	var r Record
	if err := r.Decode([]byte(rec)); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 21, 0, 0, 5e8, time.FixedZone("", 90*60))
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", r.ID, "aüb"},
		{"kind", r.Kind, "ü"},
		{"at", r.At.Equal(at), true},
		{"at offset", func() int { _, o := r.At.Zone(); return o }(), 90 * 60},
		{"count", r.Count, int64(100)},
		{"big", *r.Big, int64(-9223372036854775808)},
		{"ratio", *r.Ratio, 0.25},
		{"free", *r.Free < -1e308, true},
		{"flag", *r.Flag, true},
		{"any", string(r.Any), `{"x": [1]}`},
		{"tags", strings.Join(r.Tags, ","), "a"},
		{"matrix", len(r.Matrix) == 2 && len(r.Matrix[0]) == 2 && r.Matrix[0][1] == 2 && len(r.Matrix[1]) == 0, true},
		{"nested", r.Nested.Name, "n"},
		{"deep", *r.Nested.Deep.X, false},
		{"items", r.Items[0].N, int64(2)},
		{"anyItems", string(r.AnyItems[0]), "null"},
		{"absent optional", r.Email == nil && r.Delta == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// A later Decode resets what an earlier one set.
	if err := r.Decode([]byte(base)); err != nil {
		t.Fatal(err)
	}
	if r.Tags != nil || r.Nested != nil || r.Big != nil {
		t.Errorf("after a second Decode: got %+v, want optional fields reset", r)
	}
}

func TestErrorsNameKeywordAndPlace(t *testing.T) {
	tests := []struct {
		record, want string
	}{
		{with("items", `[{"n":1},{"n":4}]`), "schema /properties/items/items/properties/n/maximum: at /items/1/n: must be <= 3, but got 4"},
		{with("a/b~c", `1`), "schema /properties/a~1b~0c/type: at /a~1b~0c: got number, want boolean"},
		{`{"id":"ab","kind":"a","at":"yesterday","count":1}`, `schema /properties/at/format: at /at: "yesterday" is not valid date-time`},
		{with("extra", "1"), `schema /additionalProperties: at /: additional property "extra" is not allowed`},
		{`{"id":"ab","kind":"a","at":"2026-11-25T21:00:00Z"}`, `schema /required: at /: missing property "count"`},
		{`{"id":1,"kind":"a","at":"2026-11-25T21:00:00Z","count":1`, "schema: record is not JSON: unexpected end of input"},
	}
	for _, tt := range tests {
		var r Record
		err := r.Decode([]byte(tt.record))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.record, err, tt.want)
		}
	}
}

// TestGeneratedIsFresh fails when suite_gen.go is not what schemagen makes of
// the schema now; run go generate ./lambda/schemagen/... to update it.
func TestGeneratedIsFresh(t *testing.T) {
	schema, err := os.ReadFile("testdata/suite.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := schemagen.Generate(schema, "suite", "Record")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("suite_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("suite_gen.go is stale; run go generate ./lambda/schemagen/...")
	}
}
