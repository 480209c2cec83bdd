package streaming

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// SpecMetadata is the type of the cloud-assembly metadata entry in which
// every StandardStream records its Spec as JSON (in manifest.json, under the
// construct's path). Tools that read a synthesized app, such as
// `standardstream docs` and `standardstream local`, learn from it what
// deploys without running the app's Go code themselves.
const SpecMetadata = spec.MetadataType

// specProducer renders the Spec when the stack is synthesized, so grants
// made after NewStandardStream returns are in it.
type specProducer struct{ s *StandardStream }

func (p *specProducer) Produce() *string {
	b, err := json.Marshal(p.s.Spec())
	if err != nil {
		panic(fmt.Sprintf("standardstream: %s: spec metadata: %v", *p.s.Node().Path(), err)) // only plain values: cannot happen
	}
	return jsii.String(string(b))
}

func (s *StandardStream) addSpecMetadata() {
	s.Node().AddMetadata(jsii.String(SpecMetadata), awscdk.Lazy_String(&specProducer{s}, nil), nil)
}
