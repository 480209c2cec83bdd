package scan

import (
	"unsafe"

	"github.com/standardstream/standardstream/lambda/internal/jsonlex"
)

// Decoder reads one JSON document. The zero value is empty; Reset starts it
// on a record. A Decoder must not be copied after first use.
type Decoder struct {
	lx    jsonlex.Lexer
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
	d.lx.Buf, d.lx.Pos, d.depth, d.first, d.src = data, 0, 0, false, ""
}

// Str returns s, a string that String returned, as a Go string. The strings
// of one document share one copy of it, made on the first call, so a record
// costs one allocation for all its strings rather than one each; a string
// that had escapes is copied on its own.
func (d *Decoder) Str(s []byte) string {
	if len(s) == 0 {
		return ""
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(s))) - uintptr(unsafe.Pointer(unsafe.SliceData(d.lx.Buf)))
	if off >= uintptr(len(d.lx.Buf)) {
		return string(s) // unescaped into tmp
	}
	if d.src == "" {
		d.src = string(d.lx.Buf)
	}
	return d.src[off : off+uintptr(len(s))]
}

// Mark returns the current position.
func (d *Decoder) Mark() Mark { return Mark{d.lx.Pos, d.depth, d.first} }

// Rewind goes back to m.
func (d *Decoder) Rewind(m Mark) { d.lx.Pos, d.depth, d.first = m.pos, m.depth, m.first }

// End checks that nothing but whitespace follows the document.
func (d *Decoder) End() error {
	if d.lx.Peek() != 0 || d.lx.Pos < len(d.lx.Buf) {
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
	got := kindOf(d.lx.Peek())
	if got == "" {
		return d.syntaxError("value")
	}
	return Invalid(keyword, "got %s, want %s", got, want)
}

// BeginObject consumes the '{' of an object; keyword is the schema location
// of the "type" that wants one.
func (d *Decoder) BeginObject(keyword string) error {
	if d.lx.Peek() != '{' {
		return d.typeError(keyword, "object")
	}
	return d.open()
}

// BeginArray consumes the '[' of an array.
func (d *Decoder) BeginArray(keyword string) error {
	if d.lx.Peek() != '[' {
		return d.typeError(keyword, "array")
	}
	return d.open()
}

func (d *Decoder) open() error {
	d.depth++
	if d.depth > jsonlex.MaxDepth { // encoding/json's limit, which the reference validator's parser applies
		return d.syntaxError("nesting at most 10000 deep")
	}
	d.lx.Pos++
	d.first = true
	return nil
}

// NextKey moves to the next member of the object begun with BeginObject and
// returns its key, unescaped and valid until the next call, positioned at
// its value; more is false after the closing '}'.
func (d *Decoder) NextKey() (key []byte, more bool, err error) {
	first := d.first
	d.first = false
	switch c := d.lx.Peek(); {
	case c == '}':
		d.lx.Pos++
		d.depth--
		return nil, false, nil
	case first:
	case c == ',':
		d.lx.Pos++
	default:
		return nil, false, d.syntaxError("',' or '}'")
	}
	js, err := d.lx.StrShort()
	if err != nil {
		return nil, false, fromLex(err)
	}
	key = d.lx.Buf[js.Start:js.End]
	if !js.Plain {
		d.tmp = jsonlex.Unquote(d.tmp[:0], key)
		key = d.tmp
	}
	if d.lx.Peek() != ':' {
		return nil, false, d.syntaxError("':'")
	}
	d.lx.Pos++
	return key, true, nil
}

// NextElem moves to the next element of the array begun with BeginArray;
// more is false after the closing ']'.
func (d *Decoder) NextElem() (more bool, err error) {
	first := d.first
	d.first = false
	switch c := d.lx.Peek(); {
	case c == ']':
		d.lx.Pos++
		d.depth--
		return false, nil
	case first:
		return true, nil
	case c == ',':
		d.lx.Pos++
		return true, nil
	default:
		return false, d.syntaxError("',' or ']'")
	}
}

// String reads a string value, unescaped; the bytes are valid until the
// next call.
func (d *Decoder) String(keyword string) ([]byte, error) {
	if d.lx.Peek() != '"' {
		return nil, d.typeError(keyword, "string")
	}
	js, err := d.lx.StrShort()
	if err != nil {
		return nil, fromLex(err)
	}
	s := d.lx.Buf[js.Start:js.End]
	if !js.Plain {
		d.tmp = jsonlex.Unquote(d.tmp[:0], s)
		s = d.tmp
	}
	return s, nil
}

// Number reads a number value and returns its text; want is the type the
// schema asks for ("number" or "integer").
func (d *Decoder) Number(keyword, want string) ([]byte, error) {
	if c := d.lx.Peek(); c != '-' && (c < '0' || c > '9') {
		return nil, d.typeError(keyword, want)
	}
	num, err := d.lx.Number()
	return num, fromLex(err)
}

// Bool reads a boolean value.
func (d *Decoder) Bool(keyword string) (bool, error) {
	switch d.lx.Peek() {
	case 't':
		return true, fromLex(d.lx.Literal("true"))
	case 'f':
		return false, fromLex(d.lx.Literal("false"))
	}
	return false, d.typeError(keyword, "boolean")
}

// Raw reads any value and returns its bytes.
func (d *Decoder) Raw() ([]byte, error) {
	d.lx.WS()
	start := d.lx.Pos
	if err := d.Skip(); err != nil {
		return nil, err
	}
	return d.lx.Buf[start:d.lx.Pos], nil
}

// Skip reads and checks any value.
func (d *Decoder) Skip() error {
	switch c := d.lx.Peek(); {
	case c == '"':
		_, err := d.lx.StrShort()
		return fromLex(err)
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
		return fromLex(d.lx.Literal("true"))
	case c == 'f':
		return fromLex(d.lx.Literal("false"))
	case c == 'n':
		return fromLex(d.lx.Literal("null"))
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.lx.Number()
		return fromLex(err)
	default:
		return d.syntaxError("value")
	}
}
