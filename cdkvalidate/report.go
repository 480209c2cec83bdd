package cdkvalidate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReportFile is the file in a cloud assembly where CDK writes the findings
// of its template validation (and of any other validation plugin).
const ReportFile = "validation-report.json"

// Violation is one finding of CDK's validation report: a rule that a
// resource breaks.
type Violation struct {
	// Plugin is the validation plugin that found it: "CloudFormation
	// Validate" for CDK's template validation.
	Plugin string
	// Rule is the rule's ID, such as F3002.
	Rule string
	// Severity is the rule's severity: "error" or "warning".
	Severity string
	// Description says what is wrong, naming the property.
	Description string
	// Paths are the construct paths of the resources that break the rule,
	// each followed by its template and logical ID.
	Paths []string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s %s: %s (%s)", v.Plugin, v.Severity, v.Rule, v.Description, strings.Join(v.Paths, ", "))
}

// Violations returns every finding in the validation report of the cloud
// assembly in dir, which CDK writes when it synthesizes with validation on.
//
// An app that runs with the context a CDK CLI gives it
// (@aws-cdk/core:failSynthOnValidationErrors false) leaves reporting to
// the CLI: synthesis succeeds whatever the findings, and they are only in
// this file. A test that synthesizes such an app in its own process, as
// cdkapp.AppContext sets it up, sees them only through Violations. The
// report's absence is an error: validation did not run (it was turned
// off, or the app was not synthesized into dir).
func Violations(dir string) ([]Violation, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cdkvalidate: no %s in %s: CDK's validation did not run (CDK_VALIDATION=false or BuiltinCloudFormationValidation false?) or nothing was synthesized there", ReportFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("cdkvalidate: %w", err)
	}
	var report struct {
		PluginReports []struct {
			PluginName string `json:"pluginName"`
			Violations []struct {
				RuleName            string `json:"ruleName"`
				Description         string `json:"description"`
				Severity            string `json:"severity"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
					Resource      *struct {
						TemplatePath string `json:"templatePath"`
						LogicalID    string `json:"logicalId"`
					} `json:"cloudFormationResource"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		return nil, fmt.Errorf("cdkvalidate: %s: %w", filepath.Join(dir, ReportFile), err)
	}
	var out []Violation
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			found := Violation{Plugin: p.PluginName, Rule: v.RuleName, Severity: v.Severity, Description: v.Description}
			for _, c := range v.ViolatingConstructs {
				path := c.ConstructPath
				if c.Resource != nil {
					path += " (" + c.Resource.TemplatePath + " " + c.Resource.LogicalID + ")"
				}
				found.Paths = append(found.Paths, path)
			}
			out = append(out, found)
		}
	}
	return out, nil
}
