// Package kinesislocal runs kinesis-local, an implementation of the Kinesis
// API (the npm package pinned in package.json), on free loopback ports, and
// returns a Kinesis client for it. Tests use [StartT]; programs such as
// `standardstream local` and cmd/demo use [Start] and [Server.Stop].
//
// kinesis-local comes from the app's node_modules: an app created by
// `standardstream new` pins it in package.json, and `make deps` installs it.
//
// The server binds 127.0.0.1 only (a `node -r` shim forces it: kinesis-local
// itself binds 0.0.0.0), creates streams and reshards at once
// (CREATE_STREAM_DURATION=0ms and the like), and never throttles or fails:
// put internal/faultproxy in front of it for that.
// It slows down as one stream grows: give each test a fresh stream with
// [Server.CreateStream] and a unique name from [StreamName].
package kinesislocal

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Region is the region of every Server's client and streams.
const Region = "us-east-1"

// shim forces kinesis-local's listeners onto 127.0.0.1; see shim.js.
//
//go:embed shim.js
var shim []byte

// Server is a running kinesis-local process.
type Server struct {
	// Endpoint is the server's plain-HTTP endpoint, http://127.0.0.1:<port>.
	Endpoint string
	// Client is a Kinesis client for Endpoint with static fake credentials.
	Client *kinesis.Client
	// PID is the process ID of the server.
	PID int

	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
	waitErr error         // set before exited is closed
	output  *tail
	tmp     string
	stop    sync.Once
	stopErr error
}

// Config configures Start. The zero value finds kinesis-local from the
// working directory.
type Config struct {
	// Dir is the directory holding node_modules/kinesis-local.
	//
	// Default: the nearest directory at or above the working directory that
	// holds node_modules/kinesis-local/main.js.
	Dir string
	// Ready is how long Start waits for the server to answer.
	//
	// Default: 60 s (it starts in about 2 s on an idle machine; a loaded CI
	// machine running every package's tests at once is much slower).
	Ready time.Duration
}

const (
	defaultReady = 60 * time.Second
	// startAttempts bounds retries when a free port was taken between
	// choosing it and the server binding it.
	startAttempts = 3
)

// Start starts kinesis-local on two free loopback ports and waits until it
// answers ListStreams. The caller must call Stop, which kills the process.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	dir := cfg.Dir
	if dir == "" {
		d, err := findDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	ready := cfg.Ready
	if ready <= 0 {
		ready = defaultReady
	}
	var err error
	for range startAttempts {
		var s *Server
		s, err = start(ctx, dir, ready)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errExited) {
			return nil, err
		}
	}
	return nil, err
}

// errExited marks a server that exited before it was ready, which is what a
// port taken by someone else looks like; Start tries new ports then.
var errExited = errors.New("kinesis-local exited before it was ready")

