// Package diagram draws the architecture of the StandardStreams in
// synthesized CloudFormation templates as an SVG, for docs/architecture.md.
//
// Everything it shows is read from the templates: the resources' types and
// properties, the references between them and the construct paths in their
// aws:cdk:path metadata. Each Kinesis stream is a lane: producers, the
// stream, the event-source mapping and the Lambda consumer, the failure
// destination, the Firehose archive and its bucket, the access-log bucket,
// and the alarms with the topic they notify. Lanes are named by stack and by
// the second segment of the construct path (the StandardStream's ID).
//
// The drawing is hand-rolled SVG, with no Graphviz or other tool to install,
// and deterministic: the same templates give the same bytes, so a test can
// tell when the committed diagram is stale.
package diagram

import (
	"fmt"
	"slices"
)

// SVG returns the architecture diagram of the StandardStreams in templates,
// which maps stack names to synthesized template JSON. Stacks are drawn in
// name order and, within a stack, StandardStreams in construct-ID order. It
// fails if a template is not JSON or no template has a Kinesis stream.
func SVG(templates map[string][]byte) ([]byte, error) {
	stacks := make([]string, 0, len(templates))
	for name := range templates {
		stacks = append(stacks, name)
	}
	slices.Sort(stacks)
	var lanes []lane
	for _, name := range stacks {
		ls, err := parseLanes(name, templates[name])
		if err != nil {
			return nil, err
		}
		lanes = append(lanes, ls...)
	}
	if len(lanes) == 0 {
		return nil, fmt.Errorf("diagram: no Kinesis stream in the templates of %v", stacks)
	}
	return render(stacks, lanes), nil
}
