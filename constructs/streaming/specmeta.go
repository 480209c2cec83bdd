package streaming

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
)

// SpecMetadata is the type of the cloud-assembly metadata entry in which
// every StandardStream records its Spec as JSON (in manifest.json, under the
// construct's path). Tools that read a synthesized app, such as
// `standardstream docs` and `standardstream local`, learn from it what
// deploys without running the app's Go code themselves.
const SpecMetadata = "standardstream:spec"

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

// UnmarshalJSON decodes a Schema marshalled with encoding/json (as in the
// SpecMetadata entry) and compiles it again, so Validate works on it.
func (s *Schema) UnmarshalJSON(b []byte) error {
	type plain Schema
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Schema(p)
	if s.Raw == nil {
		return fmt.Errorf("schema %q: no schema document", s.Path)
	}
	raw, err := json.Marshal(s.Raw)
	if err != nil {
		return fmt.Errorf("schema %q: %w", s.Path, err)
	}
	if s.compiled, err = schema.Compile(raw); err != nil {
		return fmt.Errorf("schema %q: %w", s.Path, err)
	}
	return nil
}
