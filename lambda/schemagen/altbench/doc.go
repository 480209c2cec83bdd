// Package altbench measures the decoders that schemagen's generated code
// was chosen against (docs/consumer.md): encoding/json, goccy/go-json,
// segmentio/encoding and valyala/fastjson, on the reference stream's
// events, decoded into the Event that go generate writes from the
// reference schema (not committed, so it cannot go stale). It is a module
// of its own so that the main module does not depend on them; `go test
// ./...` from the repository root skips it.
//
//	cd lambda/schemagen/altbench && go generate && go test -run '^$' -bench . -cpu 1 -count 6
package altbench

//go:generate go run github.com/standardstream/standardstream/cmd/schemagen -schema ../../event.schema.json -type Event -o event_gen.go
