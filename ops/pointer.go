package ops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// A Pointer is a JSON pointer (RFC 6901) such as /customer/id.
type Pointer struct {
	text   string
	tokens []string
}

// ParsePointer parses a JSON pointer: "/" followed by reference tokens
// separated by "/", with "~0" for "~" and "~1" for "/". The whole document
// ("") is not a partition key, so it is refused. flag names the flag the
// pointer came from in the error.
func ParsePointer(flag, s string) (Pointer, error) {
	if !strings.HasPrefix(s, "/") {
		return Pointer{}, inputErrorf(flag, s, "not a JSON pointer (RFC 6901), which starts with /, such as /customerId")
	}
	var toks []string
	for _, t := range strings.Split(s[1:], "/") {
		for i := 0; i < len(t); i++ {
			if t[i] == '~' && (i+1 == len(t) || t[i+1] != '0' && t[i+1] != '1') {
				return Pointer{}, inputErrorf(flag, s, "not a JSON pointer: ~ must be followed by 0 or 1")
			}
		}
		toks = append(toks, strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~"))
	}
	return Pointer{text: s, tokens: toks}, nil
}

// String returns the pointer as written.
func (p Pointer) String() string { return p.text }

// Key returns the partition key at p in the JSON document doc: a string as
// it is, a number as written.
func (p Pointer) Key(doc []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", fmt.Errorf("record is not JSON: %w", err)
	}
	for _, t := range p.tokens {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[t]; !ok {
				return "", fmt.Errorf("record has no %s", p.text)
			}
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != t {
				return "", fmt.Errorf("record has no %s", p.text)
			}
			v = c[i]
		default:
			return "", fmt.Errorf("record has no %s", p.text)
		}
	}
	switch k := v.(type) {
	case string:
		return k, nil
	case json.Number:
		return k.String(), nil
	}
	return "", fmt.Errorf("%s is not a string or a number", p.text)
}
