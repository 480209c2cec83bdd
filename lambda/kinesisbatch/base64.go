package kinesisbatch

import (
	"encoding/base64"
	"encoding/binary"
)

// Most of a payload is the base64 text of record data. decodeData decodes it
// straight from the payload in one pass, instead of finding the string's end
// first and decoding it second. Anything unusual (escapes, line breaks, bad
// padding, bad characters) is left to the scanner and encoding/base64, so
// that the result is always what base64.StdEncoding decodes.

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// invalid marks bytes outside the alphabet in base64Values.
const invalid = 0xff

var base64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = invalid
	}
	for i := range len(base64Alphabet) {
		t[base64Alphabet[i]] = byte(i)
	}
	return t
}()

// decodeFast decodes the base64 text that starts at src[i] and ends at the
// next '"', appending to dst. It returns the index of the '"', or ok false
// if the text is anything but padded standard base64 without whitespace;
// dst is then unchanged.
func decodeFast(src []byte, i int, dst []byte) (_ []byte, end int, ok bool) {
	n0 := len(dst)
	t := &base64Values
	for ; i+8 <= len(src); i += 8 {
		if cap(dst)-len(dst) < 8 {
			dst = append(dst, make([]byte, 8)...)[:len(dst)]
		}
		s := src[i : i+8]
		a, b, c, d, e, f, g, h := t[s[0]], t[s[1]], t[s[2]], t[s[3]], t[s[4]], t[s[5]], t[s[6]], t[s[7]]
		if (a|b|c|d|e|f|g|h)&0xc0 != 0 {
			break
		}
		v := uint64(a)<<58 | uint64(b)<<52 | uint64(c)<<46 | uint64(d)<<40 |
			uint64(e)<<34 | uint64(f)<<28 | uint64(g)<<22 | uint64(h)<<16
		binary.BigEndian.PutUint64(dst[len(dst):len(dst)+8], v)
		dst = dst[:len(dst)+6]
	}
	for ; i+4 <= len(src); i += 4 {
		a, b, c, d := t[src[i]], t[src[i+1]], t[src[i+2]], t[src[i+3]]
		if (a|b|c|d)&0xc0 != 0 {
			break
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		dst = append(dst, byte(v>>16), byte(v>>8), byte(v))
	}
	// What is left must be '"', or a padded last quantum and '"'. As in
	// base64.StdEncoding (not Strict), unused low bits are ignored.
	switch {
	case i < len(src) && src[i] == '"':
		return dst, i, true
	case i+5 <= len(src) && src[i+4] == '"' && src[i+3] == '=':
		a, b, c := t[src[i]], t[src[i+1]], t[src[i+2]]
		if (a|b)&0xc0 != 0 {
			break
		}
		if src[i+2] == '=' {
			return append(dst, a<<2|b>>4), i + 4, true
		}
		if c&0xc0 != 0 {
			break
		}
		return append(dst, a<<2|b>>4, b<<4|c>>2), i + 4, true
	}
	return dst[:n0], 0, false
}

// decodeSlow decodes text as base64.StdEncoding does, appending to dst.
func decodeSlow(text, dst []byte) ([]byte, error) {
	n0 := len(dst)
	dst = append(dst, make([]byte, base64.StdEncoding.DecodedLen(len(text)))...)
	n, err := base64.StdEncoding.Decode(dst[n0:], text)
	return dst[:n0+n], err
}
