package kinesisbatch

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeFastMatchesStdEncoding(t *testing.T) {
	long := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("kinesis batch ", 10)))
	tests := []struct {
		name, text string
		fast       bool // decodeFast handles it rather than leaving it to encoding/base64
	}{
		{"empty", "", true},
		{"one quantum", "QUJD", true},
		{"two padding", "QQ==", true},
		{"one padding", "QUI=", true},
		{"long", long, true},
		{"long with padding", long[:len(long)-4] + "QQ==", true},
		{"unused bits set", "QR==", true},
		{"unused bits set, one padding", "QUJ=", true},
		{"no padding", "QQ", false},
		{"padding inside", "QQ==QUJD", false},
		{"three padding", "Q===", false},
		{"padding first", "=QQQ", false},
		{"line breaks", "QUJD\r\nREVG", false},
		{"url alphabet", "-_-_", false},
		{"space", "QU JD", false},
		{"bad char late", long + "QU!D", false},
		{"non-ASCII", "QUJ\xc3\xa9", false},
	}
	for _, tt := range tests {
		for _, pad := range []string{"", `,"approximateArrivalTimestamp":1}`} {
			t.Run(fmt.Sprintf("%s/tail=%d", tt.name, len(pad)), func(t *testing.T) {
				src := []byte(`"` + tt.text + `"` + pad)
				prefix := []byte("kept")
				got, end, ok := decodeFast(src, 1, bytes.Clone(prefix))
				if ok != tt.fast {
					t.Fatalf("got ok %v, want %v", ok, tt.fast)
				}
				if !ok {
					if string(got) != string(prefix) {
						t.Errorf("got dst %q after falling back, want it unchanged %q", got, prefix)
					}
					return
				}
				want, err := base64.StdEncoding.DecodeString(tt.text)
				if err != nil {
					t.Fatalf("encoding/base64: %v", err)
				}
				if string(got) != string(prefix)+string(want) || end != len(tt.text)+1 {
					t.Errorf("got %q ending at %d, want %q ending at %d", got, end, string(prefix)+string(want), len(tt.text)+1)
				}
			})
		}
	}
}

// FuzzBase64 checks the fast base64 path against encoding/base64: it either
// leaves the text to encoding/base64 or decodes it exactly as that would.
func FuzzBase64(f *testing.F) {
	for _, s := range []string{"", "QQ==", "QUI=", "QUJD", "QUJDREVGR0g=", "QUJD\nREVG", "Q===", "QQ"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if bytes.IndexByte(text, '"') >= 0 {
			return
		}
		got, end, ok := decodeFast(append(bytes.Clone(text), '"'), 0, nil)
		if !ok {
			return
		}
		want, err := base64.StdEncoding.DecodeString(string(text))
		if err != nil {
			t.Fatalf("decoded %q that encoding/base64 rejects: %v", text, err)
		}
		if !bytes.Equal(got, want) || end != len(text) {
			t.Fatalf("got %q ending at %d, want %q ending at %d", got, end, want, len(text))
		}
	})
}
