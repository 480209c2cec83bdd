package runbooks_test

import (
	"bytes"
	"testing"

	"github.com/standardstream/standardstream/runbooks"
)

// That every alarm of the construct has its runbook here, and every runbook
// here an alarm, is checked in constructs/streaming (runbook_test.go): this
// package's test then does not link aws-cdk-go, a second of CPU per run.

func TestReadUnknown(t *testing.T) {
	if _, err := runbooks.Read("no-such.md"); err == nil || !bytes.Contains([]byte(err.Error()), []byte(`"no-such.md"`)) {
		t.Errorf("got %v, want an error naming the runbook", err)
	}
}
