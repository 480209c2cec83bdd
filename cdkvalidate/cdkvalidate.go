// Package cdkvalidate runs CDK's CloudFormation template validation beside
// the synthesis instead of after it.
//
// CDK validates every template it synthesizes with aws-cdk-lib's
// CloudFormationValidatePlugin, a WebAssembly engine whose construction
// alone costs about half a second of CPU, in the app's one Node.js process
// (jsii's kernel) once synthesis has finished: about 1 s of a 2.3 s synth
// of three stacks here. [NewApp] starts that same plugin, from the
// aws-cdk-lib that jsii runs, in a second Node.js process when the app
// starts, so its engine is built on another core while the app builds its
// constructs, and each template is validated as soon as the app has
// written it; the app then hands the plugin the templates in place of
// CDK's own invocation, and gets the plugin's report. The rules, the
// engine and the report are CDK's: only the process and the timing differ
// (side.js says how an answer given ahead is known to be the answer). CDK
// still turns the findings into its report, fails synth on errors when
// @aws-cdk/core:validateAgainstDefaultRules is set, and honours
// acknowledgements, because the plugin is registered under the built-in
// plugin's name.
//
// Whenever the side process cannot be used, validation falls back to CDK's
// built-in, in-process plugin: aws-cdk-lib not yet in jsii's package cache
// (the first synth on a machine), no Node.js, the process failing. With
// validation turned off (CDK_VALIDATION=false, `cdk synth --no-validation`,
// or AppProps.BuiltinCloudFormationValidation false) nothing is started.
//
// [Violations] reads the findings back from a cloud assembly's report. A
// test that synthesizes an app in its own process with the context the CDK
// CLI gives (@aws-cdk/core:failSynthOnValidationErrors false) sees them
// only there: synthesis succeeds whatever they are.
package cdkvalidate

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/internal/syncio"
)

// sideScript is the side process: it loads aws-cdk-lib's
// CloudFormationValidatePlugin, builds its engine for the resource types
// it is given, and answers one validation request on standard input.
//
//go:embed side.js
var sideScript string

// NewApp returns awscdk.NewApp(props) with CDK's template validation run by
// a process started now (see the package documentation). props may be nil.
func NewApp(props *awscdk.AppProps) awscdk.App {
	p := new(awscdk.AppProps)
	if props != nil {
		*p = *props
	}
	if os.Getenv("CDK_VALIDATION") == "false" || (p.BuiltinCloudFormationValidation != nil && !*p.BuiltinCloudFormationValidation) {
		return awscdk.NewApp(props)
	}
	outdir := os.Getenv("CDK_OUTDIR")
	if p.Outdir != nil {
		outdir = *p.Outdir
	}

	s, err := start(outdir)
	if err != nil {
		return awscdk.NewApp(props)
	}
	p.BuiltinCloudFormationValidation = jsii.Bool(false)
	app := awscdk.NewApp(p)
	awscdk.Validations_Of(app).AddPlugins(&plugin{side: s})
	return app
}

// plugin is CDK's CloudFormationValidatePlugin as seen from the app: its
// name (which CDK's report handling keys on) and its findings, computed by
// the side process.
type plugin struct {
	side    *side
	version *string
}

func (p *plugin) Name() *string {
	return awscdk.CloudFormationValidatePlugin_PLUGIN_NAME()
}

func (p *plugin) Version() *string { return p.version }

func (p *plugin) RuleIds() *[]*string { return nil }

// Validate returns the side process's report on the templates, or, if it
// has none, that of CDK's plugin run in the app's own process.
func (p *plugin) Validate(ctx awscdk.IPolicyValidationContext) *awscdk.PolicyValidationPluginReport {
	report, version, _, err := p.side.validate(ctx.StackTemplates())
	if err == nil {
		sideReports.Add(1)
	} else {
		builtin := awscdk.NewCloudFormationValidatePlugin(nil)
		report = builtin.Validate(ctx)
		version = builtin.Version()
	}
	p.version = version
	return report
}

// sideStarts and sideReports count the side processes started and the
// reports they gave (for tests).
var sideStarts, sideReports atomic.Int64

// side is the validation process.
type side struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr syncio.Buffer // read by tests while it runs
	once   sync.Once
}

