// Package suite is the parity suite of schemagen: testdata/suite.schema.json
// uses every supported keyword, suite_gen.go is generated from it, and the
// tests run each case through the reference validator and the generated
// decoder, which must agree.
package suite

//go:generate go run github.com/standardstream/standardstream/cmd/schemagen -schema testdata/suite.schema.json -type Record -o suite_gen.go
