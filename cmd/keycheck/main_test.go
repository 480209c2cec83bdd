package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// lastLine is the format of keycheck's last line, which scripts parse.
var lastLine = regexp.MustCompile(`^hottest shard: \S+ holds [0-9]+(\.[0-9]+)?% of records \(even share [0-9]+(\.[0-9]+)?%\)$`)

// keycheck runs the command with args and stdin and returns its exit
// status, stdout and stderr.
func keycheck(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"shards4", []string{"-shards", "4", "testdata/keys.txt"}, exitHot},
		{"list-shards", []string{"-list-shards", "testdata/list-shards.json", "testdata/keys.txt"}, exitHot},
		{"approximate", []string{"-shards", "4", "-max-keys", "8", "-top", "3", "testdata/keys.txt"}, exitHot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := keycheck(t, "", tt.args...)
			if code != tt.wantCode || stderr != "" {
				t.Fatalf("got exit %d, stderr %q; want exit %d, no stderr", code, stderr, tt.wantCode)
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/keycheck -update to create it)", err)
			}
			if stdout != string(want) {
				t.Errorf("output differs from %s (run go test ./cmd/keycheck -update if the change is intended)\ngot:\n%s\nwant:\n%s", golden, stdout, want)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	even := string(uuidKeys(1000, 2))
	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantCode  int
		wantError string // on stderr, as its only line
	}{
		{name: "even", stdin: even, args: []string{"-shards", "4"}, wantCode: exitEven},
		{name: "one shard is never hot", stdin: "x\nx\nx\n", args: []string{"-shards", "1"}, wantCode: exitEven},
		{name: "one key", stdin: "x\nx\nx\n", args: []string{"-shards", "2"}, wantCode: exitHot},
		{name: "stdin as -", stdin: even, args: []string{"-shards", "4", "-"}, wantCode: exitEven},
		{name: "top 0", stdin: even, args: []string{"-shards", "4", "-top", "0"}, wantCode: exitEven},
		{name: "help", args: []string{"-h"}, wantCode: exitEven},
		{name: "unknown flag", args: []string{"-shard", "4"}, wantCode: exitUsage, wantError: "flag provided but not defined: -shard"},
		{name: "shards not a number", args: []string{"-shards", "four"}, wantCode: exitUsage, wantError: `invalid value "four" for flag -shards`},
		{name: "shards 0", args: []string{"-shards", "0"}, wantCode: exitUsage, wantError: "-shards must be between 1 and 1000000, got 0"},
		{name: "shards negative", args: []string{"-shards", "-3"}, wantCode: exitUsage, wantError: "-shards must be between 1 and 1000000, got -3"},
		{name: "no shards", stdin: even, wantCode: exitUsage, wantError: "set -shards N or -list-shards FILE"},
		{name: "both", args: []string{"-shards", "4", "-list-shards", "testdata/list-shards.json"}, wantCode: exitUsage, wantError: "-shards and -list-shards are exclusive"},
		{name: "top negative", args: []string{"-shards", "4", "-top", "-1"}, wantCode: exitUsage, wantError: "-top must be at least 0, got -1"},
		{name: "max-keys 0", args: []string{"-shards", "4", "-max-keys", "0"}, wantCode: exitUsage, wantError: "-max-keys must be between 1 and 2147483647, got 0"},
		{name: "two files", args: []string{"-shards", "4", "a.txt", "b.txt"}, wantCode: exitUsage, wantError: `want at most one key file after the flags, got 2 arguments: ["a.txt" "b.txt"]`},
		{name: "missing key file", args: []string{"-shards", "4", "testdata/missing.txt"}, wantCode: exitUsage, wantError: "open testdata/missing.txt: no such file or directory"},
		{name: "missing list-shards", args: []string{"-list-shards", "testdata/missing.json"}, wantCode: exitUsage, wantError: "-list-shards: open testdata/missing.json: no such file or directory"},
		{name: "list-shards not JSON", args: []string{"-list-shards", "testdata/keys.txt"}, wantCode: exitUsage, wantError: "-list-shards testdata/keys.txt: invalid JSON: "},
		{name: "no keys", stdin: "", args: []string{"-shards", "4"}, wantCode: exitUsage, wantError: "no partition keys in stdin (0 empty lines)"},
		{name: "only empty lines", stdin: "\n\r\n\n", args: []string{"-shards", "4"}, wantCode: exitUsage, wantError: "no partition keys in stdin (3 empty lines)"},
		{name: "not a key file", stdin: strings.Repeat("x", 2<<20), args: []string{"-shards", "4"}, wantCode: exitUsage, wantError: "read stdin: line 1 is longer than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := keycheck(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("got exit %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			switch {
			case tt.wantError != "":
				if !strings.HasPrefix(stderr, "keycheck: ") || !strings.Contains(stderr, tt.wantError) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("got stderr %q, want one line keycheck: ...%s...", stderr, tt.wantError)
				}
				if stdout != "" {
					t.Errorf("got stdout %q on a usage error, want none", stdout)
				}
			case tt.name == "help":
				if !strings.Contains(stderr, "usage: keycheck") {
					t.Errorf("got stderr %q, want the usage", stderr)
				}
			default:
				if last := lastOf(stdout); !lastLine.MatchString(last) {
					t.Errorf("got last line %q, want it to match %s", last, lastLine)
				}
			}
		})
	}
}

