package scan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth is encoding/json's limit on nesting, which the reference
// validator's parser applies: objects and arrays nested deeper are an error.
const maxDepth = 10000

// Decoder reads one JSON document. The zero value is empty; Reset starts it
// on a record. A Decoder must not be copied after first use.
type Decoder struct {
	buf   []byte
	pos   int
	depth int
	first bool   // a container was just opened: no ',' before its first item
	tmp   []byte // unescaped strings and keys
	src   string // a copy of buf, made by the first Str
}

// Mark is a position a Decoder can go back to.
type Mark struct {
	pos, depth int
	first      bool
}

// Reset starts d on data.
func (d *Decoder) Reset(data []byte) {
	d.buf, d.pos, d.depth, d.first, d.src = data, 0, 0, false, ""
}

// Str returns s, a string that String returned, as a Go string. The strings
// of one document share one copy of it, made on the first call, so a record
// costs one allocation for all its strings rather than one each; a string
// that had escapes is copied on its own.
func (d *Decoder) Str(s []byte) string {
	if len(s) == 0 {
		return ""
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(s))) - uintptr(unsafe.Pointer(unsafe.SliceData(d.buf)))
	if off >= uintptr(len(d.buf)) {
		return string(s) // unescaped into tmp
	}
	if d.src == "" {
		d.src = string(d.buf)
	}
	return d.src[off : off+uintptr(len(s))]
}

// Mark returns the current position.
func (d *Decoder) Mark() Mark { return Mark{d.pos, d.depth, d.first} }

// Rewind goes back to m.
func (d *Decoder) Rewind(m Mark) { d.pos, d.depth, d.first = m.pos, m.depth, m.first }

// ws skips insignificant whitespace.
func (d *Decoder) ws() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (d *Decoder) peek() byte {
	d.ws()
	if d.pos < len(d.buf) {
		return d.buf[d.pos]
	}
	return 0
}

// End checks that nothing but whitespace follows the document.
func (d *Decoder) End() error {
	if d.peek() != 0 || d.pos < len(d.buf) {
		return d.syntaxError("end of input after the top-level value")
	}
	return nil
}

// kindOf names the JSON type a value starting with c has, or "" if no
// value starts with c.
func kindOf(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "number"
	}
	return ""
}

// typeError reports a value of the wrong type at the current position, or a
// syntax error if no value starts there.
func (d *Decoder) typeError(keyword, want string) error {
	got := kindOf(d.peek())
	if got == "" {
		return d.syntaxError("value")
	}
	return Invalid(keyword, "got %s, want %s", got, want)
}

// BeginObject consumes the '{' of an object; keyword is the schema location
// of the "type" that wants one.
func (d *Decoder) BeginObject(keyword string) error {
	if d.peek() != '{' {
		return d.typeError(keyword, "object")
	}
	return d.open()
}

// BeginArray consumes the '[' of an array.
func (d *Decoder) BeginArray(keyword string) error {
	if d.peek() != '[' {
		return d.typeError(keyword, "array")
	}
	return d.open()
}

func (d *Decoder) open() error {
	d.depth++
	if d.depth > maxDepth {
		return d.syntaxError("nesting at most 10000 deep")
	}
	d.pos++
	d.first = true
	return nil
}

// NextKey moves to the next member of the object begun with BeginObject and
// returns its key, unescaped and valid until the next call, positioned at
// its value; more is false after the closing '}'.
func (d *Decoder) NextKey() (key []byte, more bool, err error) {
	first := d.first
	d.first = false
	switch c := d.peek(); {
	case c == '}':
		d.pos++
		d.depth--
		return nil, false, nil
	case first:
	case c == ',':
		d.pos++
	default:
		return nil, false, d.syntaxError("',' or '}'")
	}
	js, err := d.str()
	if err != nil {
		return nil, false, err
	}
	key = d.buf[js.start:js.end]
	if !js.plain {
		d.tmp = unquote(d.tmp[:0], key)
		key = d.tmp
	}
	if d.peek() != ':' {
		return nil, false, d.syntaxError("':'")
	}
	d.pos++
	return key, true, nil
}

// NextElem moves to the next element of the array begun with BeginArray;
// more is false after the closing ']'.
func (d *Decoder) NextElem() (more bool, err error) {
	first := d.first
	d.first = false
	switch c := d.peek(); {
	case c == ']':
		d.pos++
		d.depth--
		return false, nil
	case first:
		return true, nil
	case c == ',':
		d.pos++
		return true, nil
	default:
		return false, d.syntaxError("',' or ']'")
	}
}

// String reads a string value, unescaped; the bytes are valid until the
// next call.
func (d *Decoder) String(keyword string) ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.typeError(keyword, "string")
	}
	js, err := d.str()
	if err != nil {
		return nil, err
	}
	s := d.buf[js.start:js.end]
	if !js.plain {
		d.tmp = unquote(d.tmp[:0], s)
		s = d.tmp
	}
	return s, nil
}

