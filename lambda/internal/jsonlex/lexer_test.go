package jsonlex

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestStr checks Str and StrShort against encoding/json on strings that
// take each path: the short-string words, IndexByte with the span check,
// and the byte loop.
func TestStr(t *testing.T) {
	for name, str := range map[string]func(*Lexer) (String, error){"Str": (*Lexer).Str, "StrShort": (*Lexer).StrShort} {
		t.Run(name, func(t *testing.T) { testStr(t, str) })
	}
}

func testStr(t *testing.T, str func(*Lexer) (String, error)) {
	long := strings.Repeat("abcdefgh", 6)
	for _, in := range []string{
		`""`, `"a"`, `"abcdefg"`, `"abcdefgh"`, `"` + long + `"`, `"` + long + `é"`,
		`"caf\u00e9"`, `"a\"b"`, `"\ud83d\ude00"`, `"\ud83d"`, "\"\xff\"", `"` + long + "\xff\"", `"é"`,
		`"a`, `"a\`, `"\x"`, `"\u12"`, "\"a\x01\"", "\"" + long + "\x01\"",
	} {
		l := Lexer{Buf: []byte(in + " ")} // a byte after the string keeps the short path in bounds
		js, err := str(&l)
		var want string
		wantErr := json.Unmarshal([]byte(in), &want)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("Str(%q): got error %v, want %v", in, err, wantErr)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Str(%q): got %v, want an error wrapping ErrSyntax", in, err)
			}
			continue
		}
		got := string(l.Buf[js.Start:js.End])
		if !js.Plain {
			got = string(Unquote(nil, l.Buf[js.Start:js.End]))
		}
		if got != want || l.Pos != len(in) {
			t.Errorf("Str(%q): got %q at %d, want %q at %d", in, got, l.Pos, want, len(in))
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"0", "0", ""}, {"-12.5e+3,", "-12.5e+3", ""}, {"01", "0", ""},
		{"-", "", "invalid JSON: unexpected end of input, want number"},
		{"1.x", "", `invalid JSON: unexpected 'x' at offset 2, want digit after decimal point`},
		{"1e", "", "invalid JSON: unexpected end of input, want digit in exponent"},
	} {
		l := Lexer{Buf: []byte(tt.in)}
		got, err := l.Number()
		if string(got) != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("Number(%q): got %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Offset != l.Pos) {
			t.Errorf("Number(%q): got %#v, want a *SyntaxError at offset %d", tt.in, err, l.Pos)
		}
	}
}
