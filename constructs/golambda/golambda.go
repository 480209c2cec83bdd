// Package golambda turns a Go main package into AWS Lambda code for the arm64
// provided.al2023 runtime. The binary is built at synth time by the local Go
// toolchain (CDK local bundling), so synth needs Go but never Docker.
//
// The asset hash is computed from the Go sources the binary links (the main
// module's packages, including shared packages outside the entry directory),
// the versions of the linked dependencies, go.mod's go, toolchain and godebug
// lines, the Go version and the build flags, plus the content of any file
// bundled next to the binary with WithFile. Edits that cannot change the
// binary (tests, docs, unlinked packages, dependencies only the CDK app uses)
// keep the hash, so CDK reuses the bundled asset already in cdk.out and the Lambda
// is not redeployed.
package golambda

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

const (
	goos   = "linux"
	goarch = "arm64"

	// handler is the file name the provided.al2023 runtime executes.
	handler = "bootstrap"

	// placeholderImage is never pulled: TryBundle always succeeds or stops
	// synth, but CDK requires an image in BundlingOptions. It takes part in
	// CDK's asset hash, so changing it changes every asset hash.
	placeholderImage = "public.ecr.aws/docker/library/golang:1.26"
)

// compileFlags are shared by the compile check in Code and the build in
// TryBundle, so the build finds every package already compiled in Go's build
// cache and only links. -buildvcs=false keeps the commit (which changes with
// every unrelated edit) out of the binary; -trimpath keeps the machine's
// paths out. lambda.norpc drops aws-lambda-go's RPC mode, which
// provided.al2023 does not use.
var compileFlags = []string{"-trimpath", "-buildvcs=false", "-tags=lambda.norpc"}

// linkFlags strip the symbol table and DWARF, which halves the binary and so
// the cold-start download.
var linkFlags = []string{"-ldflags=-s -w"}

// Code builds the Go main package in entry for Lambda (linux/arm64,
// provided.al2023) and returns its asset code. Use it with
// awslambda.Runtime_PROVIDED_AL2023, awslambda.Architecture_ARM_64 and
// handler "bootstrap".
//
// Code checks eagerly that entry is a main package inside a Go module and that
// it compiles, and returns the compiler's message as an error otherwise; the
// binary itself is linked only when CDK bundles the asset, which it skips
// when cdk.out already holds an asset with the same hash. Options add files
// next to the binary (see WithFile).
func Code(entry string, opts ...Option) (awslambda.Code, error) {
	b, err := inspect(entry)
	if err != nil {
		return nil, err
	}
	if b, err = b.withFiles(opts); err != nil {
		return nil, err
	}
	return awslambda.Code_FromAsset(jsii.String(b.dir), &awss3assets.AssetOptions{
		AssetHash:     jsii.String(b.hash),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
		Bundling: &awscdk.BundlingOptions{
			Local:      b,
			Image:      awscdk.DockerImage_FromRegistry(jsii.String(placeholderImage)),
			OutputType: awscdk.BundlingOutput_NOT_ARCHIVED,
		},
	}), nil
}

// Prepare starts checking and hashing entry in the background, the part of
// Code that needs no CDK (about a second, mostly go list), so that it overlaps
// other start-up work such as jsii's; a later Code(entry) in this process
// waits for it and reuses its result. Errors are left for Code to report.
func Prepare(entry string) {
	preparing.Add(1)
	go func() {
		defer preparing.Done()
		_, _ = inspect(entry)
	}()
}

// preparing counts the inspections Prepare started that have not ended.
var preparing sync.WaitGroup

// localBuilder bundles one inspected entry; it implements awscdk.ILocalBundling.
type localBuilder struct {
	entry      string // as the caller wrote it, for error messages
	dir        string // absolute entry directory
	moduleDir  string // root of the module holding the entry
	importPath string // of the entry's main package
	hash       string // see hashPackages, and withFiles
	files      []extraFile
}

// TryBundle builds the binary into outputDir/bootstrap.
//
// It never returns false: CDK would then fall back to Docker bundling, which
// is not available, and report a Docker error instead of the compiler's. A
// failure panics instead. jsii-runtime-go (v1.142.0, internal/kernel) recovers
// a callback's panic into an error but does not report it to the JavaScript
// side as a failed callback; it re-panics it in Go out of app.Synth(), so the
// process stops with this message. Code has already compiled every package, so
// only a link or I/O failure gets here.
func (b *localBuilder) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := b.build(filepath.Join(*outputDir, handler)); err != nil {
		panic(err)
	}
	if err := b.writeFiles(*outputDir); err != nil {
		panic(err)
	}
	return jsii.Bool(true)
}

// build writes the Lambda binary to out.
func (b *localBuilder) build(out string) error {
	args := append([]string{"build"}, compileFlags...)
	args = append(args, linkFlags...)
	args = append(args, "-o", out, b.importPath)
	cmd := goCommand(b.moduleDir, args...)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("golambda: entry %q: build failed: %v\n%s", b.entry, err, output)
	}
	return nil
}

// goCommand runs the go command in dir for the Lambda's platform. The
// caller's environment (GOFLAGS, GOPROXY, GOCACHE, ...) is kept; later
// entries win in os/exec, so the platform cannot be overridden by accident.
func goCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	return cmd
}