func start(ctx context.Context, dir string, ready time.Duration) (*Server, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	plain, tlsPort := ports[0], ports[1]

	tmp, err := os.MkdirTemp("", "kinesislocal-")
	if err != nil {
		return nil, fmt.Errorf("kinesislocal: temp dir: %w", err)
	}
	shimPath := filepath.Join(tmp, "loopback.js")
	if err := os.WriteFile(shimPath, shim, 0o600); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("kinesislocal: write shim: %w", err)
	}

	pkg := filepath.Join(dir, "node_modules", "kinesis-local")
	cmd := exec.Command(nodeBinary(dir), "-r", shimPath, filepath.Join(pkg, "main.js"))
	cmd.Dir = tmp // persistence, if ever enabled, stays out of the work tree
	cmd.Env = append(os.Environ(),
		"KINESIS_MOCK_PLAIN_PORT="+strconv.Itoa(plain),
		"KINESIS_MOCK_TLS_PORT="+strconv.Itoa(tlsPort),
		// The TLS port needs a certificate even though only the plain port
		// is used; the package ships a self-signed one, which it looks up
		// relative to the working directory by default.
		"KINESIS_MOCK_CERT_PATH="+filepath.Join(pkg, "server.json"),
		"CREATE_STREAM_DURATION=0ms",
		"DELETE_STREAM_DURATION=0ms",
		// Resharding completes at once too, for tests of readers that follow it.
		"UPDATE_SHARD_COUNT_DURATION=0ms",
		"SPLIT_SHARD_DURATION=0ms",
		"MERGE_SHARDS_DURATION=0ms",
		"AWS_REGION="+Region,
		"LOG_LEVEL=WARN",
		"SHOULD_PERSIST_DATA=false",
		// The default of 50 shards counts every stream a server has ever
		// created; tests that each create a fresh stream run out of it.
		"SHARD_LIMIT=10000",
	)
	// Node.js compiles the 9 MB main.js on every start; from its compile
	// cache the server is ready in a third of a second instead of 0.8 s, with
	// half the CPU. The cache lives in node_modules, so npm ci, which
	// replaces the package, clears it too; Node keys it by file content and
	// its own version. The shim writes it once the server listens.
	if os.Getenv("NODE_COMPILE_CACHE") == "" {
		cmd.Env = append(cmd.Env, "NODE_COMPILE_CACHE="+filepath.Join(dir, "node_modules", ".cache", "kinesis-local-compile-cache"))
	}
	out := &tail{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group keeps a terminal's Ctrl-C for our process, which
	// then stops the server; Pdeathsig kills it if our process dies without
	// running Stop (a test binary killed at its timeout, say).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("kinesislocal: start %s: %w", cmd.Path, err)
	}

	endpoint := "http://127.0.0.1:" + strconv.Itoa(plain)
	s := &Server{
		Endpoint: endpoint,
		Client:   NewClient(endpoint),
		PID:      cmd.Process.Pid,
		cmd:      cmd,
		exited:   make(chan struct{}),
		output:   out,
		tmp:      tmp,
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	if err := s.waitReady(ctx, ready); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls ListStreams until it succeeds, the process exits, or the
// timeout passes.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := s.Client.ListStreams(callCtx, &kinesis.ListStreamsInput{}, func(o *kinesis.Options) {
			o.RetryMaxAttempts = 1 // the loop retries
		})
		callCancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("kinesislocal: %w (%v); output:\n%s", errExited, s.waitErr, s.output.String())
		case <-ctx.Done():
			return fmt.Errorf("kinesislocal: not ready after %v: %w; output:\n%s", timeout, err, s.output.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop kills the server's process and waits for it to exit. It is safe to
// call more than once.
func (s *Server) Stop() error {
	s.stop.Do(func() {
		defer os.RemoveAll(s.tmp)
		// SIGKILL at once: kinesis-local ignores SIGTERM (it was still
		// running 5 s after one), and it has nothing to save since
		// persistence is off. The signal goes to the process group, which
		// is the PID negated, so nothing node started survives it.
		_ = syscall.Kill(-s.PID, syscall.SIGKILL)
		<-s.exited
		var exit *exec.ExitError
		if s.waitErr != nil && !errors.As(s.waitErr, &exit) {
			s.stopErr = fmt.Errorf("kinesislocal: stop pid %d: %w", s.PID, s.waitErr)
		}
	})
	return s.stopErr
}

// Output returns the last 16 KiB that the server wrote to stdout and stderr.
func (s *Server) Output() string { return s.output.String() }

// NewClient returns a Kinesis client for a kinesis-local endpoint, with
// static fake credentials (kinesis-local checks none) and Region.
func NewClient(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   awshttp.NewBuildableClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local", Source: "kinesislocal"}, nil
		}),
	})
}

// CreateStream creates a provisioned stream with the given number of shards,
// waits until it is active, and returns its ARN.
func (s *Server) CreateStream(ctx context.Context, name string, shards int) (string, error) {
	_, err := s.Client.CreateStream(ctx, &kinesis.CreateStreamInput{
		StreamName: aws.String(name),
		ShardCount: aws.Int32(int32(shards)),
	})
	if err != nil {
		return "", fmt.Errorf("kinesislocal: create stream %s: %w", name, err)
	}
	for {
		out, err := s.Client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return "", fmt.Errorf("kinesislocal: describe stream %s: %w", name, err)
		}
		d := out.StreamDescriptionSummary
		if d.StreamStatus == types.StreamStatusActive {
			return aws.ToString(d.StreamARN), nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("kinesislocal: stream %s not active: %w", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// StreamName returns prefix followed by a random suffix: a fresh stream per
// test, since kinesis-local slows down as one stream grows.
func StreamName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// findDir returns the nearest directory at or above the working directory
// that holds node_modules/kinesis-local/main.js.
func findDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("kinesislocal: working directory: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "kinesis-local", "main.js")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("kinesislocal: node_modules/kinesis-local not found at or above %s; run make deps", wd)
		}
	}
}

// nodeBinary prefers the Node that package.json pins (node_modules/.bin/node)
// to whatever node is on PATH.
func nodeBinary(dir string) string {
	pinned := filepath.Join(dir, "node_modules", ".bin", "node")
	if _, err := os.Stat(pinned); err == nil {
		return pinned
	}
	return "node"
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("kinesislocal: find a free port: %w", err)
		}
		// Held open until all are chosen, so the n ports differ.
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = bytes.Clone(t.buf[over:])
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
