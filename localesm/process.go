package localesm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a Handler that runs a Lambda function's executable, unchanged,
// behind a local Lambda Runtime API: a Go binary that calls lambda.Start
// (such as the reference consumer, built from ./lambda), or any custom
// runtime's bootstrap. Each execution environment is one process that
// handles one invocation at a time, as in Lambda; a process that exits,
// panics out or times out is replaced at the next invocation.
type Process struct {
	cfg  ProcessConfig
	idle chan *environment

	mu     sync.Mutex
	envs   []*environment
	closed bool
}

// ProcessConfig configures NewProcess.
type ProcessConfig struct {
	// Path is the function's executable.
	Path string
	// Env holds the function's environment variables, KEY=value. The
	// process also gets this process's environment and the variables
	// Lambda sets for a runtime (AWS_LAMBDA_RUNTIME_API and others).
	Env []string
	// Concurrency is the number of execution environments, and so of
	// invocations at once; the runner invokes up to one per shard.
	//
	// Default: 1.
	Concurrency int
	// Output receives the processes' standard output and error, which
	// Lambda would send to CloudWatch Logs.
	//
	// Default: os.Stderr.
	Output io.Writer
}

// NewProcess returns a Process for cfg. Environments start at their first
// invocation; call Close to stop them.
func NewProcess(cfg ProcessConfig) (*Process, error) {
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 1
	}
	if cfg.Output == nil {
		cfg.Output = os.Stderr
	}
	if cfg.Concurrency < 1 {
		return nil, fmt.Errorf("localesm: NewProcess: concurrency must be at least 1, got %d", cfg.Concurrency)
	}
	info, err := os.Stat(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("localesm: NewProcess: %w", err)
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("localesm: NewProcess: %s is not an executable file", cfg.Path)
	}
	p := &Process{cfg: cfg, idle: make(chan *environment, cfg.Concurrency)}
	for range cfg.Concurrency {
		env := &environment{p: p}
		p.envs = append(p.envs, env)
		p.idle <- env
	}
	return p, nil
}

// Invoke runs one invocation in an idle environment, waiting for one if all
// are busy. It returns the function's response, or an error when the
// function reports one, its process exits, or ctx ends first; the process
// is then killed, as Lambda ends an environment whose invocation timed out.
func (p *Process) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var env *environment
	select {
	case env = <-p.idle:
	case <-ctx.Done():
		return nil, fmt.Errorf("localesm: no idle execution environment: %w", ctx.Err())
	}
	defer func() { p.idle <- env }()
	return env.invoke(ctx, payload)
}

// Close stops every process and its Runtime API. Invocations in flight
// fail.
func (p *Process) Close() error {
	p.mu.Lock()
	p.closed = true
	envs := p.envs
	p.mu.Unlock()
	for _, env := range envs {
		env.stop()
	}
	return nil
}

// environment is one execution environment: a process and the Runtime API
// it polls.
type environment struct {
	p *Process

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	srv     *http.Server
	next    chan *invocation // hands an invocation to the process's next poll
	current *invocation
}

// invocation is one call of the function.
type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan outcome // buffered: the API never blocks on it
}

type outcome struct {
	resp []byte
	err  error
}

// timeoutDefault is the deadline an invocation without one gets: Lambda's
// largest timeout.
const timeoutDefault = 900 * time.Second

func (e *environment) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(timeoutDefault)
	}
	inv := &invocation{id: newUUID(), payload: payload, deadline: deadline, done: make(chan outcome, 1)}
	exited, err := e.handOver(ctx, inv)
	if err != nil {
		return nil, err
	}
	select {
	case o := <-inv.done:
		return o.resp, o.err
	case <-exited:
		return nil, fmt.Errorf("localesm: runtime exited during the invocation (%s)", e.exitStatus())
	case <-ctx.Done():
		e.stop()
		return nil, fmt.Errorf("localesm: invocation %s: %w", inv.id, ctx.Err())
	}
}

