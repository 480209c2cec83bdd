package cdkapp_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/standardstream/standardstream/cdkapp"
)

func TestReadAssembly(t *testing.T) {
	a, err := cdkapp.ReadAssembly(filepath.Join("testdata", "assembly"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range a.Stacks {
		names = append(names, s.Name)
	}
	// Manifest order, which is not alphabetical here.
	if got := strings.Join(names, " "); got != "App-dev App-prod" {
		t.Errorf("got stacks %q, want %q", got, "App-dev App-prod")
	}
	streams, err := a.Streams()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range streams {
		got = append(got, s.Stack+":"+s.ID+":"+s.Spec.Path)
	}
	// Metadata inline and in additionalMetadataFile; streams by ID per stack.
	want := "App-dev:Clicks:App-dev/Clicks App-dev:Orders:App-dev/Orders App-prod:Orders:App-prod/Orders"
	if strings.Join(got, " ") != want {
		t.Errorf("got streams %q, want %q", strings.Join(got, " "), want)
	}
	// A decoded Schema is compiled again, so it validates.
	s := streams[1].Spec.Schema
	if s == nil {
		t.Fatal("App-dev/Orders: no schema decoded")
	}
	if err := s.Validate(map[string]any{}); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("Validate of a record without id: got %v, want an error naming id", err)
	}
	tpl, err := a.Template(a.Stacks[0])
	if err != nil {
		t.Fatal(err)
	}
	n, err := cdkapp.NormalizeTemplate(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(n), `"Name": "<asset-hash>"`) || !strings.HasSuffix(string(n), "}\n") {
		t.Errorf("normalized template:\n%s", n)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := cdkapp.ReadConfig(dir); err == nil || !strings.Contains(err.Error(), "no cdk.json") {
		t.Errorf("no cdk.json: got %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app": ""}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cdkapp.ReadConfig(dir); err == nil || !strings.Contains(err.Error(), `"app" is empty`) {
		t.Errorf("empty app: got %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app": "echo no assembly; exit 3", "context": {"@aws-cdk/flag": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, err := cdkapp.AppContext(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"@aws-cdk/flag", "aws:cdk:enable-path-metadata", "aws:cdk:bundling-stacks"} {
		if _, ok := ctx[k]; !ok {
			t.Errorf("AppContext lacks %s: %v", k, ctx)
		}
	}
	if _, err := cdkapp.Synth(context.Background(), dir, cdkapp.Options{Outdir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no assembly") {
		t.Errorf("failing app: got %v, want its output in the error", err)
	}
}

// TestSynthSkipsValidation checks that the app runs with CDK's template
// validation off (CDK_VALIDATION=false, which aws-cdk-lib reads in the
// app's process) and with the CLI's context, even when the caller's
// environment turns validation on.
func TestSynthSkipsValidation(t *testing.T) {
	assembly, err := filepath.Abs(filepath.Join("testdata", "assembly"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The app records what it was given and writes a finished assembly.
	app := `printf %s "$CDK_VALIDATION" > validation && printf %s "$CDK_CONTEXT_JSON" > context.json && cp ` + assembly + `/* "$CDK_OUTDIR"`
	cfg, err := json.Marshal(map[string]any{"app": app, "context": map[string]any{"@aws-cdk/core:validateAgainstDefaultRules": true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CDK_VALIDATION", "true")
	a, err := cdkapp.Synth(context.Background(), dir, cdkapp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(a.Dir)
	if len(a.Stacks) != 2 {
		t.Errorf("got %d stacks, want the 2 the app wrote", len(a.Stacks))
	}
	got, err := os.ReadFile(filepath.Join(dir, "validation"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "false" {
		t.Errorf("the app ran with CDK_VALIDATION=%q, want \"false\"", got)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "context.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ctx map[string]any
	if err := json.Unmarshal(raw, &ctx); err != nil {
		t.Fatal(err)
	}
	if ctx["@aws-cdk/core:validateAgainstDefaultRules"] != true || ctx["aws:cdk:enable-path-metadata"] != true {
		t.Errorf("the app's context lacks cdk.json's flags or the CLI's keys: %v", ctx)
	}
}
