package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/standardstream/standardstream/lambda/schemagen/scan"
)

// kind is the Go shape a schema maps to.
type kind int

const (
	kindObject kind = iota
	kindString
	kindDateTime // a string with format date-time, held as time.Time
	kindInteger
	kindNumber
	kindBoolean
	kindArray
	kindRaw // no type: any JSON value, kept as json.RawMessage
)

// node is one schema of the supported subset.
type node struct {
	ptr         string // JSON pointer of the schema in the document
	name        string // Go base name: the type of an object, the suffix of its decode function
	kind        kind
	description string

	// object
	props      []*prop
	additional bool // additionalProperties is not false

	// string
	enum                 []string
	format               string
	minLength, maxLength *int64
	pattern              *string
	lengthKeywords       [2]string // schema locations of minLength, maxLength

	// integer: the effective inclusive range, and the keyword that set each end
	imin, imax       int64
	iminKw, imaxKw   string
	iminLit, imaxLit string // the keyword's value, for messages

	// number
	bounds []numBound

	// array
	items              *node
	minItems, maxItems *int64
}

// numBound is one of minimum, maximum, exclusiveMinimum, exclusiveMaximum.
type numBound struct {
	keyword string // minimum, ...
	value   string // the JSON number
}

type prop struct {
	name     string // JSON key
	goName   string // Go field name
	required bool
	node     *node
}

// annotations are keywords that do not constrain records.
var annotations = []string{"title", "description", "examples", "$comment", "default", "deprecated", "readOnly", "writeOnly"}

