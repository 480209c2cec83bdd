// Command standardstream is the CDK app: it synthesizes one StandardStream
// stack per environment (see package stacks). Run it through the CDK CLI:
// `make synth`, `make deploy ENV=dev`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/stacks"
)

func main() {
	os.Exit(run())
}

func run() (code int) {
	defer jsii.Close()
	defer func() {
		// A configuration mistake is reported as one line, not a trace.
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "standardstream: %v\n", r)
			code = 1
		}
	}()
	app := awscdk.NewApp(nil)
	if err := stacks.Build(app, stacks.Environments()); err != nil {
		fmt.Fprintf(os.Stderr, "standardstream: %v\n", err)
		return 1
	}
	app.Synth(nil)
	return 0
}
