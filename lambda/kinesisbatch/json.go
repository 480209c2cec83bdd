package kinesisbatch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small validating JSON scanner. The Kinesis envelope has
// a fixed shape, so instead of a general decoder that builds values we walk
// the bytes once, copy out the few strings a Record needs and remember where
// each base64 data string lies. Whatever is accepted here is valid JSON, and
// every value read agrees with what encoding/json would decode (checked by
// FuzzDecode).

// maxDepth bounds the nesting of skipped values, as encoding/json does.
const maxDepth = 10000

// errSyntax is wrapped by every syntax error, so that callers and tests can
// tell malformed JSON from a well-formed payload that is not a Kinesis event.
var errSyntax = errors.New("invalid JSON")

type scanner struct {
	buf    []byte
	pos    int
	keyBuf []byte // unescaped keys
}

func (s *scanner) syntaxError(what string) error {
	if s.pos >= len(s.buf) {
		return fmt.Errorf("%w: unexpected end of input, want %s", errSyntax, what)
	}
	return fmt.Errorf("%w: unexpected %q at offset %d, want %s", errSyntax, s.buf[s.pos], s.pos, what)
}

// ws skips insignificant whitespace.
func (s *scanner) ws() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.buf) {
		return s.buf[s.pos]
	}
	return 0
}

// expect skips whitespace and consumes c.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.syntaxError(fmt.Sprintf("%q", c))
	}
	s.pos++
	return nil
}

// jsonString is a scanned JSON string: buf[start:end] lies between the
// quotes. plain means the bytes are the string's value as they are: no
// escapes and valid UTF-8 (encoding/json replaces invalid UTF-8 with U+FFFD).
type jsonString struct {
	start, end int
	plain      bool
}

// Masks for finding bytes eight at a time.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// escOrCtrl sets the high bit of each byte of x that is '\\' or a control
// character (and, through borrows, maybe of bytes after one that is).
func escOrCtrl(x uint64) uint64 {
	b := x ^ (ones * '\\')
	return ((b-ones)&^b | (x-ones*0x20)&^x) & highs
}

// spanFlags returns whether buf[start:end] has a '\\' or control character,
// and whether it has a byte above 0x7f.
func spanFlags(buf []byte, start, end int) (escOrCtrlSeen, nonASCII bool) {
	var bad, hi uint64
	i := start
	for ; i+8 <= end; i += 8 {
		x := binary.LittleEndian.Uint64(buf[i:])
		bad |= escOrCtrl(x)
		hi |= x
	}
	switch {
	case i == end:
	case end-start >= 8: // the last eight bytes, overlapping those seen
		x := binary.LittleEndian.Uint64(buf[end-8:])
		bad |= escOrCtrl(x)
		hi |= x
	case i+8 <= len(buf): // a short string: eight bytes, masked
		m := uint64(1)<<(8*(end-i)) - 1
		x := binary.LittleEndian.Uint64(buf[i:])
		bad |= escOrCtrl(x) & m
		hi |= x & m
	default:
		for ; i < end; i++ {
			if c := buf[i]; c == '\\' || c < 0x20 {
				bad = highs
			}
			hi |= uint64(buf[i])
		}
	}
	return bad&highs != 0, hi&highs != 0
}

// str scans a string that starts at the current position (after whitespace).
func (s *scanner) str() (jsonString, error) {
	if s.peek() != '"' {
		return jsonString{}, s.syntaxError("string")
	}
	start := s.pos + 1
	// Most strings have no escapes: find the closing quote with IndexByte
	// (vectorised) and check the bytes before it eight at a time.
	if q := bytes.IndexByte(s.buf[start:], '"'); q >= 0 {
		end := start + q
		if bad, nonASCII := spanFlags(s.buf, start, end); !bad {
			s.pos = end + 1
			return jsonString{start: start, end: end, plain: !nonASCII || utf8.Valid(s.buf[start:end])}, nil
		}
	}
	return s.strSlow(start)
}

