package streaming_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// Every resource that holds data or decrypts it gets the one removal policy
// the team chose: no log group, key or queue outlives (or dies before) the
// stream and the buckets.
//
// Its streams are the policies stack's (synthPolicies), one per removal
// policy, read as if alone in their stack.
func TestRemovalPolicyIsUniform(t *testing.T) {
	want := map[string][2]string{ // construct ID: DeletionPolicy, UpdateReplacePolicy
		"Retain":                    {"Retain", "Retain"},
		"Destroy":                   {"Delete", "Delete"},
		"RetainOnUpdateOrDelete":    {"RetainExceptOnCreate", "Retain"},
		"RetainOnUpdateOrDeleteSqs": {"RetainExceptOnCreate", "Retain"},
	}
	policies, _ := synthPolicies(t)
	tpl := policies.Under(t, slices.Collect(maps.Keys(want))...)
	seen := map[string]map[string]int{}
	for _, typ := range []string{"AWS::Kinesis::Stream", "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::SQS::Queue"} {
		for id, r := range tpl.Resources(typ) {
			md, _ := r["Metadata"].(map[string]any)
			path, _ := md["aws:cdk:path"].(string)
			owner := strings.Split(path, "/")[1]
			w, ok := want[owner]
			if !ok {
				t.Errorf("%s %s: unexpected owner %q", typ, id, path)
				continue
			}
			if r["DeletionPolicy"] != w[0] || r["UpdateReplacePolicy"] != w[1] {
				t.Errorf("%s: got DeletionPolicy %v, UpdateReplacePolicy %v; want %s, %s", path, r["DeletionPolicy"], r["UpdateReplacePolicy"], w[0], w[1])
			}
			if seen[owner] == nil {
				seen[owner] = map[string]int{}
			}
			seen[owner][typ]++
		}
	}
	// The scan covered what it claims: every StandardStream has a stream,
	// four buckets (archive, failures or the queue, access logs, query
	// results), two log groups and the alarm key.
	for owner := range want {
		got := seen[owner]
		if got["AWS::Kinesis::Stream"] != 1 || got["AWS::Logs::LogGroup"] != 2 || got["AWS::KMS::Key"] != 1 || got["AWS::S3::Bucket"]+got["AWS::SQS::Queue"] != 4 {
			t.Errorf("%s: got resources %v, want a stream, 2 log groups, the alarm key and 4 buckets or queues", owner, got)
		}
	}
}
