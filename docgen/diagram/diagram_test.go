package diagram_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/docgen/diagram"
)

var update = flag.Bool("update", false, "rewrite the golden SVGs in testdata")

// devTemplate is the reference app's dev stack, as the snapshot test keeps it.
const devTemplate = "../../test/testdata/StandardStream-dev.template.json"

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtures are the templates of the golden tests. two-streams.template.json
// is a stack with two StandardStreams, Orders (defaults, one writer role)
// and Clicks (provisioned, enhanced fan-out, SQS failure destination),
// synthesized by fixture_test.go.
func fixtures(t *testing.T) map[string]map[string][]byte {
	return map[string]map[string][]byte{
		"StandardStream-dev": {"StandardStream-dev": read(t, devTemplate)},
		"two-streams":        {"Shop": read(t, filepath.Join("testdata", "two-streams.template.json"))},
	}
}

func TestGolden(t *testing.T) {
	for name, templates := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			got, err := diagram.SVG(templates)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := read(t, golden); !bytes.Equal(got, want) {
				t.Errorf("%s is stale: got a different SVG; review the change and run go test ./docgen/diagram -update", golden)
			}
		})
	}
}

// parse checks that svg is well-formed XML with an <svg> root, and returns
// its text content, one string per <text> element.
func parse(t *testing.T, svg []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var texts []string
	var root string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("got root namespace %q, want the SVG namespace", tok.Name.Space)
				}
			}
			if tok.Name.Local == "text" {
				inText = true
				texts = append(texts, "")
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				inText = false
			}
		case xml.CharData:
			if inText {
				texts[len(texts)-1] += string(tok)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("got root element %q, want svg", root)
	}
	return texts
}

func contains(t *testing.T, texts []string, want ...string) {
	t.Helper()
	all := strings.Join(texts, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("diagram has no text %q", w)
		}
	}
}

func TestDevLabels(t *testing.T) {
	svg, err := diagram.SVG(fixtures(t)["StandardStream-dev"])
	if err != nil {
		t.Fatal(err)
	}
	texts := parse(t, svg)
	contains(t, texts,
		"StandardStream architecture",
		"StandardStream-dev · Events",
		"Producers", "PutRecords",
		"Kinesis data stream", "standardstream-events-dev", "on-demand", "retention 24 h", "KMS alias/aws/kinesis",
		"Event-source mapping", "batch 100", "parallelization 1", "bisect on error", "retries 3", "max record age 6 h", "partial batch responses",
		"Lambda consumer", "provided.al2023 arm64", "512 MB, timeout 60 s",
		"Failure bucket (S3)", "Failures", "on failure",
		"Firehose delivery stream", "Delivery", "GZIP",
		"Archive bucket (S3)", "data/year=yyyy/month=MM/day=dd/hour=HH/", "Standard-IA after 30 d", "expires after 365 d",
		"Access-log bucket (S3)", "AccessLogs",
		"CloudWatch: 8 alarms, 1 dashboard", "IteratorAgeAlarm", "StreamIteratorAgeAlarm", "WriteThrottleAlarm",
		"ConsumerErrorAlarm", "FailedRecordsAlarm", "FailureDeliveryAlarm", "ArchiveFreshnessAlarm",
		"SNS topic", "AlarmTopic", "TLS only", "ALARM / OK",
	)
	if got := strings.Count(string(svg), `class="lane"`); got != 1 {
		t.Errorf("got %d lanes, want 1", got)
	}
}

func TestTwoStreams(t *testing.T) {
	svg, err := diagram.SVG(fixtures(t)["two-streams"])
	if err != nil {
		t.Fatal(err)
	}
	texts := parse(t, svg)
	if got := strings.Count(string(svg), `class="lane"`); got != 2 {
		t.Fatalf("got %d lanes, want 2", got)
	}
	clicks := strings.Index(string(svg), "Shop · Clicks")
	orders := strings.Index(string(svg), "Shop · Orders")
	if clicks < 0 || orders < 0 || clicks > orders {
		t.Errorf("got lanes Clicks at %d and Orders at %d, want both, in construct-ID order", clicks, orders)
	}
	clicksSVG, ordersSVG := string(svg[clicks:orders]), string(svg[orders:])
	for _, want := range []string{"clicks", "provisioned, 4 shards", "retention 48 h", "SubscribeToShard", "enhanced fan-out", "Failure queue (SQS)", "FailureQueue", "SSE-SQS encrypted"} {
		if !strings.Contains(clicksSVG, want) {
			t.Errorf("Clicks lane has no %q", want)
		}
	}
	for _, want := range []string{"orders", "on-demand", "batch 500", "parallelization 2", "Failure bucket (S3)", "granted write:", "OrderApi"} {
		if !strings.Contains(ordersSVG, want) {
			t.Errorf("Orders lane has no %q", want)
		}
	}
	if strings.Contains(clicksSVG, "OrderApi") {
		t.Error("Clicks lane lists OrderApi as a writer; it may write only to Orders")
	}
	contains(t, texts, "CloudWatch: 8 alarms, 1 dashboard")
}

func TestDeterministic(t *testing.T) {
	templates := map[string][]byte{}
	for _, f := range fixtures(t) {
		for stack, tpl := range f {
			templates[stack] = tpl
		}
	}
	first, err := diagram.SVG(templates)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := diagram.SVG(templates)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("got different SVGs for the same templates, want the same bytes")
		}
	}
	parse(t, first)
	if got := strings.Count(string(first), `class="lane"`); got != 3 {
		t.Errorf("got %d lanes, want 3", got)
	}
	// Stacks in name order: Shop before StandardStream-dev.
	if shop, dev := strings.Index(string(first), "Shop · "), strings.Index(string(first), "StandardStream-dev · "); shop > dev {
		t.Errorf("got stack Shop after StandardStream-dev, want name order")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		templates map[string][]byte
		want      string
	}{
		{"not JSON", map[string][]byte{"Broken": []byte(`{"Resources":`)}, "diagram: stack Broken: template:"},
		{"no stream", map[string][]byte{"Empty": []byte(`{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}`)}, "diagram: no Kinesis stream in the templates of [Empty]"},
		{"no templates", nil, "diagram: no Kinesis stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := diagram.SVG(tt.templates)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// A bare stream, without the construct's other resources or metadata,
// still draws: the diagram shows what the template has.
func TestBareStream(t *testing.T) {
	svg, err := diagram.SVG(map[string][]byte{"Bare": []byte(`{"Resources":{"S":{"Type":"AWS::Kinesis::Stream","Properties":{"ShardCount":2}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	contains(t, parse(t, svg), "Bare · S", "S (name generated)", "provisioned, 2 shards", "not encrypted", "no role granted")
}
