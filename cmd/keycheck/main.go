// Command keycheck shows how partition keys spread over the shards of a
// Kinesis data stream, before production traffic does.
//
// It reads partition keys, one per line, from a file or stdin, maps each to
// a shard exactly as Kinesis does (the MD5 of the key as a 128-bit unsigned
// integer, in the shards' hash key ranges) and prints the records per shard,
// the top keys, and as its last line
//
//	hottest shard: <shard id> holds <p>% of records (even share <q>%)
//
// Usage:
//
//	keycheck -shards 8 < keys.txt
//	aws kinesis list-shards --stream-name orders > shards.json
//	keycheck -list-shards shards.json keys.txt
//
// The flags are:
//
//	-shards N
//		Map to the N evenly split shards of a new stream (1 to 1000000).
//	-list-shards FILE
//		Map to the open shards in FILE, the output of aws kinesis list-shards.
//		Closed shards (those with an EndingSequenceNumber) take no writes and
//		are left out.
//	-top K
//		Print the K keys with the most records (default 10). 0 turns off
//		counting per key, and with it the memory it takes.
//	-max-keys N
//		Count up to N distinct keys exactly (default 1048576). Each costs
//		about 150 bytes of heap for a UUID key, so the default stays under
//		about 150 MB live (300 MB resident). Past N, the top-key counts are
//		approximate (Space-Saving) and the report says so; the shard counts
//		are always exact.
//
// Exactly one of -shards and -list-shards is required. Empty lines are
// skipped and counted; keys longer than 256 characters, which Kinesis
// rejects, are counted in a warning and still mapped. Percentages have one
// decimal place, or two significant digits below 1%.
//
// Exit status: 0 when the hottest shard holds at most 1.5 times its even
// share (100%/shards), 3 when it holds more, and 2 on a usage error (bad
// flags, an unreadable file, invalid list-shards JSON, no keys), with a
// one-line message on stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/standardstream/standardstream/cmd/keycheck/internal/shardmap"
)

// Exit statuses.
const (
	exitEven  = 0 // the hottest shard holds at most 1.5 times its even share
	exitUsage = 2 // bad flags, unreadable input, no keys
	exitHot   = 3 // the hottest shard holds more than 1.5 times its even share
)

const usage = `usage: keycheck (-shards N | -list-shards FILE) [-top K] [-max-keys N] [FILE]

keycheck reads partition keys, one per line, from FILE or stdin, maps each to
a shard as Kinesis does (MD5 of the key in the shards' hash key ranges), and
prints records per shard and the top keys. It exits 0 when the hottest shard
holds at most 1.5 times its even share, 3 when it holds more, 2 on a usage
error.

Flags (before FILE):
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// config is keycheck's command line.
type config struct {
	shards     int    // -shards; 0 when not set
	listShards string // -list-shards
	top        int    // -top
	maxKeys    int    // -max-keys
	input      string // the key file; "" or "-" for stdin
}

// parseFlags parses and validates the command line. The error names the
// flag and the value it got.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("keycheck", flag.ContinueOnError)
	// flag's own messages are multi-line with the usage; run prints one line.
	fs.SetOutput(io.Discard)
	fs.IntVar(&c.shards, "shards", 0, "map to the `N` evenly split shards of a new stream")
	fs.StringVar(&c.listShards, "list-shards", "", "map to the open shards in `FILE`, the output of aws kinesis list-shards")
	fs.IntVar(&c.top, "top", 10, "print the `K` keys with the most records; 0 turns off per-key counting")
	fs.IntVar(&c.maxKeys, "max-keys", 1<<20, "count up to `N` distinct keys exactly; past that, top keys are approximate")
	// flag calls Usage on every parse error; keycheck prints the usage only
	// when asked (-h), and a one-line error otherwise.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return c, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["shards"] && set["list-shards"]:
		return c, fmt.Errorf("-shards and -list-shards are exclusive, got -shards %d and -list-shards %q", c.shards, c.listShards)
	case !set["shards"] && !set["list-shards"]:
		return c, fmt.Errorf("set -shards N or -list-shards FILE")
	case set["shards"] && (c.shards < 1 || c.shards > shardmap.MaxEvenShards):
		return c, fmt.Errorf("-shards must be between 1 and %d, got %d", shardmap.MaxEvenShards, c.shards)
	case set["list-shards"] && c.listShards == "":
		return c, fmt.Errorf("-list-shards needs a file name, got %q", c.listShards)
	case c.top < 0:
		return c, fmt.Errorf("-top must be at least 0, got %d", c.top)
	case c.maxKeys < 1 || c.maxKeys > 1<<31-1:
		return c, fmt.Errorf("-max-keys must be between 1 and %d, got %d", 1<<31-1, c.maxKeys)
	case fs.NArg() > 1:
		return c, fmt.Errorf("want at most one key file after the flags, got %d arguments: %q", fs.NArg(), fs.Args())
	}
	c.input = fs.Arg(0)
	return c, nil
}

// run is keycheck with its command line and standard streams as arguments.
// It returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitEven
	}
	if err != nil {
		fmt.Fprintf(stderr, "keycheck: %v\n", err)
		return exitUsage
	}
	hot, err := check(c, stdin, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "keycheck: %v\n", err)
		return exitUsage
	}
	if hot {
		return exitHot
	}
	return exitEven
}

// check runs the analysis c describes and writes its report to stdout. It
// reports whether the hottest shard is hot.
func check(c config, stdin io.Reader, stdout io.Writer) (hot bool, err error) {
	m, src, err := shards(c)
	if err != nil {
		return false, err
	}
	var in io.Reader = stdin
	src.input = "stdin"
	if c.input != "" && c.input != "-" {
		f, err := os.Open(c.input)
		if err != nil {
			return false, err // *PathError names the file
		}
		defer f.Close()
		in, src.input = f, c.input
	}
	var keys *keyCounter
	if c.top > 0 {
		keys = newKeyCounter(c.maxKeys)
	}
	a, err := analyze(in, m, keys)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", src.input, err)
	}
	if a.total == 0 {
		return false, fmt.Errorf("no partition keys in %s (%d empty lines)", src.input, a.empty)
	}
	if err := writeReport(stdout, a, src, c.top); err != nil {
		return false, fmt.Errorf("write report: %w", err)
	}
	return a.hot(), nil
}

// shards returns the shard map c asks for and describes it.
func shards(c config) (*shardmap.Map, source, error) {
	if c.listShards == "" {
		even, err := shardmap.EvenSplit(c.shards)
		if err != nil {
			return nil, source{}, fmt.Errorf("-shards: %w", err)
		}
		m, err := shardmap.NewMap(even)
		if err != nil {
			return nil, source{}, fmt.Errorf("-shards %d: %w", c.shards, err)
		}
		return m, source{shards: fmt.Sprintf("evenly split (-shards %d)", c.shards)}, nil
	}
	f, err := os.Open(c.listShards)
	if err != nil {
		return nil, source{}, fmt.Errorf("-list-shards: %w", err)
	}
	defer f.Close()
	ls, err := shardmap.ParseListShards(f)
	if err != nil {
		return nil, source{}, fmt.Errorf("-list-shards %s: %w", c.listShards, err)
	}
	m, err := shardmap.NewMap(ls.Open)
	if err != nil {
		return nil, source{}, fmt.Errorf("-list-shards %s: %w", c.listShards, err)
	}
	return m, source{shards: "open shards from " + c.listShards, closed: ls.Closed}, nil
}
