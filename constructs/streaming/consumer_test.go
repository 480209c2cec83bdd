package streaming_test

import (
	"bytes"
	"debug/buildinfo"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming"
	"github.com/standardstream/standardstream/internal/cdktest"
)

// TestConsumerAsset synthesizes the default consumer without a data model,
// with one, and with the schema file edited, in one app, and checks what
// each Lambda asset holds and that the schema's content is in its hash.
func TestConsumerAsset(t *testing.T) {
	root := cdktest.Root(t)
	schema, err := os.ReadFile(filepath.Join(root, "lambda", "event.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	schemaA, schemaB := filepath.Join(dir, "a.schema.json"), filepath.Join(dir, "b.schema.json")
	edited := bytes.Replace(schema, []byte(`"description": "What happened."`), []byte(`"description": "What happened, edited."`), 1)
	if bytes.Equal(edited, schema) {
		t.Fatal("the edit did not apply")
	}
	for file, content := range map[string][]byte{schemaA: schema, schemaB: edited} {
		if err := os.WriteFile(file, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	model := func(path string) *streaming.DataModel {
		return &streaming.DataModel{
			Schema: jsii.String(path), Owner: jsii.String("team"), Description: jsii.String("events"),
			PartitionKey: jsii.String("customer"), PartitionKeyRationale: jsii.String("many customers"),
			Classification: streaming.ClassificationInternal,
		}
	}

	// Bundling (a Go link per asset) only where the test reads the asset.
	ctx := cdktest.Context(t, true)
	ctx["aws:cdk:bundling-stacks"] = []any{"Modeled"}
	outdir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(outdir)})
	props := map[string]*streaming.StandardStreamProps{
		"Plain":   nil,
		"Modeled": {DataModel: model(schemaA)},
		"Edited":  {DataModel: model(schemaB)},
	}
	for name, p := range props {
		streaming.NewStandardStream(awscdk.NewStack(app, jsii.String(name), nil), "Events", p)
	}
	asm := app.Synth(nil)

	keys := map[string]string{}
	for name := range props {
		tmpl := asm.GetStackByName(jsii.String(name)).Template().(map[string]any)
		for _, r := range tmpl["Resources"].(map[string]any) {
			res := r.(map[string]any)
			if p, _ := res["Properties"].(map[string]any); res["Type"] == "AWS::Lambda::Function" && p["Handler"] == "bootstrap" {
				keys[name] = p["Code"].(map[string]any)["S3Key"].(string)
			}
		}
	}
	if keys["Plain"] == keys["Modeled"] {
		t.Error("the schema did not change the asset hash")
	}
	if keys["Modeled"] == keys["Edited"] {
		t.Error("editing the schema file did not change the asset hash")
	}

	asset := func(stack string) string {
		return filepath.Join(outdir, "asset."+strings.TrimSuffix(keys[stack], ".zip"))
	}
	got, err := os.ReadFile(filepath.Join(asset("Modeled"), streaming.ConsumerSchemaFile))
	if err != nil || !bytes.Equal(got, schema) {
		t.Errorf("%s in the asset: got %d bytes, %v; want the DataModel's schema file", streaming.ConsumerSchemaFile, len(got), err)
	}
	info, err := buildinfo.ReadFile(filepath.Join(asset("Modeled"), "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/standardstream/standardstream/lambda/defaultconsumer"; info.Path != want {
		t.Errorf("got the consumer built from %s, want the default consumer %s", info.Path, want)
	}
}
