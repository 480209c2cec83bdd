package localrun

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

func TestSelectStreams(t *testing.T) {
	all := []cdkapp.Stream{
		{Stack: "App-dev", ID: "ClickEvents"}, {Stack: "App-dev", ID: "Orders"},
		{Stack: "App-prod", ID: "ClickEvents"}, {Stack: "App-prod", ID: "Orders"},
	}
	ids := func(s []cdkapp.Stream) string {
		var out []string
		for _, x := range s {
			out = append(out, x.Stack+"/"+x.ID)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		stack   string
		names   []string
		want    string
		wantErr []string
	}{
		{"", nil, "App-dev/ClickEvents App-dev/Orders", nil},
		{"App-prod", []string{"click-events"}, "App-prod/ClickEvents", nil},
		{"", []string{"Orders", "click-events"}, "App-dev/Orders App-dev/ClickEvents", nil},
		{"App-test", nil, "", []string{"--stack", `"App-test"`, "App-dev"}},
		{"", []string{"payments"}, "", []string{"--stream", `"payments"`, "ClickEvents"}},
	}
	for _, tt := range tests {
		got, err := selectStreams(all, tt.stack, tt.names)
		if len(tt.wantErr) > 0 {
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("%q %q: got %v, want an error containing %q", tt.stack, tt.names, err, w)
				}
			}
			continue
		}
		if err != nil || ids(got) != tt.want {
			t.Errorf("%q %q: got %q, %v; want %q", tt.stack, tt.names, ids(got), err, tt.want)
		}
	}
}

func TestExamples(t *testing.T) {
	s := cdkapp.Stream{ID: "Orders", Spec: spec.Stream{Schema: &spec.Schema{Examples: []any{
		map[string]any{"id": "evt-1", "key": "a"},
		map[string]any{"key": "b"},
	}}}}
	record, err := examples(s)
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range []string{`{"id":"evt-0000000","key":"a"}`, `{"key":"b"}`, `{"id":"evt-0000002","key":"a"}`} {
		got, err := record(n, "k")
		if err != nil || string(got) != want {
			t.Errorf("record %d: got %s, %v; want %s", n, got, err, want)
		}
	}
	// The schema's example is not changed by the unique ids.
	if b, _ := json.Marshal(s.Spec.Schema.Examples[0]); string(b) != `{"id":"evt-1","key":"a"}` {
		t.Errorf("examples[0] was changed: %s", b)
	}
	if _, err := examples(cdkapp.Stream{ID: "Bare"}); err == nil || !strings.Contains(err.Error(), "Bare") {
		t.Errorf("a stream without examples: got %v, want an error naming it", err)
	}
}
