// Package jsonlex is the validating JSON lexer shared by package
// kinesisbatch (the Lambda event envelope) and package schemagen/scan (the
// records inside it): whitespace, strings, numbers and literals, read in
// place with the same grammar as encoding/json. Each package builds its own
// walk over objects and arrays on top of it.
package jsonlex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of objects and arrays, as encoding/json does.
const MaxDepth = 10000

// ErrSyntax is wrapped by every *SyntaxError, so that callers can tell
// malformed JSON from a well-formed document of the wrong shape.
var ErrSyntax = errors.New("invalid JSON")

// SyntaxError is malformed JSON at byte Offset.
type SyntaxError struct {
	Offset int
	// Msg says what was found and what was wanted, without the "invalid
	// JSON" prefix that Error adds.
	Msg string
}

func (e *SyntaxError) Error() string { return ErrSyntax.Error() + ": " + e.Msg }

func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Lexer reads JSON tokens from Buf, starting at Pos.
type Lexer struct {
	Buf []byte
	Pos int
}

// SyntaxError reports that the input at Pos is not what was wanted.
func (l *Lexer) SyntaxError(want string) *SyntaxError {
	if l.Pos >= len(l.Buf) {
		return &SyntaxError{Offset: l.Pos, Msg: "unexpected end of input, want " + want}
	}
	return &SyntaxError{Offset: l.Pos, Msg: fmt.Sprintf("unexpected %q at offset %d, want %s", l.Buf[l.Pos], l.Pos, want)}
}

// WS skips insignificant whitespace.
func (l *Lexer) WS() {
	for l.Pos < len(l.Buf) {
		switch l.Buf[l.Pos] {
		case ' ', '\t', '\n', '\r':
			l.Pos++
		default:
			return
		}
	}
}

// Peek skips whitespace and returns the next byte, or 0 at the end.
func (l *Lexer) Peek() byte {
	l.WS()
	if l.Pos < len(l.Buf) {
		return l.Buf[l.Pos]
	}
	return 0
}

// String is a scanned JSON string: Buf[Start:End] lies between the quotes.
// Plain means the bytes are the string's value as they are: no escapes and
// valid UTF-8 (encoding/json replaces invalid UTF-8 with U+FFFD); otherwise
// Unquote gives the value.
type String struct {
	Start, End int
	Plain      bool
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

// Str scans a string that starts at Pos (after whitespace). Most strings
// have no escapes: it finds the closing quote with IndexByte (vectorised)
// and checks the bytes before it eight at a time, which suits long strings
// such as the base64 data of a Kinesis record.
func (l *Lexer) Str() (String, error) {
	if l.Peek() != '"' {
		return String{}, l.SyntaxError("string")
	}
	start := l.Pos + 1
	if q := bytes.IndexByte(l.Buf[start:], '"'); q >= 0 {
		end := start + q
		if bad, nonASCII := spanFlags(l.Buf, start, end); !bad {
			l.Pos = end + 1
			return String{Start: start, End: end, Plain: !nonASCII || utf8.Valid(l.Buf[start:end])}, nil
		}
	}
	return l.strSlow(start)
}

// StrShort is Str for documents whose strings are mostly short (keys, IDs,
// enum values): it first looks for the end of the string within 32 bytes,
// word by word, which costs a long string a few nanoseconds.
func (l *Lexer) StrShort() (String, error) {
	if l.Peek() != '"' {
		return String{}, l.SyntaxError("string")
	}
	start := l.Pos + 1
	// Look at eight bytes at a time for the closing quote and for anything
	// that needs the general path (an escape, a control character, a byte
	// above 0x7f). In each mask the lowest set bit is exact. The bytes
	// before i, where the loop stops, are plain ASCII and no quote.
	i := start
	for ; i+8 <= len(l.Buf) && i < start+32; i += 8 {
		x := binary.LittleEndian.Uint64(l.Buf[i:])
		q := x ^ (ones * '"')
		quote := (q - ones) &^ q & highs
		special := escOrCtrl(x) | x&highs
		if quote != 0 && (special == 0 || bits.TrailingZeros64(quote) < bits.TrailingZeros64(special)) {
			end := i + bits.TrailingZeros64(quote)/8
			l.Pos = end + 1
			return String{Start: start, End: end, Plain: true}, nil
		}
		if special != 0 {
			break
		}
	}
	// As Str, from i.
	if q := bytes.IndexByte(l.Buf[i:], '"'); q >= 0 {
		end := i + q
		if bad, nonASCII := spanFlags(l.Buf, i, end); !bad {
			l.Pos = end + 1
			return String{Start: start, End: end, Plain: !nonASCII || utf8.Valid(l.Buf[start:end])}, nil
		}
	}
	return l.strSlow(start)
}

// strSlow scans a string byte by byte from start, after its opening quote.
func (l *Lexer) strSlow(start int) (String, error) {
	buf := l.Buf
	i := start
	escaped, nonASCII := false, false
	for {
		if i >= len(buf) {
			l.Pos = i
			return String{}, l.SyntaxError(`closing '"'`)
		}
		c := buf[i]
		switch {
		case c == '"':
			l.Pos = i + 1
			js := String{Start: start, End: i, Plain: !escaped}
			if nonASCII && js.Plain {
				js.Plain = utf8.Valid(buf[start:i])
			}
			return js, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(buf) {
				l.Pos = i
				return String{}, l.SyntaxError("escape sequence")
			}
			switch buf[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(buf) || getu4(buf[i-1:]) < 0 {
					l.Pos = i
					return String{}, l.SyntaxError("four hex digits after \\u")
				}
				i += 5
			default:
				l.Pos = i
				return String{}, l.SyntaxError("escape sequence")
			}
		case c < 0x20:
			l.Pos = i
			return String{}, l.SyntaxError("string character (control characters must be escaped)")
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
}

// Number scans a JSON number and returns its bytes.
func (l *Lexer) Number() ([]byte, error) {
	l.WS()
	buf, start, i := l.Buf, l.Pos, l.Pos
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
		l.Pos = i
		return nil, l.SyntaxError("number")
	}
	if i < len(buf) && buf[i] == '.' {
		i++
		if digits() == 0 {
			l.Pos = i
			return nil, l.SyntaxError("digit after decimal point")
		}
	}
	if i < len(buf) && (buf[i] == 'e' || buf[i] == 'E') {
		i++
		if i < len(buf) && (buf[i] == '+' || buf[i] == '-') {
			i++
		}
		if digits() == 0 {
			l.Pos = i
			return nil, l.SyntaxError("digit in exponent")
		}
	}
	l.Pos = i
	return buf[start:i], nil
}

// Literal consumes the literal lit (true, false or null) at Pos.
func (l *Lexer) Literal(lit string) error {
	if len(l.Buf)-l.Pos < len(lit) || string(l.Buf[l.Pos:l.Pos+len(lit)]) != lit {
		return l.SyntaxError(lit)
	}
	l.Pos += len(lit)
	return nil
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

// Unquote appends the value of the string body s, already validated by Str,
// to dst. Like encoding/json it turns invalid UTF-8 and unpaired surrogates
// into U+FFFD.
func Unquote(dst, s []byte) []byte {
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
