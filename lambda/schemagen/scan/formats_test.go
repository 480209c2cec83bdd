package scan

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// referenceFormats compiles {"format": f} for each of Formats with the
// reference validator, format assertions on.
func referenceFormats(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	out := map[string]*jsonschema.Schema{}
	for _, f := range Formats {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := "mem://" + f + ".json"
		if err := c.AddResource(url, map[string]any{"format": f}); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = s
	}
	return out
}

var formatSeeds = []string{
	"2026-11-25T21:00:00Z", "2026-11-25t21:00:00z", "2026-11-25T21:00:00.123+05:30", "2026-12-31T23:59:60Z",
	"2026-12-31T00:59:60+01:00", "2026-11-25T+1:00:00-0:00", "2026-02-29T00:00:00Z", "2026-11-25", "21:00:00Z",
	"21:00:60-00:01", "a@b.co", `"q"@x.y`, "a@[IPv6:::1]", "a@[1.2.3.4]", "example.com.", "-a.com",
	"1.2.3.4", "+1.2.3.4", "01.2.3.4", "::1", "fe80::1%eth0", "123e4567-e89b-12d3-a456-426614174000",
	"123e4567-e89b-12d3-a456-42661417400-", "", "T", "2026-11-25T21:00:00+24:00", "2026-11-25T21:00:00.Z",
	"2000-02-29", "1900-02-29", "0000-02-29", "2026-04-31", "2026-00-10", "2026-1-01", "+026-01-01", "2026-01-0a",
}

func TestFormatsMatchReference(t *testing.T) {
	ref := referenceFormats(t)
	for _, f := range Formats {
		for _, s := range formatSeeds {
			want := ref[f].Validate(s) == nil
			got := CheckFormat("/format", f, []byte(s)) == nil
			if got != want {
				t.Errorf("format %s, %q: got valid %v, reference says %v", f, s, got, want)
			}
		}
	}
}

func TestDateTimeValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2026-11-25t21:00:00z", "2026-11-25T21:00:00Z"},
		{"2026-11-25T21:00:00.123456789999+05:30", "2026-11-25T21:00:00.123456789+05:30"},
		{"2026-12-31T23:59:60Z", "2027-01-01T00:00:00Z"}, // time.Time has no leap seconds
		{"2026-11-25T21:00:00-00:00", "2026-11-25T21:00:00Z"},
	}
	for _, tt := range tests {
		got, err := DateTime("/format", []byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if s := got.Format("2006-01-02T15:04:05.999999999Z07:00"); s != tt.want {
			t.Errorf("%s: got %s, want %s", tt.in, s, tt.want)
		}
	}
}

func FuzzFormats(f *testing.F) {
	for _, s := range formatSeeds {
		f.Add(s)
	}
	ref := referenceFormats(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range Formats {
			want := ref[name].Validate(s) == nil
			got := CheckFormat("/format", name, []byte(s)) == nil
			if got != want {
				t.Fatalf("format %s, %q: got valid %v, reference says %v", name, s, got, want)
			}
		}
	})
}

func TestCompareAndParseInt(t *testing.T) {
	cmp := []struct {
		num, bound string
		want       int
	}{
		{"1", "1", 0}, {"1.0", "1", 0}, {"10e-1", "1", 0}, {"-0", "0", 0}, {"0.1", "1e-1", 0},
		{"1.0000000000000000000001", "1", 1}, {"-1e-400", "0", -1}, {"1e400", "1e399", 1},
		{"-2", "-10", 1}, {"123", "45", 1}, {"0.05", "0.5", -1}, {"-273.15", "-273.15", 0},
	}
	for _, c := range cmp {
		if got := NewBound(c.bound).Cmp([]byte(c.num)); got != c.want {
			t.Errorf("Cmp(%s, %s): got %d, want %d", c.num, c.bound, got, c.want)
		}
	}
	ints := []struct {
		num  string
		want int64
		res  IntResult
	}{
		{"0", 0, IntOK}, {"-0", 0, IntOK}, {"1e2", 100, IntOK}, {"1.5", 0, NotInteger}, {"1.50e1", 15, IntOK},
		{"9223372036854775807", 9223372036854775807, IntOK}, {"9223372036854775808", 0, AboveInt64},
		{"-9223372036854775808", -9223372036854775808, IntOK}, {"-9223372036854775809", 0, BelowInt64},
		{"1e19", 0, AboveInt64}, {"-1e400", 0, BelowInt64}, {"1e-400", 0, NotInteger}, {"0e999999999999999999", 0, IntOK},
	}
	for _, c := range ints {
		got, res := ParseInt([]byte(c.num))
		if got != c.want || res != c.res {
			t.Errorf("ParseInt(%s): got %d, %d; want %d, %d", c.num, got, res, c.want, c.res)
		}
	}
}

func TestNewBoundPanicsOnNonNumber(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "not a JSON number") {
			t.Errorf("got %v, want a panic naming the bad bound", r)
		}
	}()
	NewBound("1.")
}

var patternSeeds = []string{
	`^[A-Z0-9-]{3,32}$`, `^[a-z]+$`, `^x*$`, `^[^a]?$`, `^[\p{L}]{2}$`, `^(?i:a){2}$`, `^[Ωa-c]{1,3}$`, `^.{2,4}$`,
	`[a-z]{2}`, `^a{2}`, `^\d+$`, `^\s*$`,
}

func TestPatternFastForm(t *testing.T) {
	for _, tt := range []struct {
		expr string
		fast bool
	}{{`^[A-Z0-9-]{3,32}$`, true}, {`^\d+$`, true}, {`^x*$`, true}, {`[a-z]{2}`, false}, {`^(?i:a){2}$`, false}, {`^.{2}$`, false}} {
		if got := NewPattern(tt.expr).fast; got != tt.fast {
			t.Errorf("%s: got fast %v, want %v", tt.expr, got, tt.fast)
		}
	}
}

// FuzzPattern checks the fast form against the regexp engine.
func FuzzPattern(f *testing.F) {
	for i, s := range []string{"", "a", "AB", "ABC-1", "abc", "ΩΩ", "aΩb", "\u00e9\u00e9", "12345", " \t", strings.Repeat("A", 33), "A\n"} {
		f.Add(uint8(i), s)
	}
	patterns := make([]*Pattern, len(patternSeeds))
	for i, e := range patternSeeds {
		patterns[i] = NewPattern(e)
	}
	f.Fuzz(func(t *testing.T, which uint8, s string) {
		if !utf8.ValidString(s) {
			return // decoded strings are always valid UTF-8
		}
		p := patterns[int(which)%len(patterns)]
		if got, want := p.Match([]byte(s)), p.re.MatchString(s); got != want {
			t.Fatalf("%s on %q: got %v, regexp says %v", p, s, got, want)
		}
	})
}
