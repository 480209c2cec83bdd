package kinesisbatch

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/standardstream/standardstream/lambda/internal/jsonlex"
)

// This file holds a small validating JSON scanner, built on package jsonlex's
// strings, numbers and literals. The Kinesis envelope has a fixed shape, so
// instead of a general decoder that builds values we walk the bytes once, copy out the few strings a Record needs and remember where
// each base64 data string lies. Whatever is accepted here is valid JSON, and
// every value read agrees with what encoding/json would decode (checked by
// FuzzDecode).

// errSyntax is wrapped by every syntax error, so that callers and tests can
// tell malformed JSON from a well-formed payload that is not a Kinesis event.
var errSyntax = jsonlex.ErrSyntax

// scanner walks the envelope's objects and arrays with callbacks, on the
// lexer package schemagen/scan uses too.
type scanner struct {
	jsonlex.Lexer
	keyBuf []byte // unescaped keys
}

// expect skips whitespace and consumes c.
func (s *scanner) expect(c byte) error {
	if s.Peek() != c {
		return s.SyntaxError(fmt.Sprintf("%q", c))
	}
	s.Pos++
	return nil
}

// null consumes a null literal if one comes next.
func (s *scanner) null() bool {
	if s.Peek() == 'n' && s.Literal("null") == nil {
		return true
	}
	return false
}

// skip validates and skips any value.
func (s *scanner) skip(depth int) error {
	if depth > jsonlex.MaxDepth {
		return fmt.Errorf("%w: nested more than %d deep at offset %d", errSyntax, jsonlex.MaxDepth, s.Pos)
	}
	switch c := s.Peek(); {
	case c == '"':
		_, err := s.Str()
		return err
	case c == '{':
		return s.object(func(key []byte) error { return s.skip(depth + 1) })
	case c == '[':
		return s.array(func(int) error { return s.skip(depth + 1) })
	case c == 't':
		return s.Literal("true")
	case c == 'f':
		return s.Literal("false")
	case c == 'n':
		return s.Literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.Number()
		return err
	default:
		return s.SyntaxError("value")
	}
}

// object scans an object and calls member for each member, positioned at
// its value, with the key unescaped. The key is only valid during the call.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.Peek() == '}' {
		s.Pos++
		return nil
	}
	for {
		js, err := s.Str()
		if err != nil {
			return err
		}
		key := s.Buf[js.Start:js.End]
		if !js.Plain {
			s.keyBuf = jsonlex.Unquote(s.keyBuf[:0], key)
			key = s.keyBuf
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.Pos++
		case '}':
			s.Pos++
			return nil
		default:
			return s.SyntaxError("',' or '}'")
		}
	}
}

// array scans an array and calls elem for each element, positioned at it.
func (s *scanner) array(elem func(i int) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.Peek() == ']' {
		s.Pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.Pos++
		case ']':
			s.Pos++
			return nil
		default:
			return s.SyntaxError("',' or ']'")
		}
	}
}

// foldName folds a key as encoding/json does to match struct fields
// case-insensitively: ASCII letters to upper case, other runes to the
// smallest rune of their fold set.
func foldName(dst, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst
}

// matchKey returns the index of key in names, comparing as encoding/json
// does: exactly, else case-insensitively by foldName. folded holds the
// folded names. It returns -1 when nothing matches.
func matchKey(key []byte, names, folded []string) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	ascii := true
	for _, c := range key {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// Folding keeps the length of ASCII keys, and the payload's
		// unknown keys are all ASCII: compare in place.
	next:
		for i, n := range folded {
			if len(n) != len(key) {
				continue
			}
			for j, c := range key {
				if 'a' <= c && c <= 'z' {
					c -= 'a' - 'A'
				}
				if c != n[j] {
					continue next
				}
			}
			return i
		}
		return -1
	}
	var buf [64]byte
	f := foldName(buf[:0], key)
	for i, n := range folded {
		if string(f) == n {
			return i
		}
	}
	return -1
}

// foldAll folds each of names.
func foldAll(names ...string) []string {
	folded := make([]string, len(names))
	for i, n := range names {
		folded[i] = string(foldName(nil, []byte(n)))
	}
	return folded
}
