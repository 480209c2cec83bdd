package test

import (
	"strings"
	"testing"

	"github.com/standardstream/standardstream/internal/cdktest"
	"github.com/standardstream/standardstream/stacks"
)

// TestNag runs the AwsSolutions and Serverless cdk-nag packs over every
// environment's stack. Any unsuppressed error or warning fails the test,
// naming the rule and the resource path.
func TestNag(t *testing.T) {
	app := cdktest.NewApp(t, false)
	findings := cdktest.Nag(app)
	if _, err := stacks.Build(app, stacks.Environments()); err != nil {
		t.Fatal(err)
	}
	if f := findings(); len(f) > 0 {
		t.Errorf("%d unsuppressed cdk-nag findings:\n%s", len(f), strings.Join(f, "\n"))
	}
}
