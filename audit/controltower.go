package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
)

// packageDir is where npm installs @cdklabs/cdk-validator-cfnguard.
var packageDir = filepath.Join("node_modules", "@cdklabs", "cdk-validator-cfnguard")

// Tools returns the cfn-guard binary for this platform and the directory of
// the Control Tower rules, both from the npm package
// @cdklabs/cdk-validator-cfnguard in root's node_modules.
func Tools(root string) (guard, rules string, err error) {
	// The package names platforms and architectures as cfn-guard's releases do.
	platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if platform == "" || arch == "" {
		return "", "", fmt.Errorf("audit: control tower: cfn-guard is not shipped for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	pkg := filepath.Join(root, packageDir)
	guard = filepath.Join(pkg, "bin", platform, arch, "cfn-guard")
	rules = filepath.Join(pkg, "rules", "control-tower", "cfn-guard")
	for _, p := range []string{guard, rules} {
		if _, err := os.Stat(p); err != nil {
			return "", "", fmt.Errorf("audit: control tower: %w (run `make deps` to install @cdklabs/cdk-validator-cfnguard)", err)
		}
	}
	return guard, rules, nil
}

// A Finding is one resource that fails one Control Tower control.
type Finding struct {
	// Template is the template file's base name.
	Template string
	// Control is the control's ID, such as CT.S3.PR.9.
	Control string
	// LogicalID is the resource's logical ID in the template.
	LogicalID string
	// Path is the resource's construct path (its aws:cdk:path metadata), or
	// "" when the template does not record it.
	Path string
}

// String returns "<control> <template>: <construct path or logical ID>".
func (f Finding) String() string {
	where := f.Path
	if where == "" {
		where = f.LogicalID
	}
	return fmt.Sprintf("%s %s: %s", f.Control, f.Template, where)
}

// ControlTower runs AWS Control Tower's proactive controls over templates, in one cfn-guard run,
// and returns each failing resource and control, sorted. Only rules that
// report on a resource type the templates contain are run (a rule for an
// absent type can only skip), which makes the run several times faster
// with the same result.
func ControlTower(root string, templates ...string) ([]Finding, error) {
	guard, rules, err := Tools(root)
	if err != nil {
		return nil, err
	}
	types := map[string]bool{}
	for _, t := range templates {
		if err := resourceTypes(t, types); err != nil {
			return nil, err
		}
	}
	files, err := applicableRules(rules, types)
	if err != nil {
		return nil, err
	}
	args := []string{"validate", "--output-format", "json", "--structured", "--show-summary", "none"}
	for _, f := range files {
		args = append(args, "--rules", f)
	}
	for _, t := range templates {
		args = append(args, "--data", t)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(guard, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// cfn-guard exits 19 when a rule fails; anything else but 0 is its error.
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 19 {
			return nil, fmt.Errorf("audit: control tower: cfn-guard: %v\n%s", err, stderr.String())
		}
	}
	return parse(stdout.Bytes())
}

// The structured report differs by how each rule is written, but every
// failure carries the control's ID in its message and the failing
// property's path, which starts with /Resources/<logical ID>.
var (
	controlID  = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.[0-9]+)\]`)
	resourceID = regexp.MustCompile(`"/Resources/([^/"\[]+)`)
)

type report struct {
	Name         string            `json:"name"`
	NotCompliant []json.RawMessage `json:"not_compliant"`
}

func parse(out []byte) ([]Finding, error) {
	var reports []report
	if err := json.Unmarshal(out, &reports); err != nil {
		return nil, fmt.Errorf("audit: control tower: cfn-guard output: %w", err)
	}
	var findings []Finding
	for _, r := range reports {
		paths, err := constructPaths(r.Name)
		if err != nil {
			return nil, err
		}
		seen := map[Finding]bool{}
		for _, failed := range r.NotCompliant {
			controls := controlID.FindAllSubmatch(failed, -1)
			resources := resourceID.FindAllSubmatch(failed, -1)
			if len(controls) == 0 || len(resources) == 0 {
				return nil, fmt.Errorf("audit: control tower: %s: a failed rule without a control ID or resource: %.300s", r.Name, failed)
			}
			for _, c := range controls {
				for _, res := range resources {
					f := Finding{Template: filepath.Base(r.Name), Control: string(c[1]), LogicalID: string(res[1]), Path: paths[string(res[1])]}
					if !seen[f] {
						seen[f] = true
						findings = append(findings, f)
					}
				}
			}
		}
	}
	slices.SortFunc(findings, func(a, b Finding) int { return strings.Compare(a.String(), b.String()) })
	return findings, nil
}

// reportsOn finds the resource types a Control Tower rule file reports on,
// from its header:
//
//	# Reports on:
//	#   AWS::S3::Bucket
var (
	reportsOn    = regexp.MustCompile(`# Reports on:\n((?:#[ \t]+\S.*\n)+)`)
	resourceType = regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)
)

// applicableRules returns the rule files under dir that report on one of
// types, and those whose header it cannot read.
func applicableRules(dir string, types map[string]bool) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".guard" {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		header := reportsOn.FindSubmatch(raw)
		if header == nil {
			files = append(files, path)
			return nil
		}
		for _, t := range resourceType.FindAll(header[1], -1) {
			if types[string(t)] {
				files = append(files, path)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: control tower: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("audit: control tower: no rule in %s applies to the templates' resource types", dir)
	}
	return files, nil
}

// resourceTypes adds the resource types of template to types.
func resourceTypes(template string, types map[string]bool) error {
	raw, err := os.ReadFile(template)
	if err != nil {
		return fmt.Errorf("audit: control tower: %w", err)
	}
	var t struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("audit: control tower: %s: %w", template, err)
	}
	for _, r := range t.Resources {
		types[r.Type] = true
	}
	return nil
}

// constructPaths maps the logical IDs of a template's resources to their
// construct paths.
func constructPaths(template string) (map[string]string, error) {
	raw, err := os.ReadFile(template)
	if err != nil {
		return nil, fmt.Errorf("audit: control tower: %w", err)
	}
	var t struct {
		Resources map[string]struct {
			Metadata map[string]any
		}
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("audit: control tower: %s: %w", template, err)
	}
	paths := map[string]string{}
	for id, r := range t.Resources {
		if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
			paths[id] = p
		}
	}
	return paths, nil
}
