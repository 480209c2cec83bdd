package propsdoc

import (
	"strings"
	"testing"
)

const pkg = "../../constructs/streaming"

// Every prop documents its default, as STYLE.md asks: the page would show a
// blank otherwise.
func TestEveryPropHasADefault(t *testing.T) {
	p, err := Parse(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Structs) != len(documented) {
		t.Fatalf("got %d structs, want %d", len(p.Structs), len(documented))
	}
	for _, s := range p.Structs {
		if len(s.Fields) == 0 {
			t.Errorf("%s has no fields", s.Name)
		}
		for _, f := range s.Fields {
			if f.Default == "" {
				t.Errorf("%s.%s has no @default in its doc comment", s.Name, f.Name)
			}
			if f.Doc == "" {
				t.Errorf("%s.%s has no description", s.Name, f.Name)
			}
		}
	}
}

func TestMarkdown(t *testing.T) {
	md, err := Markdown(pkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## StandardStreamProps",
		"| `RetentionPeriod` | `awscdk.Duration` | Duration.hours(24) | RetentionPeriod is how long the stream keeps records, 24 to 8760 hours",
		"| `BatchSize` | `*float64` | 100 |",
		"## FailureDestination",
		"| `FailureDestinationS3` | `\"S3\"` |",
		"## Classification",
		"| `GrantWrite()` | `method` |",
		"| `IteratorAgeAlarm` | `awscloudwatch.Alarm` |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	if _, err := Parse(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no package streaming") {
		t.Errorf("got %v, want an error for a directory without the package", err)
	}
}
