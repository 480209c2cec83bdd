package test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/standardstream/standardstream/stacks"
)

// TestCfnLint lints every environment's template with cfn-lint. The golden
// files are the synthesized templates (TestSnapshots keeps them equal).
// Zero errors and zero warnings; ignores live in .cfnlintrc with reasons.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH; install it (pip install cfn-lint) to run the template gate")
	}
	args := []string{"--config-file", filepath.Join("..", ".cfnlintrc"), "--"}
	for _, env := range stacks.Environments() {
		args = append(args, filepath.Join("testdata", env.StackName()+".template.json"))
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint found problems (%v):\n%s", err, out)
	}
}