// TestCardinality is the point of keycheck: a few keys make a hot shard
// however many shards the stream has, and many keys spread evenly.
func TestCardinality(t *testing.T) {
	t.Run("low", func(t *testing.T) {
		// Five tenants with the usual skew: the biggest has half the traffic.
		var in strings.Builder
		for tenant, records := range map[string]int{"acme": 5000, "globex": 2000, "initech": 1500, "umbrella": 1000, "hooli": 500} {
			for range records {
				in.WriteString("tenant-" + tenant + "\n")
			}
		}
		code, stdout, _ := keycheck(t, in.String(), "-shards", "8")
		if code != exitHot {
			t.Errorf("got exit %d, want %d\n%s", code, exitHot, stdout)
		}
	})
	t.Run("high", func(t *testing.T) {
		code, stdout, _ := keycheck(t, string(uuidKeys(100_000, 1)), "-shards", "8")
		if code != exitEven {
			t.Errorf("got exit %d, want %d\n%s", code, exitEven, stdout)
		}
		if want := "holds 12."; !strings.Contains(lastOf(stdout), want) {
			t.Errorf("got last line %q, want the hottest shard near 12.5%%", lastOf(stdout))
		}
	})
}

func TestLastLineFormat(t *testing.T) {
	tests := []struct {
		shards int
		want   string
	}{
		{1, "hottest shard: shardId-000000000000 holds 100.0% of records (even share 100.0%)"},
		{3, "(even share 33.3%)"},
		{200, "(even share 0.50%)"},
		{1000, "(even share 0.10%)"},
		{4000, "(even share 0.025%)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.shards), func(t *testing.T) {
			_, stdout, _ := keycheck(t, "k\n", "-shards", fmt.Sprint(tt.shards))
			if last := lastOf(stdout); !strings.HasSuffix(last, tt.want) || !lastLine.MatchString(last) {
				t.Errorf("got %q, want it to end in %q", last, tt.want)
			}
		})
	}
}

func TestAnalyzeLines(t *testing.T) {
	long := strings.Repeat("é", 257)                 // 257 characters: Kinesis rejects it
	limit := strings.Repeat("é", 256)                // 512 bytes, but 256 characters: allowed
	in := "a\r\nb\n\n" + long + "\n" + limit + "\na" // CRLF, empty line, no final newline
	code, stdout, _ := keycheck(t, in, "-shards", "1")
	if code != exitEven {
		t.Fatalf("got exit %d, want %d", code, exitEven)
	}
	for _, want := range []string{
		"records:  5 from stdin, 4 distinct keys\n",
		"skipped:  1 empty line (Kinesis rejects an empty partition key)\n",
		"warning:  1 key longer than 256 characters, which Kinesis rejects; counted anyway\n",
		`   1        2  40.0%  shardId-000000000000  "a"` + "\n", // "a\r\n" and "a" are one key
		`"` + strings.Repeat("é", keyDisplayRunes) + `"... (257 characters)`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestHotShardThreshold(t *testing.T) {
	tests := []struct {
		n, total, shards uint64
		want             bool
	}{
		{3, 8, 4, false}, // 37.5% of 4 shards: exactly 1.5x
		{37, 100, 4, false},
		{38, 100, 4, true},
		{31, 80, 4, true}, // 38.75%
		{1, 1, 1, false},
		{1 << 62, 1 << 62, 1000, true}, // no overflow
	}
	for _, tt := range tests {
		if got := hotShard(tt.n, tt.total, tt.shards); got != tt.want {
			t.Errorf("hotShard(%d, %d, %d): got %v, want %v", tt.n, tt.total, tt.shards, got, tt.want)
		}
	}
}

func TestKeyCounter(t *testing.T) {
	// A stream where 3 heavy keys hide among many light ones. With room for
	// 10 keys, Space-Saving must still find them, with counts that bound
	// the truth from above and, less the overcount, from below.
	rng := rand.New(rand.NewPCG(3, 4))
	truth := map[string]uint64{}
	var stream []string
	for i := range 5000 {
		var k string
		switch r := rng.IntN(10); {
		case r < 2:
			k = "heavy-1"
		case r < 4:
			k = "heavy-2"
		case r < 5:
			k = "heavy-3"
		default:
			k = fmt.Sprintf("light-%d", i)
		}
		stream = append(stream, k)
		truth[k]++
	}
	for _, capacity := range []int{10, 1 << 20} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			c := newKeyCounter(capacity)
			for _, k := range stream {
				if _, ok := c.hit([]byte(k)); !ok {
					c.add([]byte(k), 0)
				}
			}
			if got, want := c.exact(), capacity > len(truth); got != want {
				t.Errorf("got exact %v, want %v", got, want)
			}
			top := c.top(3)
			for i, want := range []string{"heavy-1", "heavy-2", "heavy-3"} {
				if i >= len(top) || top[i].key != want {
					t.Fatalf("got top %v, want heavy-1, heavy-2, heavy-3 first", top)
				}
			}
			for _, e := range c.top(capacity) {
				if tr := truth[e.key]; e.count < tr || e.count-e.overcount > tr {
					t.Errorf("key %s: got count %d overcount %d, true count %d is outside", e.key, e.count, e.overcount, tr)
				}
				if c.exact() && (e.overcount != 0 || e.count != truth[e.key]) {
					t.Errorf("key %s: got count %d overcount %d, want exactly %d", e.key, e.count, e.overcount, truth[e.key])
				}
			}
		})
	}
}

// lastOf returns the last line of s.
func lastOf(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// uuidKeys returns n random UUID-like keys, one per line, the same for the
// same seed.
func uuidKeys(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, 0, n*37)
	for range n {
		hi, lo := rng.Uint64(), rng.Uint64()
		b = fmt.Appendf(b, "%08x-%04x-4%03x-%04x-%012x\n", hi>>32, hi>>16&0xffff, hi&0xfff, lo>>48|0x8000, lo&0xffffffffffff)
	}
	return b
}