// handOver gives inv to the process's next poll, starting the process if
// needed, and returns the channel that closes when that process exits. A
// process that exits before it takes inv (one that panicked in its previous
// invocation exits just after reporting it) is replaced once.
func (e *environment) handOver(ctx context.Context, inv *invocation) (<-chan struct{}, error) {
	for attempt := 0; ; attempt++ {
		if err := e.start(); err != nil {
			return nil, err
		}
		e.mu.Lock()
		next, exited := e.next, e.exited
		e.mu.Unlock()
		select {
		case next <- inv:
			return exited, nil
		case <-exited:
			if attempt > 0 {
				return nil, fmt.Errorf("localesm: runtime exited before the invocation (%s)", e.exitStatus())
			}
		case <-ctx.Done():
			e.stop()
			return nil, fmt.Errorf("localesm: runtime did not poll for the invocation: %w", ctx.Err())
		}
	}
}

// start starts the environment's process and Runtime API, unless they are
// running.
func (e *environment) start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cmd != nil {
		select {
		case <-e.exited:
			e.stopLocked()
		default:
			return nil
		}
	}
	e.p.mu.Lock()
	closed := e.p.closed
	e.p.mu.Unlock()
	if closed {
		return errors.New("localesm: process closed")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("localesm: runtime API: %w", err)
	}
	e.next = make(chan *invocation)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", e.serveNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", e.serveResult)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", e.serveResult)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(e.p.cfg.Output, "localesm: init error: %s\n", b)
		w.WriteHeader(http.StatusAccepted)
	})
	e.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go e.srv.Serve(ln)

	cfg := e.p.cfg
	cmd := exec.Command(cfg.Path)
	cmd.Dir = filepath.Dir(cfg.Path)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=localesm",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"LAMBDA_TASK_ROOT="+cmd.Dir,
		"TZ=:UTC",
	)
	cmd.Env = append(cmd.Env, cfg.Env...)
	cmd.Stdout, cmd.Stderr = cfg.Output, cfg.Output
	// Pdeathsig: a function process must not outlive the runner.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		e.srv.Close()
		return fmt.Errorf("localesm: start %s: %w", cfg.Path, err)
	}
	e.cmd = cmd
	e.exited = make(chan struct{})
	exited := e.exited
	go func() {
		cmd.Wait()
		close(exited)
	}()
	return nil
}

// serveNext hands the process the next invocation, waiting for one.
func (e *environment) serveNext(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	next := e.next
	e.mu.Unlock()
	var inv *invocation
	select {
	case inv = <-next:
	case <-r.Context().Done():
		return
	}
	e.mu.Lock()
	e.current = inv
	e.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:localesm")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-"+strings.ReplaceAll(inv.id, "-", "")[:24]+";Sampled=0")
	h.Set("Content-Type", "application/json")
	w.Write(inv.payload)
}

// serveResult takes the response or error of the current invocation.
func (e *environment) serveResult(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	inv := e.current
	if inv != nil && inv.id == r.PathValue("id") {
		e.current = nil
	} else {
		inv = nil
	}
	e.mu.Unlock()
	if inv == nil {
		http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	o := outcome{resp: body}
	if strings.HasSuffix(r.URL.Path, "/error") {
		var fe struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		_ = json.Unmarshal(body, &fe)
		o = outcome{err: fmt.Errorf("localesm: function error %s: %s", fe.Type, fe.Message)}
	}
	inv.done <- o
	w.WriteHeader(http.StatusAccepted)
}

// stop kills the process and closes the Runtime API.
func (e *environment) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopLocked()
}

func (e *environment) stopLocked() {
	if e.cmd == nil {
		return
	}
	_ = e.cmd.Process.Kill()
	<-e.exited
	e.srv.Close()
	e.cmd, e.srv, e.current = nil, nil, nil
}

// exitStatus describes how the process exited.
func (e *environment) exitStatus() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cmd == nil || e.cmd.ProcessState == nil {
		return "stopped"
	}
	return e.cmd.ProcessState.String()
}
