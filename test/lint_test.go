package test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/stacks"
)

// cfnLintRun is cfn-lint started by TestMain. It lints the golden files, not
// the CDK tests' output, so it can run from the start while those tests keep
// jsii busy: its seconds of Python then cost the suite no time.
type cfnLintRun struct {
	err  error // starting it failed
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan error
}

var cfnLint *cfnLintRun

func TestMain(m *testing.M) {
	flag.Parse()
	cfnLint = startCfnLint()
	code := m.Run()
	if environments.dir != "" {
		os.RemoveAll(environments.dir)
	}
	// jsii's Node.js stops, and the runtime it unpacked goes with it.
	jsii.Close()
	os.Exit(code)
}

func startCfnLint() *cfnLintRun {
	r := &cfnLintRun{done: make(chan error, 1)}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		r.err = err
		return r
	}
	args := []string{"--config-file", filepath.Join("..", ".cfnlintrc"), "--"}
	for _, env := range stacks.Environments() {
		args = append(args, filepath.Join("testdata", env.StackName()+".template.json"))
	}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if r.err = r.cmd.Start(); r.err == nil {
		go func() { r.done <- r.cmd.Wait() }()
	}
	return r
}

// TestCfnLint lints every environment's template with cfn-lint. The golden
// files are the synthesized templates (TestSnapshots keeps them equal).
// Zero errors and zero warnings; ignores live in .cfnlintrc with reasons.
func TestCfnLint(t *testing.T) {
	if cfnLint.err != nil {
		t.Fatalf("cfn-lint: %v; install it (pip install cfn-lint) to run the template gate", cfnLint.err)
	}
	if err := <-cfnLint.done; err != nil {
		t.Errorf("cfn-lint found problems (%v):\n%s", err, cfnLint.out.String())
	}
}
