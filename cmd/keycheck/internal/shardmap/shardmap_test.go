package shardmap

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// two128 is 2^128, the size of the hash key space.
var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

func TestHash(t *testing.T) {
	// MD5 test suite from RFC 1321, appendix A.5; the expected hash keys are
	// the digests read as hexadecimal integers by math/big.
	tests := []struct{ key, md5 string }{
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.key), func(t *testing.T) {
			want, _ := new(big.Int).SetString(tt.md5, 16)
			if got := Hash([]byte(tt.key)); got.Big().Cmp(want) != 0 {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}

func TestEvenSplit(t *testing.T) {
	// The ranges Kinesis gives new streams, as AWS's documentation shows them
	// (describe-stream and ListShards examples, API Gateway tutorial).
	tests := []struct {
		n    int
		want [][2]string // StartingHashKey, EndingHashKey per shard
	}{
		{1, [][2]string{{"0", "340282366920938463463374607431768211455"}}},
		{2, [][2]string{
			{"0", "170141183460469231731687303715884105727"},
			{"170141183460469231731687303715884105728", "340282366920938463463374607431768211455"},
		}},
		{3, [][2]string{
			{"0", "113427455640312821154458202477256070484"},
			{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
			{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"},
		}},
		{5, [][2]string{
			{"0", "68056473384187692692674921486353642290"},
			{"68056473384187692692674921486353642291", "136112946768375385385349842972707284581"},
			{"136112946768375385385349842972707284582", "204169420152563078078024764459060926872"},
			{"204169420152563078078024764459060926873", "272225893536750770770699685945414569163"},
			{"272225893536750770770699685945414569164", "340282366920938463463374607431768211455"},
		}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			shards, err := EvenSplit(tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if len(shards) != len(tt.want) {
				t.Fatalf("got %d shards, want %d", len(shards), len(tt.want))
			}
			for i, s := range shards {
				if id := fmt.Sprintf("shardId-%012d", i); s.ID != id {
					t.Errorf("shard %d: got ID %s, want %s", i, s.ID, id)
				}
				if got := [2]string{s.Start.String(), s.End.String()}; got != tt.want[i] {
					t.Errorf("shard %d: got range %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestEvenSplitBounds(t *testing.T) {
	for _, n := range []int{0, -1, MaxEvenShards + 1} {
		if _, err := EvenSplit(n); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("got %d", n)) {
			t.Errorf("EvenSplit(%d): got error %v, want one naming %d", n, err, n)
		}
	}
}

// TestFindMatchesBig checks the whole MD5-to-shard mapping against an
// independent computation in math/big. Shard i of n starts at
// floor(i·2^128/n), so hash key h belongs to the largest i with
// i·2^128 < (h+1)·n, which is ((h+1)·n - 1) >> 128.
func TestFindMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 16, 100, 999, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			shards, err := EvenSplit(n)
			if err != nil {
				t.Fatal(err)
			}
			m, err := NewMap(shards)
			if err != nil {
				t.Fatal(err)
			}
			want := func(h *big.Int) int {
				x := new(big.Int).Add(h, big.NewInt(1))
				x.Mul(x, big.NewInt(int64(n)))
				x.Sub(x, big.NewInt(1))
				return int(x.Rsh(x, 128).Int64())
			}
			check := func(what string, h HashKey) {
				t.Helper()
				if got, want := m.Find(h), want(h.Big()); got != want {
					t.Errorf("%s: hash key %s: got shard %d, want %d", what, h, got, want)
				}
			}
			// Real partition keys, through MD5.
			for i := range 2000 {
				key := fmt.Sprintf("key-%d-%x", i, rng.Uint64())
				check(fmt.Sprintf("key %q", key), Hash([]byte(key)))
			}
			// The edges of every range, where an off-by-one would show.
			check("zero", HashKey{})
			check("max", MaxHashKey)
			for i := 1; i < n && i < 50; i++ {
				b := new(big.Int).Mul(two128, big.NewInt(int64(i)))
				b.Quo(b, big.NewInt(int64(n)))
				check(fmt.Sprintf("start of shard %d", i), hashKeyFromBig(b))
				check(fmt.Sprintf("end of shard %d", i-1), hashKeyFromBig(b.Sub(b, big.NewInt(1))))
			}
		})
	}
}

func TestParseHashKey(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for an error
	}{
		{"0", "0"},
		{"1", "1"},
		{"18446744073709551616", "18446744073709551616"}, // 2^64
		{"340282366920938463463374607431768211455", "340282366920938463463374607431768211455"},
		{"340282366920938463463374607431768211456", ""}, // 2^128
		{"", ""},
		{"01", ""},
		{"-1", ""},
		{"1e3", ""},
		{" 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseHashKey(tt.in)
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("got %s, want an error", got)
			case tt.want != "" && err != nil:
				t.Errorf("got error %v, want %s", err, tt.want)
			case tt.want != "" && got.String() != tt.want:
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNewMapRejectsBadCoverage(t *testing.T) {
	half := hashKeyFromBig(new(big.Int).Rsh(two128, 1))
	halfMinus1 := hashKeyFromBig(new(big.Int).Sub(half.Big(), big.NewInt(1)))
	tests := []struct {
		name   string
		shards []Shard
		want   string
	}{
		{"none", nil, "no shards"},
		{"gap", []Shard{{"a", HashKey{}, HashKey{Lo: 10}}, {"b", HashKey{Lo: 12}, MaxHashKey}}, "gap between shards a (ends at 10) and b (starts at 12)"},
		{"overlap", []Shard{{"a", HashKey{}, half}, {"b", half, MaxHashKey}}, "overlap between shards a"},
		{"no zero", []Shard{{"a", HashKey{Lo: 1}, MaxHashKey}}, "no shard covers hash key 0"},
		{"no max", []Shard{{"a", HashKey{}, halfMinus1}}, "no shard covers hash key 2^128-1"},
		{"inverted", []Shard{{"a", HashKey{}, HashKey{Lo: 5}}, {"b", HashKey{Lo: 6}, HashKey{Lo: 2}}}, "shard b: StartingHashKey 6 is greater than EndingHashKey 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMap(tt.shards)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseListShards(t *testing.T) {
	const half = "170141183460469231731687303715884105728"
	const halfMinus1 = "170141183460469231731687303715884105727"
	const max = "340282366920938463463374607431768211455"
	shard := func(id, start, end, endSeq string) string {
		seq := `"StartingSequenceNumber": "1"`
		if endSeq != "" {
			seq += `, "EndingSequenceNumber": "` + endSeq + `"`
		}
		return fmt.Sprintf(`{"ShardId": %q, "HashKeyRange": {"StartingHashKey": %q, "EndingHashKey": %q}, "SequenceNumberRange": {%s}}`, id, start, end, seq)
	}
	doc := func(shards ...string) string { return `{"Shards": [` + strings.Join(shards, ",") + `]}` }
	tests := []struct {
		name       string
		in         string
		wantOpen   []string
		wantClosed []string
		wantErr    string
	}{
		{
			name:     "new stream",
			in:       doc(shard("shardId-000000000000", "0", halfMinus1, ""), shard("shardId-000000000001", half, max, "")),
			wantOpen: []string{"shardId-000000000000", "shardId-000000000001"},
		},
		{
			name: "after a merge, closed parents are left out",
			in: doc(shard("shardId-000000000000", "0", halfMinus1, "9"), shard("shardId-000000000001", half, max, "9"),
				shard("shardId-000000000002", "0", max, "")),
			wantOpen:   []string{"shardId-000000000002"},
			wantClosed: []string{"shardId-000000000000", "shardId-000000000001"},
		},
		{name: "not JSON", in: `Shards:`, wantErr: "invalid JSON"},
		{name: "describe-stream output", in: `{"StreamDescription": {"Shards": []}}`, wantErr: `no "Shards" array`},
		{name: "empty", in: `{"Shards": []}`, wantErr: "no open shards (0 shards"},
		{name: "all closed", in: doc(shard("s0", "0", max, "5")), wantErr: "no open shards (1 shards"},
		{name: "no ShardId", in: doc(shard("", "0", max, "")), wantErr: "shard at index 0 has no ShardId"},
		{name: "bad hash key", in: doc(shard("s0", "0", "0x10", "")), wantErr: `shard s0: EndingHashKey: hash key "0x10" is not a decimal integer`},
		{name: "one page of many", in: doc(shard("s0", "0", halfMinus1, "")), wantErr: "open shards: no shard covers hash key 2^128-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls, err := ParseListShards(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var open []string
			for _, s := range ls.Open {
				open = append(open, s.ID)
			}
			if fmt.Sprint(open) != fmt.Sprint(tt.wantOpen) || fmt.Sprint(ls.Closed) != fmt.Sprint(tt.wantClosed) {
				t.Errorf("got open %v closed %v, want open %v closed %v", open, ls.Closed, tt.wantOpen, tt.wantClosed)
			}
		})
	}
}

func BenchmarkHashAndFind(b *testing.B) {
	shards, _ := EvenSplit(8)
	m, _ := NewMap(shards)
	key := []byte("8f14e45f-ceea-467a-9575-6c2a1b3d7e4f")
	for b.Loop() {
		m.Find(Hash(key))
	}
}
