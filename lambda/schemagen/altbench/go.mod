module github.com/standardstream/standardstream/lambda/schemagen/altbench

go 1.26.0

require (
	github.com/goccy/go-json v0.10.5
	github.com/segmentio/encoding v0.5.4
	github.com/standardstream/standardstream v0.0.0
	github.com/valyala/fastjson v1.6.10
)

require (
	github.com/segmentio/asm v1.1.3 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/standardstream/standardstream => ../../..
