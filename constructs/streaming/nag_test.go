package streaming

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// TestSuppressionsAsCdkNag: suppress writes the cdk_nag metadata that
// cdk-nag's own NagSuppressions.addResourceSuppressions writes for the same
// suppressions, so cdk-nag (in an app or over a template) honours them.
func TestSuppressionsAsCdkNag(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Nag"), nil)
	type sup struct {
		id, reason string
		appliesTo  []any
		children   bool
	}
	sups := []sup{
		{id: "AwsSolutions-IAM5", reason: "Plain reason, long enough.", appliesTo: []any{"Resource::*", objectWildcard}},
		{id: "AwsSolutions-SQS3", reason: "A reason beyond Latin-1 — with an em dash and ✓."},
		{id: "AwsSolutions-IAM5", reason: "Plain reason, long enough.", appliesTo: []any{"Resource::*", objectWildcard}}, // a repeat is not added twice
		{id: "Serverless-SQSRedrivePolicy", reason: "Applied to every resource below the construct.", children: true},
	}
	// Each side gets an L2 (suppressed through its default child) and a
	// construct with two L1 children (suppressed with children).
	build := func(name string) (awssqs.Queue, constructs.Construct) {
		q := awssqs.NewQueue(stack, jsii.String(name+"Queue"), nil)
		group := constructs.NewConstruct(stack, jsii.String(name+"Group"))
		awssqs.NewCfnQueue(group, jsii.String("One"), nil)
		awssqs.NewCfnQueue(group, jsii.String("Two"), nil)
		return q, group
	}
	theirQueue, theirGroup := build("Theirs")
	ourQueue, ourGroup := build("Ours")
	for _, s := range sups {
		var appliesTo []any
		for _, a := range s.appliesTo {
			if r, ok := a.(nagRegex); ok {
				a = &cdknag.RegexAppliesTo{Regex: jsii.String(string(r))}
			}
			appliesTo = append(appliesTo, a)
		}
		theirs := &cdknag.NagPackSuppression{Id: jsii.String(s.id), Reason: jsii.String(s.reason)}
		if len(appliesTo) > 0 {
			theirs.AppliesTo = &appliesTo
		}
		if s.children {
			cdknag.NagSuppressions_AddResourceSuppressions(theirGroup, &[]*cdknag.NagPackSuppression{theirs}, jsii.Bool(true))
			suppressAll(ourGroup, true, s.id, s.reason, s.appliesTo...)
			continue
		}
		cdknag.NagSuppressions_AddResourceSuppressions(theirQueue, &[]*cdknag.NagPackSuppression{theirs}, jsii.Bool(false))
		suppress(ourQueue, s.id, s.reason, s.appliesTo...)
	}
	metadata := func(c constructs.IConstruct) string {
		b, err := json.Marshal(c.(awscdk.CfnResource).GetMetadata(jsii.String("cdk_nag")))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, pair := range [][2]constructs.IConstruct{
		{theirQueue.Node().DefaultChild(), ourQueue.Node().DefaultChild()},
		{theirGroup.Node().FindChild(jsii.String("One")), ourGroup.Node().FindChild(jsii.String("One"))},
		{theirGroup.Node().FindChild(jsii.String("Two")), ourGroup.Node().FindChild(jsii.String("Two"))},
	} {
		theirs, ours := metadata(pair[0]), metadata(pair[1])
		if theirs == "null" || ours != theirs {
			t.Errorf("%s: cdk_nag metadata\n ours   %s\n cdk-nag %s", *pair[1].Node().Path(), ours, theirs)
		}
	}
}
