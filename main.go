// Command standardstream is the CDK app: it synthesizes one StandardStream
// stack per environment (see package stacks). Run it through the CDK CLI:
// `make synth`, `make deploy ENV=dev`.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/stacks"
)

func main() {
	code := run(stacks.Environments(), os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// run synthesizes the stacks of envs. A configuration mistake is reported on
// stderr as one line naming the field and the value, never as a panic trace.
func run(envs []stacks.Environment, stderr io.Writer) (code int) {
	defer func() {
		// CDK reports its own errors (and a failed consumer build) by
		// panicking through jsii; they are user-facing messages too.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "standardstream: %v\n", r)
			code = 1
		}
	}()
	app := awscdk.NewApp(nil)
	if _, err := stacks.Build(app, envs); err != nil {
		fmt.Fprintf(stderr, "standardstream: %v\n", err)
		return 1
	}
	app.Synth(nil)
	return 0
}
