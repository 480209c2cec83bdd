// Package jsiitest ends the test binaries that link aws-cdk-go.
//
// aws-cdk-go's package initialization unpacks jsii's runtime into the
// temporary directory, and its tests start jsii's Node.js; only jsii.Close
// stops the one and removes the other. A test binary that just exits leaves
// a few megabytes in the temporary directory on every run.
package jsiitest

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// Main runs the tests, closes jsii and exits with the tests' status. A
// package whose tests link aws-cdk-go calls it from TestMain:
//
//	func TestMain(m *testing.M) { jsiitest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}