// keywordsFor lists, by "type", the keywords the generator implements.
var keywordsFor = map[string][]string{
	"object":  {"properties", "required", "additionalProperties"},
	"string":  {"enum", "format", "minLength", "maxLength", "pattern"},
	"integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
	"number":  {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
	"boolean": {},
	"array":   {"items", "minItems", "maxItems"},
}

// drafts are the $schema values accepted: drafts whose keywords above mean
// what the generated code does (draft-04's boolean exclusiveMinimum does not).
var drafts = []string{
	"https://json-schema.org/draft/2020-12/schema",
	"https://json-schema.org/draft/2019-09/schema",
	"http://json-schema.org/draft-07/schema",
	"http://json-schema.org/draft-07/schema#",
}

// errorf returns an error about the keyword at ptr.
func errorf(ptr, format string, args ...any) error {
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Errorf("schemagen: %s: %s", ptr, fmt.Sprintf(format, args...))
}

// escape escapes a JSON pointer reference token.
func escape(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

// parseSchema checks the document with the reference validator, then reads
// it into nodes, refusing what the generator does not implement.
func parseSchema(schemaJSON []byte, typeName string) (*node, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("schemagen: schema is not valid JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "mem://schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schemagen: %w", err)
	}
	if _, err := c.Compile(url); err != nil {
		return nil, fmt.Errorf("schemagen: not a valid JSON Schema: %w", err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, errorf("", "the schema must be an object, got %s", jsonKind(doc))
	}
	if v, ok := root["$schema"]; ok {
		if s, _ := v.(string); !slices.Contains(drafts, s) {
			return nil, errorf("/$schema", "draft %v is not supported (supported: 2020-12, 2019-09, draft-07)", v)
		}
	}
	order, err := keyOrder(schemaJSON)
	if err != nil {
		return nil, fmt.Errorf("schemagen: schema is not valid JSON: %w", err)
	}
	g := &parser{names: map[string]string{}, order: order}
	n, err := g.node(root, "", typeName, true)
	if err != nil {
		return nil, err
	}
	if n.kind != kindObject {
		return nil, errorf("/type", "the top-level schema must have \"type\": \"object\"")
	}
	return n, nil
}

type parser struct {
	names map[string]string   // Go name -> schema pointer that took it
	order map[string][]string // JSON pointer of each object -> its keys in document order
}

// keyOrder returns the keys of every object in the document, in the order
// they are written, by the object's JSON pointer, so that struct fields
// follow the schema's order.
func keyOrder(doc []byte) (map[string][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	order := map[string][]string{}
	var walk func(ptr string) error
	walk = func(ptr string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				if !slices.Contains(order[ptr], key) {
					order[ptr] = append(order[ptr], key)
				}
				if err := walk(ptr + "/" + escape(key)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(ptr + "/" + strconv.Itoa(i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	return order, walk("")
}

func (g *parser) claim(name, ptr string) error {
	if other, ok := g.names[name]; ok {
		return errorf(ptr, "Go name %s is already used by the schema at %s; rename a property", name, pointerOrRoot(other))
	}
	g.names[name] = ptr
	return nil
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// node reads the schema v at ptr.
func (g *parser) node(v any, ptr, name string, root bool) (*node, error) {
	if err := g.claim(name, ptr); err != nil {
		return nil, err
	}
	n := &node{ptr: ptr, name: name}
	switch s := v.(type) {
	case bool:
		if !s {
			return nil, errorf(ptr, "the schema false (no value allowed) is not supported; remove the property or set \"additionalProperties\": false")
		}
		n.kind = kindRaw
		return n, nil
	case map[string]any:
		return n, g.object(n, s, root)
	default:
		return nil, errorf(ptr, "a schema must be an object or a boolean, got %s", jsonKind(v))
	}
}

func (g *parser) object(n *node, s map[string]any, root bool) error {
	ptr := n.ptr
	n.description, _ = s["description"].(string)
	allowed := slices.Clone(annotations)
	if root {
		allowed = append(allowed, "$schema", "$id")
	}
	t, hasType := s["type"]
	typ := ""
	if hasType {
		var ok bool
		if typ, ok = t.(string); !ok {
			return errorf(ptr+"/type", "only a single type is supported, got %s", compactJSON(t))
		}
		allowed = append(allowed, "type")
		allowed = append(allowed, keywordsFor[typ]...)
	}
	for _, k := range sortedKeys(s) {
		if slices.Contains(allowed, k) {
			continue
		}
		if !hasType {
			for t, kws := range keywordsFor {
				if slices.Contains(kws, k) {
					return errorf(ptr+"/"+escape(k), "keyword %q without \"type\" is not supported; add \"type\" (%q applies to %s values)", k, k, t)
				}
			}
		}
		return errorf(ptr+"/"+escape(k), "keyword %q is not supported for %s (supported: %s)", k, typeOrAny(typ), strings.Join(keywordsFor[typ], ", "))
	}
	switch typ {
	case "":
		n.kind = kindRaw
	case "object":
		return g.objectType(n, s)
	case "string":
		return g.stringType(n, s)
	case "integer":
		return g.integerType(n, s)
	case "number":
		n.kind = kindNumber
		for _, k := range []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} {
			if v, ok := s[k]; ok {
				n.bounds = append(n.bounds, numBound{keyword: k, value: v.(json.Number).String()})
			}
		}
	case "boolean":
		n.kind = kindBoolean
	case "array":
		return g.arrayType(n, s)
	default:
		return errorf(ptr+"/type", "type %q is not supported (supported: object, string, integer, number, boolean, array)", typ)
	}
	return nil
}

func typeOrAny(t string) string {
	if t == "" {
		return "a schema without \"type\""
	}
	return "type " + t
}

func (g *parser) objectType(n *node, s map[string]any) error {
	n.kind = kindObject
	n.additional = true
	if a, ok := s["additionalProperties"]; ok {
		b, isBool := a.(bool)
		if !isBool {
			return errorf(n.ptr+"/additionalProperties", "only true or false is supported, got a schema")
		}
		n.additional = b
	}
	props, _ := s["properties"].(map[string]any)
	var required []string
	if r, ok := s["required"].([]any); ok {
		for _, v := range r {
			required = append(required, v.(string))
		}
	}
	for _, r := range required {
		if _, ok := props[r]; !ok {
			return errorf(n.ptr+"/required", "required property %q is not in \"properties\"; declare it there with its type", r)
		}
	}
	if len(props) > 64 {
		return errorf(n.ptr+"/properties", "at most 64 properties per object are supported, got %d", len(props))
	}
	fields := map[string]string{}
	for _, name := range g.order[n.ptr+"/properties"] {
		ptr := n.ptr + "/properties/" + escape(name)
		goName, err := goIdent(name)
		if err != nil {
			return errorf(ptr, "%v", err)
		}
		if other, ok := fields[goName]; ok {
			return errorf(ptr, "properties %q and %q both become the Go field %s; rename one", other, name, goName)
		}
		fields[goName] = name
		child, err := g.node(props[name], ptr, n.name+goName, false)
		if err != nil {
			return err
		}
		n.props = append(n.props, &prop{name: name, goName: goName, required: slices.Contains(required, name), node: child})
	}
	return nil
}

func (g *parser) stringType(n *node, s map[string]any) error {
	n.kind = kindString
	if e, ok := s["enum"]; ok {
		for i, v := range e.([]any) {
			str, ok := v.(string)
			if !ok {
				return errorf(fmt.Sprintf("%s/enum/%d", n.ptr, i), "enum values of a string must be strings, got %s", compactJSON(v))
			}
			n.enum = append(n.enum, str)
		}
	}
	if f, ok := s["format"]; ok {
		n.format, _ = f.(string)
		if !slices.Contains(scan.Formats, n.format) {
			return errorf(n.ptr+"/format", "format %q is not supported (supported: %s)", n.format, strings.Join(scan.Formats, ", "))
		}
		if n.format == "date-time" {
			n.kind = kindDateTime
		}
	}
	var err error
	if n.minLength, err = nonNegInt(s, "minLength", n.ptr); err != nil {
		return err
	}
	if n.maxLength, err = nonNegInt(s, "maxLength", n.ptr); err != nil {
		return err
	}
	if p, ok := s["pattern"].(string); ok {
		if _, err := regexp.Compile(p); err != nil {
			return errorf(n.ptr+"/pattern", "not a Go regular expression: %v", err)
		}
		n.pattern = &p
	}
	return nil
}

func nonNegInt(s map[string]any, k, ptr string) (*int64, error) {
	v, ok := s[k]
	if !ok {
		return nil, nil
	}
	r, ok := new(big.Rat).SetString(v.(json.Number).String())
	if !ok || !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() {
		return nil, errorf(ptr+"/"+k, "must be a non-negative integer, got %s", v)
	}
	n := r.Num().Int64()
	return &n, nil
}

// integerType maps an integer to int64, which needs the schema to bound it
// within int64's range: otherwise the schema would accept values that the
// Go field cannot hold.
func (g *parser) integerType(n *node, s map[string]any) error {
	n.kind = kindInteger
	lo, hi := big.NewRat(math.MinInt64, 1), new(big.Rat).SetInt64(math.MaxInt64)
	hasLo, hasHi := false, false
	for _, k := range []string{"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"} {
		v, ok := s[k]
		if !ok {
			continue
		}
		lit := v.(json.Number).String()
		r, _ := new(big.Rat).SetString(lit)
		var b *big.Int // the inclusive integer bound this keyword implies
		switch k {
		case "minimum": // ceil(r)
			b = ceil(r)
		case "exclusiveMinimum": // floor(r) + 1
			b = new(big.Int).Add(floor(r), big.NewInt(1))
		case "maximum":
			b = floor(r)
		case "exclusiveMaximum": // ceil(r) - 1
			b = new(big.Int).Sub(ceil(r), big.NewInt(1))
		}
		br := new(big.Rat).SetInt(b)
		if strings.HasSuffix(k, "inimum") {
			if br.Cmp(lo) < 0 {
				return errorf(n.ptr+"/"+k, "%s is below int64's range; integers map to int64", lit)
			}
			if !hasLo || br.Cmp(new(big.Rat).SetInt64(n.imin)) > 0 {
				n.imin, n.iminKw, n.iminLit, hasLo = clampInt64(b), k, lit, true
			}
		} else {
			if br.Cmp(hi) > 0 {
				return errorf(n.ptr+"/"+k, "%s is above int64's range; integers map to int64", lit)
			}
			if !hasHi || br.Cmp(new(big.Rat).SetInt64(n.imax)) < 0 {
				n.imax, n.imaxKw, n.imaxLit, hasHi = clampInt64(b), k, lit, true
			}
		}
	}
	if !hasLo || !hasHi {
		return errorf(n.ptr, "an integer needs \"minimum\" and \"maximum\" (or their exclusive forms) within int64's range (%d to %d), so that every value the schema accepts fits the Go int64 field", int64(math.MinInt64), int64(math.MaxInt64))
	}
	return nil
}

func clampInt64(b *big.Int) int64 {
	switch {
	case b.Cmp(big.NewInt(math.MinInt64)) < 0:
		return math.MinInt64
	case b.Cmp(big.NewInt(math.MaxInt64)) > 0:
		return math.MaxInt64
	}
	return b.Int64()
}

func floor(r *big.Rat) *big.Int {
	// Euclidean division by the positive denominator rounds down.
	q, _ := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
	return q
}

func ceil(r *big.Rat) *big.Int {
	q := floor(r)
	if !r.IsInt() {
		q.Add(q, big.NewInt(1))
	}
	return q
}

func (g *parser) arrayType(n *node, s map[string]any) error {
	n.kind = kindArray
	items, ok := s["items"]
	if !ok {
		items = true
	}
	if _, isArray := items.([]any); isArray {
		return errorf(n.ptr+"/items", "tuple items (an array of schemas) are not supported; give one schema")
	}
	var err error
	if n.items, err = g.node(items, n.ptr+"/items", n.name+"Item", false); err != nil {
		return err
	}
	if n.minItems, err = nonNegInt(s, "minItems", n.ptr); err != nil {
		return err
	}
	n.maxItems, err = nonNegInt(s, "maxItems", n.ptr)
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// initialisms are written in capitals in Go names, as golint wants.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true, "GUID": true,
	"HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true, "QPS": true, "RAM": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true, "TLS": true, "TTL": true,
	"UDP": true, "UI": true, "UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true,
	"XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// goIdent turns a JSON property name into an exported Go identifier:
// occurredAt -> OccurredAt, order_id -> OrderID, ip-address -> IPAddress.
func goIdent(name string) (string, error) {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case !isIdentRune(r):
			flush()
		case i > 0 && isUpper(r) && len(cur) > 0 && (!isUpper(runes[i-1]) || (i+1 < len(runes) && isLower(runes[i+1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	if len(words) == 0 {
		return "", fmt.Errorf("property name %q has no letters or digits to make a Go field name of", name)
	}
	var b strings.Builder
	for _, w := range words {
		// An initialism followed by digits (ip4, utf8) is capitalised too.
		if up := strings.ToUpper(w); initialisms[up] || initialisms[strings.TrimRight(up, "0123456789")] {
			b.WriteString(up)
			continue
		}
		rs := []rune(w)
		b.WriteString(strings.ToUpper(string(rs[0])) + string(rs[1:]))
	}
	id := b.String()
	if r := []rune(id)[0]; r >= '0' && r <= '9' {
		id = "X" + id
	}
	return id, nil
}

func isIdentRune(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
