package audit

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cloudformationinclude"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Nag runs the AwsSolutions and Serverless cdk-nag packs over synthesized
// templates, as an outside auditor does: each template is included as it is
// (cloudformationinclude), so every resource is checked, CDK's own
// custom-resource providers too, which an in-app audit skips (they are
// plain CfnResources, not the L1 classes cdk-nag's rules look for).
// Suppressions count only if they are in the template (cdk_nag metadata).
// It returns every unsuppressed finding as
// "<rule> <auditing stack>/Template/<logical ID>: <info>", sorted; the
// auditing stack is named after the template file.
//
// Nag runs in this process's jsii runtime: call it from a test or a
// program, not concurrently with another synthesis.
func Nag(templates ...string) (findings []string, err error) {
	if len(templates) == 0 {
		return nil, fmt.Errorf("audit: nag: no templates")
	}
	for _, template := range templates {
		if _, err := os.Stat(template); err != nil {
			return nil, fmt.Errorf("audit: nag: %w", err)
		}
	}
	out, err := os.MkdirTemp("", "audit-nag-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	defer func() {
		// jsii reports a JavaScript error (a template CDK cannot include) as
		// a panic.
		if r := recover(); r != nil {
			findings, err = nil, fmt.Errorf("audit: nag: synthesizing the audited templates: %v", r)
		}
	}()
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(out),
		Context: &map[string]any{"@aws-cdk/core:failSynthOnValidationErrors": false},
		// The audited templates were validated when they were synthesized;
		// validating their copies again only costs time.
		BuiltinCloudFormationValidation: jsii.Bool(false),
	})
	AddNagPacks(app)
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
	app.Synth(nil)
	return NagReports(out)
}

// AddNagPacks adds cdk-nag's AwsSolutions and Serverless packs to app,
// reporting to CSV files in its output directory, which NagReports reads
// after synthesis. CSV reports cost far less than a Go logger called back
// over jsii for every rule and resource.
func AddNagPacks(app awscdk.App) {
	props := &cdknag.NagPackProps{Reports: jsii.Bool(true), ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_CSV}}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(props), nil)
}

var nonID = regexp.MustCompile(`[^A-Za-z0-9-]`)

// stackID names the auditing stack after the template file.
func stackID(template string) string {
	name := strings.TrimSuffix(filepath.Base(template), ".json")
	return nonID.ReplaceAllString(strings.TrimSuffix(name, ".template"), "-")
}

// NagReports reads the cdk-nag CSV reports in dir, an app's output
// directory after AddNagPacks and synthesis (one report per pack and stack:
// rule, resource path, compliance, exception reason, level, info), and
// returns every unsuppressed finding as "<rule> <path>: <info>", sorted.
func NagReports(dir string) ([]string, error) {
	reports, err := filepath.Glob(filepath.Join(dir, "*-NagReport.csv"))
	if err != nil {
		return nil, err
	}
	if len(reports) == 0 {
		return nil, fmt.Errorf("audit: nag: no cdk-nag report in %s: the packs did not run", dir)
	}
	var findings []string
	for _, report := range reports {
		f, err := os.Open(report)
		if err != nil {
			return nil, err
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("audit: nag: %s: %w", report, err)
		}
		for _, row := range rows[min(1, len(rows)):] { // after the header
			if len(row) != 6 {
				return nil, fmt.Errorf("audit: nag: %s: got %d columns, want 6: %q", report, len(row), row)
			}
			rule, path, compliance, info := row[0], row[1], row[2], row[5]
			switch compliance {
			case "Compliant", "Suppressed":
			case "Non-Compliant":
				findings = append(findings, fmt.Sprintf("%s %s: %s", rule, path, info))
			default: // UNKNOWN: the rule threw
				findings = append(findings, fmt.Sprintf("%s %s: rule failed (%s): %s", rule, path, compliance, info))
			}
		}
	}
	sort.Strings(findings)
	return slices.Compact(findings), nil
}
