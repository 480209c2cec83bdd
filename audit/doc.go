// Package audit runs the two outside audits of StandardStream templates that
// a team's own tests can run too, as this repository's do: cdk-nag's
// AwsSolutions and Serverless packs over the synthesized templates ([Nag]),
// and AWS Control Tower's proactive controls with cfn-guard ([ControlTower]),
// whose findings on a StandardStream are matched against the exemptions the
// construct documents, each with its reason ([Exempt] and
// streaming.ControlTowerExemptions).
//
// Both read template files, so they audit what CloudFormation gets,
// CDK's own custom-resource providers included. cfn-guard and the Control
// Tower rules come from the npm package @cdklabs/cdk-validator-cfnguard,
// which the package.json of an app that `standardstream new` creates pins
// (`make deps` installs it).
//
// A team's test, with the synthesized templates (see the test that
// `standardstream new` writes, test/stacks_test.go):
//
//	if f, err := audit.Nag(templates...); err != nil || len(f) > 0 { ... }
//	findings, err := audit.ControlTower(root, templates...)
//	rest, _, err := audit.Exempt(findings, templates...)
//	// rest must be empty
package audit
