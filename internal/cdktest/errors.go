package cdktest

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
)

// errorType is the metadata type of awscdk.Annotations AddError.
const errorType = "aws:cdk:error"

// Errors returns the synth errors (error annotations) of c and every
// construct below it, as "<construct path>: <message>", in tree order. The
// CDK CLI fails synth and deploy when there is any. It needs no synthesis.
func Errors(c constructs.IConstruct) []string {
	var out []string
	for _, n := range *c.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, m := range *n.Node().Metadata() {
			if *m.Type == errorType {
				out = append(out, fmt.Sprintf("%s: %v", *n.Node().Path(), m.Data))
			}
		}
	}
	return out
}