// Number reads a number value and returns its text; want is the type the
// schema asks for ("number" or "integer").
func (d *Decoder) Number(keyword, want string) ([]byte, error) {
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return nil, d.typeError(keyword, want)
	}
	return d.number()
}

// Bool reads a boolean value.
func (d *Decoder) Bool(keyword string) (bool, error) {
	switch d.peek() {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return false, d.typeError(keyword, "boolean")
}

// Raw reads any value and returns its bytes.
func (d *Decoder) Raw() ([]byte, error) {
	d.ws()
	start := d.pos
	if err := d.Skip(); err != nil {
		return nil, err
	}
	return d.buf[start:d.pos], nil
}

// Skip reads and checks any value.
func (d *Decoder) Skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		if err := d.open(); err != nil {
			return err
		}
		for {
			_, more, err := d.NextKey()
			if err != nil || !more {
				return err
			}
			if err := d.Skip(); err != nil {
				return err
			}
		}
	case c == '[':
		if err := d.open(); err != nil {
			return err
		}
		for {
			more, err := d.NextElem()
			if err != nil || !more {
				return err
			}
			if err := d.Skip(); err != nil {
				return err
			}
		}
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	default:
		return d.syntaxError("value")
	}
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
func (d *Decoder) str() (jsonString, error) {
	if d.peek() != '"' {
		return jsonString{}, d.syntaxError("string")
	}
	start := d.pos + 1
	// Short plain ASCII strings (keys, IDs, enum values) end within a few
	// words: look at eight bytes at a time for the closing quote and for
	// anything that needs the general path (an escape, a control character,
	// a byte above 0x7f). In each mask the lowest set bit is exact.
	for i := start; i+8 <= len(d.buf) && i < start+32; i += 8 {
		x := binary.LittleEndian.Uint64(d.buf[i:])
		q := x ^ (ones * '"')
		quote := (q - ones) &^ q & highs
		special := escOrCtrl(x) | x&highs
		if quote != 0 && (special == 0 || bits.TrailingZeros64(quote) < bits.TrailingZeros64(special)) {
			end := i + bits.TrailingZeros64(quote)/8
			d.pos = end + 1
			return jsonString{start: start, end: end, plain: true}, nil
		}
		if special != 0 {
			break
		}
	}
	// Most strings have no escapes: find the closing quote with IndexByte
	// (vectorised) and check the bytes before it eight at a time.
	if q := bytes.IndexByte(d.buf[start:], '"'); q >= 0 {
		end := start + q
		if bad, nonASCII := spanFlags(d.buf, start, end); !bad {
			d.pos = end + 1
			return jsonString{start: start, end: end, plain: !nonASCII || utf8.Valid(d.buf[start:end])}, nil
		}
	}
	return d.strSlow(start)
}

// strSlow scans a string byte by byte from start, after its opening quote.
func (d *Decoder) strSlow(start int) (jsonString, error) {
	buf := d.buf
	i := start
	escaped, nonASCII := false, false
	for {
		if i >= len(buf) {
			d.pos = i
			return jsonString{}, d.syntaxError(`closing '"'`)
		}
		c := buf[i]
		switch {
		case c == '"':
			d.pos = i + 1
			js := jsonString{start: start, end: i, plain: !escaped}
			if nonASCII && js.plain {
				js.plain = utf8.Valid(buf[start:i])
			}
			return js, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(buf) {
				d.pos = i
				return jsonString{}, d.syntaxError("escape sequence")
			}
			switch buf[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(buf) || getu4(buf[i-1:]) < 0 {
					d.pos = i
					return jsonString{}, d.syntaxError("four hex digits after \\u")
				}
				i += 5
			default:
				d.pos = i
				return jsonString{}, d.syntaxError("escape sequence")
			}
		case c < 0x20:
			d.pos = i
			return jsonString{}, d.syntaxError("string character (control characters must be escaped)")
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
}

// number scans a JSON number and returns its bytes.
func (d *Decoder) number() ([]byte, error) {
	d.ws()
	buf, start, i := d.buf, d.pos, d.pos
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
		d.pos = i
		return nil, d.syntaxError("number")
	}
	if i < len(buf) && buf[i] == '.' {
		i++
		if digits() == 0 {
			d.pos = i
			return nil, d.syntaxError("digit after decimal point")
		}
	}
	if i < len(buf) && (buf[i] == 'e' || buf[i] == 'E') {
		i++
		if i < len(buf) && (buf[i] == '+' || buf[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			return nil, d.syntaxError("digit in exponent")
		}
	}
	d.pos = i
	return buf[start:i], nil
}

// literal consumes the literal lit (true, false or null).
func (d *Decoder) literal(lit string) error {
	if len(d.buf)-d.pos < len(lit) || string(d.buf[d.pos:d.pos+len(lit)]) != lit {
		return d.syntaxError(lit)
	}
	d.pos += len(lit)
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