// strSlow scans a string byte by byte from start, after its opening quote.
func (s *scanner) strSlow(start int) (jsonString, error) {
	buf := s.buf
	i := start
	escaped, nonASCII := false, false
	for {
		if i >= len(buf) {
			s.pos = i
			return jsonString{}, s.syntaxError(`closing '"'`)
		}
		c := buf[i]
		switch {
		case c == '"':
			s.pos = i + 1
			js := jsonString{start: start, end: i, plain: !escaped}
			if nonASCII && js.plain {
				js.plain = utf8.Valid(buf[start:i])
			}
			return js, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(buf) {
				s.pos = i
				return jsonString{}, s.syntaxError("escape sequence")
			}
			switch buf[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(buf) || getu4(buf[i-1:]) < 0 {
					s.pos = i
					return jsonString{}, s.syntaxError("four hex digits after \\u")
				}
				i += 5
			default:
				s.pos = i
				return jsonString{}, s.syntaxError("escape sequence")
			}
		case c < 0x20:
			s.pos = i
			return jsonString{}, s.syntaxError("string character (control characters must be escaped)")
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
}

// number scans a JSON number and returns its bytes.
func (s *scanner) number() ([]byte, error) {
	s.ws()
	buf, start, i := s.buf, s.pos, s.pos
	digits := func() int {
		n := 0
		for i < len(buf) && buf[i] >= '0' && buf[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(buf) && buf[i] == '-' {
		i++
	}
	switch {
	case i < len(buf) && buf[i] == '0':
		i++
	case digits() == 0:
		s.pos = i
		return nil, s.syntaxError("number")
	}
	if i < len(buf) && buf[i] == '.' {
		i++
		if digits() == 0 {
			s.pos = i
			return nil, s.syntaxError("digit after decimal point")
		}
	}
	if i < len(buf) && (buf[i] == 'e' || buf[i] == 'E') {
		i++
		if i < len(buf) && (buf[i] == '+' || buf[i] == '-') {
			i++
		}
		if digits() == 0 {
			s.pos = i
			return nil, s.syntaxError("digit in exponent")
		}
	}
	s.pos = i
	return buf[start:i], nil
}

// literal consumes the literal lit (true, false or null).
func (s *scanner) literal(lit string) error {
	if len(s.buf)-s.pos < len(lit) || string(s.buf[s.pos:s.pos+len(lit)]) != lit {
		return s.syntaxError(lit)
	}
	s.pos += len(lit)
	return nil
}

// null consumes a null literal if one comes next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && s.literal("null") == nil {
		return true
	}
	return false
}

// skip validates and skips any value.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested more than %d deep at offset %d", errSyntax, maxDepth, s.pos)
	}
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		return s.object(func(key []byte) error { return s.skip(depth + 1) })
	case c == '[':
		return s.array(func(int) error { return s.skip(depth + 1) })
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.number()
		return err
	default:
		return s.syntaxError("value")
	}
}

// object scans an object and calls member for each member, positioned at
// its value, with the key unescaped. The key is only valid during the call.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		js, err := s.str()
		if err != nil {
			return err
		}
		key := s.buf[js.start:js.end]
		if !js.plain {
			s.keyBuf = unquote(s.keyBuf[:0], key)
			key = s.keyBuf
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.syntaxError("',' or '}'")
		}
	}
}

// array scans an array and calls elem for each element, positioned at it.
func (s *scanner) array(elem func(i int) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.syntaxError("',' or ']'")
		}
	}
}

// getu4 decodes \uXXXX from the beginning of s, returning -1 on failure.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote appends the value of the string body s, already validated by str,
// to dst. Like encoding/json it turns invalid UTF-8 and unpaired surrogates
// into U+FFFD.
func unquote(dst, s []byte) []byte {
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			switch s[r+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[r+1])
			}
			r += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			dst = utf8.AppendRune(dst, rr) // RuneError for invalid bytes
			r += size
		}
	}
	return dst
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