// start starts the side process for an app that writes to outdir ("" if
// not known): the templates that outdir holds from the previous synthesis
// tell it which engine to build, and how to validate each template as soon
// as the app writes it (see side.js).
func start(outdir string) (*side, error) {
	lib, err := libraryDir()
	if err != nil {
		return nil, err
	}
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	s := &side{cmd: exec.Command(node, "-e", sideScript, lib, outdir)}
	s.cmd.Stderr = &s.stderr
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s.stdout = bufio.NewReader(out)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	sideStarts.Add(1)
	return s, nil
}

// response is the side process's answer.
type response struct {
	Report  *awscdk.PolicyValidationPluginReport `json:"report"`
	Version *string                              `json:"version"`
	// Reused counts the engine calls answered by validating a template as
	// soon as it was written.
	Reused int64  `json:"reused"`
	Error  string `json:"error"`
}

// validate sends the templates to the side process and returns its report.
// The process answers once; it is waited for here.
func (s *side) validate(stacks *[]*awscdk.PolicyValidationStack) (*awscdk.PolicyValidationPluginReport, *string, int64, error) {
	err := errors.New("cdkvalidate: the validation process was used already")
	var r response
	s.once.Do(func() {
		defer s.cmd.Wait()
		defer s.stdin.Close()
		var req []byte
		if req, err = json.Marshal(map[string]any{"stackTemplates": stacks}); err != nil {
			return
		}
		if _, err = s.stdin.Write(append(req, '\n')); err != nil {
			return
		}
		var line []byte
		if line, err = s.stdout.ReadBytes('\n'); err != nil {
			err = fmt.Errorf("cdkvalidate: the validation process ended without a report: %v\n%s", err, s.stderr.String())
			return
		}
		if err = json.Unmarshal(line, &r); err != nil {
			return
		}
		if r.Error != "" || r.Report == nil {
			err = fmt.Errorf("cdkvalidate: the validation process failed: %s", r.Error)
		}
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return r.Report, r.Version, r.Reused, nil
}

// libraryDir returns the directory of the aws-cdk-lib that jsii runs for
// this program: its copy in jsii's package cache (@jsii/kernel's
// defaultCacheRoot, or JSII_RUNTIME_PACKAGE_CACHE_ROOT).
func libraryDir() (string, error) {
	version := cdkVersion()
	if version == "" {
		return "", errors.New("cdkvalidate: cannot tell which aws-cdk-go this program is built with")
	}
	root := os.Getenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
	if root == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		switch runtime.GOOS {
		case "darwin":
			root = filepath.Join(home, "Library", "Caches", "com.amazonaws.jsii", "package-cache")
		case "windows":
			base := os.Getenv("LOCALAPPDATA")
			if base == "" {
				base = filepath.Join(home, "AppData", "Local")
			}
			root = filepath.Join(base, "AWS", "jsii", "package-cache")
		default:
			root = filepath.Join(home, ".cache", "aws", "jsii", "package-cache")
		}
	}
	plugins, _ := filepath.Glob(filepath.Join(root, "aws-cdk-lib", version, "*", "core", "lib", "validation", "cloudformation-validate-plugin.js"))
	if len(plugins) == 0 {
		return "", fmt.Errorf("cdkvalidate: aws-cdk-lib %s is not in jsii's package cache %s", version, root)
	}
	// Each entry is the same release extracted; take one.
	return filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(plugins[0])))), nil
}

// cdkVersion returns the version of aws-cdk-go, which is aws-cdk-lib's,
// that this program is built with: from its build information, or (test
// binaries have none) from the path of awscdk's source files, which names
// the module version.
func cdkVersion() string {
	const module = "github.com/aws/aws-cdk-go/awscdk/v2"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == module {
				if m.Replace != nil {
					m = m.Replace
				}
				return strings.TrimPrefix(m.Version, "v")
			}
		}
	}
	file, _ := runtime.FuncForPC(reflect.ValueOf(awscdk.NewApp).Pointer()).FileLine(0)
	if _, v, ok := strings.Cut(filepath.ToSlash(file), module+"@v"); ok {
		v, _, _ = strings.Cut(v, "/")
		return v
	}
	return ""
}
