package shardmap

import (
	"encoding/json"
	"fmt"
	"io"
)

// listShardsOutput is the part of `aws kinesis list-shards` output (the
// ListShards response) that routing depends on.
type listShardsOutput struct {
	Shards *[]struct {
		ShardID      string `json:"ShardId"`
		HashKeyRange struct {
			StartingHashKey string
			EndingHashKey   string
		}
		SequenceNumberRange struct {
			EndingSequenceNumber string
		}
	}
}

// ListShards is a stream's shards as ListShards reports them.
type ListShards struct {
	// Open are the shards without an EndingSequenceNumber. Only they take
	// writes, and together they cover the whole hash key space.
	Open []Shard
	// Closed are the IDs of the shards closed by a split or merge. They keep
	// their old hash key ranges, but Kinesis routes no new record to them.
	Closed []string
}

// ParseListShards reads the JSON that `aws kinesis list-shards` prints and
// returns its open and closed shards. It returns an error if the document is
// not a ListShards response or its open shards do not cover the hash key
// space exactly once (for example, when it is one page of a paginated
// listing).
func ParseListShards(r io.Reader) (*ListShards, error) {
	var doc listShardsOutput
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if doc.Shards == nil {
		return nil, fmt.Errorf(`no "Shards" array; want the output of aws kinesis list-shards`)
	}
	var ls ListShards
	for i, s := range *doc.Shards {
		if s.ShardID == "" {
			return nil, fmt.Errorf("shard at index %d has no ShardId", i)
		}
		if s.SequenceNumberRange.EndingSequenceNumber != "" {
			ls.Closed = append(ls.Closed, s.ShardID)
			continue
		}
		start, err := ParseHashKey(s.HashKeyRange.StartingHashKey)
		if err != nil {
			return nil, fmt.Errorf("shard %s: StartingHashKey: %w", s.ShardID, err)
		}
		end, err := ParseHashKey(s.HashKeyRange.EndingHashKey)
		if err != nil {
			return nil, fmt.Errorf("shard %s: EndingHashKey: %w", s.ShardID, err)
		}
		ls.Open = append(ls.Open, Shard{ID: s.ShardID, Start: start, End: end})
	}
	if len(ls.Open) == 0 {
		return nil, fmt.Errorf("no open shards (%d shards, all with an EndingSequenceNumber)", len(ls.Closed))
	}
	// Validate coverage here, so that the error says it is about the open
	// shards of this document.
	if _, err := NewMap(ls.Open); err != nil {
		return nil, fmt.Errorf("open shards: %w", err)
	}
	return &ls, nil
}
