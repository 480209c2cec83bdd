package cdktest

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cloudformationinclude"
	"github.com/aws/jsii-runtime-go"
)

// NagTemplates runs the AwsSolutions and Serverless cdk-nag packs over
// synthesized templates, as an outside auditor does: each template is
// included as it is (cloudformationinclude), so every resource is checked,
// CDK's own custom-resource providers too, which an in-app audit skips
// (they are plain CfnResources, not the L1 classes cdk-nag's rules look
// for). Suppressions count only if they are in the template (cdk_nag
// metadata). It returns every unsuppressed error and warning as
// "<rule> <template>: <aws:cdk:path or logical ID>: <info>", sorted.
func NagTemplates(t testing.TB, templates ...string) []string {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(t.TempDir()),
		Context: &map[string]any{"@aws-cdk/core:failSynthOnValidationErrors": false},
	})
	addNagPacks(app)
	for _, template := range templates {
		// The template's own bootstrap parameter and rule come along, so the
		// auditing stack adds none.
		stack := awscdk.NewStack(app, jsii.String(stackID(template)), &awscdk.StackProps{
			Synthesizer: awscdk.NewBootstraplessSynthesizer(nil),
		})
		cloudformationinclude.NewCfnInclude(stack, jsii.String("Template"), &cloudformationinclude.CfnIncludeProps{
			TemplateFile: jsii.String(template),
		})
	}
	if err := catch(func() { app.Synth(nil) }); err != nil {
		t.Fatalf("synthesizing the audited templates: %v", err)
	}
	findings, err := nagFindings(*app.Outdir())
	if err != nil {
		t.Fatal(err)
	}
	return findings
}

var nonID = regexp.MustCompile(`[^A-Za-z0-9-]`)

// stackID names the auditing stack after the template file.
func stackID(template string) string {
	name := strings.TrimSuffix(filepath.Base(template), ".json")
	return nonID.ReplaceAllString(strings.TrimSuffix(name, ".template"), "-")
}
