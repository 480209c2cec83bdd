package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Context returns the context of the cdk.json in root: the feature flags the
// CLI gives the app. Programs that build the app themselves (tests, docs)
// use it so that they synthesize what `cdk synth` does.
func Context(root string) (map[string]any, error) {
	raw, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, fmt.Errorf("stacks: %w", err)
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("stacks: %s: %w", filepath.Join(root, "cdk.json"), err)
	}
	return cfg.Context, nil
}
