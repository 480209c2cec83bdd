package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// barWidth is the bar length of the hottest shard; the others scale.
	barWidth = 40
	// keyDisplayRunes is where a long key is cut in the top-keys table.
	keyDisplayRunes = 48
)

// source says where the keys and the shards came from, for the report.
type source struct {
	input  string   // the key file, or "stdin"
	shards string   // how the shards were made, e.g. "evenly split (-shards 4)"
	closed []string // closed shards of -list-shards, which take no writes
}

// writeReport writes the report for a: a summary, one row per shard, the
// top keys if a counted them, and as its last line
//
//	hottest shard: <shard id> holds <p>% of records (even share <q>%)
func writeReport(out io.Writer, a *analysis, src source, top int) error {
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "records:  %d from %s", a.total, src.input)
	switch {
	case a.keys == nil:
	case a.keys.exact():
		fmt.Fprintf(w, ", %d distinct keys", a.keys.distinct())
	default:
		fmt.Fprintf(w, ", more than %d distinct keys (-max-keys)", a.keys.distinct())
	}
	fmt.Fprintln(w)
	if a.empty > 0 {
		fmt.Fprintf(w, "skipped:  %s (Kinesis rejects an empty partition key)\n", plural(a.empty, "empty line"))
	}
	if a.tooLong > 0 {
		fmt.Fprintf(w, "warning:  %s longer than %d characters, which Kinesis rejects; counted anyway\n", plural(a.tooLong, "key"), maxKeyChars)
	}
	fmt.Fprintf(w, "shards:   %d %s\n", len(a.shards), src.shards)
	if len(src.closed) > 0 {
		fmt.Fprintf(w, "closed:   %s left out, because closed shards take no writes: %s\n", plural(uint64(len(src.closed)), "shard"), strings.Join(src.closed, ", "))
	}

	fmt.Fprintln(w)
	writeShardTable(w, a)

	if a.keys != nil && top > 0 {
		fmt.Fprintln(w)
		writeTopKeys(w, a, top)
	}

	fmt.Fprintln(w)
	h := a.hottest()
	fmt.Fprintf(w, "hottest shard: %s holds %s%% of records (even share %s%%)\n",
		a.shards[h].ID, formatPercent(share(a.records[h], a.total)), formatPercent(100/float64(len(a.shards))))
	return w.Flush()
}

func writeShardTable(w io.Writer, a *analysis) {
	most := a.records[a.hottest()]
	even := float64(a.total) / float64(len(a.shards))
	t := table{header: []string{"SHARD", "RECORDS", "SHARE", "VS EVEN", "", ""}, right: []bool{false, true, true, true, false, false}}
	for i, s := range a.shards {
		n := a.records[i]
		hot := ""
		if hotShard(n, a.total, uint64(len(a.shards))) {
			hot = "hot"
		}
		t.rows = append(t.rows, []string{
			s.ID,
			strconv.FormatUint(n, 10),
			formatPercent(share(n, a.total)) + "%",
			strconv.FormatFloat(float64(n)/even, 'f', 2, 64) + "x",
			hot,
			bar(n, most),
		})
	}
	t.write(w)
}

func writeTopKeys(w io.Writer, a *analysis, top int) {
	exact := a.keys.exact()
	if exact {
		fmt.Fprintf(w, "top %d keys by records:\n", top)
	} else {
		fmt.Fprintf(w, "top %d keys by records (approximate: a key had between RECORDS-OVERCOUNT and RECORDS records):\n", top)
	}
	t := table{header: []string{"RANK", "RECORDS", "SHARE", "SHARD", "KEY"}, right: []bool{true, true, true, false, false}}
	if !exact {
		t.header = []string{"RANK", "RECORDS", "OVERCOUNT", "SHARE", "SHARD", "KEY"}
		t.right = []bool{true, true, true, true, false, false}
	}
	for i, k := range a.keys.top(top) {
		row := []string{strconv.Itoa(i + 1), strconv.FormatUint(k.count, 10)}
		if !exact {
			row = append(row, strconv.FormatUint(k.overcount, 10))
		}
		row = append(row, formatPercent(share(k.count, a.total))+"%", a.shards[k.shard].ID, displayKey(k.key))
		t.rows = append(t.rows, row)
	}
	t.write(w)
}

// plural returns "1 thing" or "n things".
func plural(n uint64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.FormatUint(n, 10) + " " + thing + "s"
}

// share returns n as a percentage of total.
func share(n, total uint64) float64 {
	return 100 * float64(n) / float64(total)
}

// formatPercent formats a percentage with one decimal place. Below 1 it
// keeps two significant digits instead, because one decimal place would
// print the even share of a 1,000-shard stream as 0.1 and of 2,000 shards
// as 0.1 too.
func formatPercent(p float64) string {
	if p >= 1 || p <= 0 {
		return strconv.FormatFloat(p, 'f', 1, 64)
	}
	decimals := 1 - int(math.Floor(math.Log10(p)))
	return strconv.FormatFloat(p, 'f', decimals, 64)
}

// bar returns a bar for n records, barWidth long for most records. A shard
// with any records gets at least one mark, so it is not mistaken for empty.
func bar(n, most uint64) string {
	if n == 0 {
		return ""
	}
	width := int(math.Round(float64(n) / float64(most) * barWidth))
	return strings.Repeat("#", max(width, 1))
}

// displayKey quotes a key so that spaces and control characters show, and
// cuts a long one, saying how long it was.
func displayKey(k string) string {
	n := utf8.RuneCountInString(k)
	if n <= keyDisplayRunes {
		return strconv.Quote(k)
	}
	cut := 0
	for range keyDisplayRunes {
		_, size := utf8.DecodeRuneInString(k[cut:])
		cut += size
	}
	return fmt.Sprintf("%s... (%d characters)", strconv.Quote(k[:cut]), n)
}

// table writes aligned columns separated by two spaces, without trailing
// spaces.
type table struct {
	header []string
	right  []bool // right-align this column
	rows   [][]string
}

func (t *table) write(w io.Writer) {
	widths := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range append([][]string{t.header}, t.rows...) {
		b.Reset()
		for i, c := range r {
			if widths[i] == 0 {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
