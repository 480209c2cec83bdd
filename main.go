// Command standardstream is the CDK app: it synthesizes one StandardStream
// stack per environment (see package stacks). Run it through the CDK CLI:
// `make synth`, `make deploy ENV=dev`.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/cdkvalidate"
	"github.com/standardstream/standardstream/stacks"
)

func main() {
	stacks.Prepare()
	code := run(stacks.Environments(), os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// run synthesizes the stacks of envs. An invalid environment is reported on
// stderr as one line naming the field and the value. Props the construct
// rejects are synth errors in the cloud assembly, which the CDK CLI prints
// with their construct paths and fails on.
func run(envs []stacks.Environment, stderr io.Writer) int {
	// A mistake in the environments is reported before CDK starts.
	for _, env := range envs {
		if err := env.Validate(); err != nil {
			fmt.Fprintf(stderr, "standardstream: %v\n", err)
			return 1
		}
	}
	// CDK's template validation runs beside the synthesis (package
	// cdkvalidate): the same check, half a second sooner.
	app := cdkvalidate.NewApp(nil)
	if _, err := stacks.Build(app, envs); err != nil {
		fmt.Fprintf(stderr, "standardstream: %v\n", err)
		return 1
	}
	app.Synth(nil)
	return 0
}
