package localrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/standardstream/standardstream/cdkapp"
	"github.com/standardstream/standardstream/constructs/streaming/spec"
	"github.com/standardstream/standardstream/docgen"
	"github.com/standardstream/standardstream/internal/syncio"
	"github.com/standardstream/standardstream/kinesislocal"
)

// AppOptions configure RunApp.
type AppOptions struct {
	// Dir is the root of the CDK app (holding cdk.json and node_modules
	// with kinesis-local).
	Dir string
	// Stack is the stack whose StandardStreams run.
	//
	// Default: the first stack with a StandardStream (dev, in an app
	// created by standardstream new).
	Stack string
	// Streams selects StandardStreams by construct ID ("ClickEvents") or
	// name ("click-events").
	//
	// Default: every StandardStream of Stack.
	Streams []string
	// Duration, Rate, Keys, Shards and PoisonEvery are as in Config, for
	// each stream (they run at the same time).
	Duration           time.Duration
	Rate, Keys, Shards int
	PoisonEvery        int
	// Out receives progress and summaries; Log the steps before.
	Out, Log io.Writer
}

// RunApp synthesizes the app in opts.Dir, builds the consumer of each
// selected StandardStream for this machine as its Lambda binary, and runs
// them all at once with Run, each with the stream's own event-source
// mapping settings and a Kinesis stream of its own, against one
// kinesis-local server started on 127.0.0.1 and stopped at the end. Every
// line a run prints starts with "local <ID>:" (the stream's construct ID).
// Records are the examples of the stream's schema, each with a unique "id"
// if it has one.
func RunApp(ctx context.Context, opts AppOptions) error {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "kinesis-local", "main.js")); err != nil {
		return fmt.Errorf("local: kinesis-local is not installed in %s: run make deps (package.json pins it)", filepath.Join(dir, "node_modules"))
	}
	// kinesis-local starts while the app synthesizes and the consumers
	// build: each mostly waits on a process of its own.
	fmt.Fprintln(opts.Log, "local: starting kinesis-local")
	type started struct {
		server *kinesislocal.Server
		err    error
	}
	starting := make(chan started, 1)
	go func() {
		s, err := kinesislocal.Start(ctx, kinesislocal.Config{Dir: dir})
		starting <- started{s, err}
	}()
	var server *kinesislocal.Server
	received := false
	defer func() {
		if !received {
			received = true
			if r := <-starting; r.server != nil {
				r.server.Stop()
			}
		}
		if server != nil {
			server.Stop()
		}
	}()

	fmt.Fprintf(opts.Log, "local: synthesizing the app in %s\n", dir)
	a, err := cdkapp.Synth(ctx, dir, cdkapp.Options{})
	if err != nil {
		return err
	}
	defer os.RemoveAll(a.Dir)
	all, err := a.Streams()
	if err != nil {
		return err
	}
	streams, err := selectStreams(all, opts.Stack, opts.Streams)
	if err != nil {
		return err
	}
	// Before any build: a stream without examples has nothing to produce.
	records := make([]func(int, string) ([]byte, error), len(streams))
	for i, s := range streams {
		if records[i], err = examples(s); err != nil {
			return err
		}
	}
	bin, err := os.MkdirTemp("", "standardstream-local-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	consumers := make([]string, len(streams))
	type build struct {
		id, entry string
		cmd       *exec.Cmd
		out       *bytes.Buffer
	}
	var builds []build
	// On an early return, the builds already started are stopped.
	defer func() {
		for _, b := range builds {
			if b.cmd.ProcessState == nil {
				b.cmd.Process.Kill()
				b.cmd.Wait()
			}
		}
	}()
	for i, s := range streams {
		entry := s.Spec.Consumer.Entry
		if entry == "" {
			if entry, err = spec.DefaultConsumerEntry(); err != nil {
				return err
			}
		} else if !filepath.IsAbs(entry) {
			entry = filepath.Join(dir, entry)
		}
		// Laid out as Lambda's task root: bootstrap, and the stream's schema
		// next to it as the construct bundles it (the default consumer
		// enforces it).
		root := filepath.Join(bin, strings.TrimSuffix(docgen.FileName(s.ID), ".md"))
		if err := os.MkdirAll(root, 0o755); err != nil {
			return err
		}
		if sc := s.Spec.Schema; sc != nil && sc.Path != "" {
			path := sc.Path
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("local: %s's schema: %w", s.ID, err)
			}
			if err := os.WriteFile(filepath.Join(root, spec.ConsumerSchemaFile), b, 0o644); err != nil {
				return err
			}
		}
		consumers[i] = filepath.Join(root, "bootstrap")
		fmt.Fprintf(opts.Log, "local: building %s's consumer %s\n", s.ID, entry)
		// For this machine, as the Lambda binary is built otherwise
		// (lambda.norpc: the Runtime API only). The builds run at once.
		// Without symbol table and DWARF (-s -w), which nothing reads in
		// a binary run for seconds (panics still print their stack): a
		// third less link time.
		cmd := exec.CommandContext(ctx, "go", "build", "-tags=lambda.norpc", "-ldflags=-s -w", "-o", consumers[i], ".")
		cmd.Dir = entry
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("local: build %s's consumer %s: %w", s.ID, entry, err)
		}
		builds = append(builds, build{s.ID, entry, cmd, &out})
	}
	var buildErrs []error
	for _, b := range builds {
		if err := b.cmd.Wait(); err != nil {
			buildErrs = append(buildErrs, fmt.Errorf("local: build %s's consumer %s: %v\n%s", b.id, b.entry, err, b.out))
		}
	}
	if err := errors.Join(buildErrs...); err != nil {
		return err
	}

	r := <-starting
	received = true
	if r.err != nil {
		return r.err
	}
	server = r.server
	// Every stream runs at once, each with its own Kinesis stream, mapping
	// and consumer processes, against the one server; their lines share
	// opts.Out, each starting with "local <ID>:" and written whole (one
	// Write each), so they never interleave.
	var shared io.Writer = io.Discard
	if opts.Out != nil {
		shared = opts.Out
	}
	out := syncio.NewWriter(shared)
	cfgs := make([]Config, len(streams))
	for i, s := range streams {
		c := s.Spec.Consumer
		cfgs[i] = Config{
			Name:        "local " + s.ID,
			Consumer:    consumers[i],
			Record:      records[i],
			Duration:    opts.Duration,
			Rate:        opts.Rate,
			Keys:        opts.Keys,
			Shards:      opts.Shards,
			PoisonEvery: opts.PoisonEvery,
			Mapping: Mapping{
				BatchSize:     int(c.BatchSize),
				RetryAttempts: int(c.RetryAttempts),
				MaxRecordAge:  time.Duration(c.MaxRecordAgeSec * float64(time.Second)),
				Timeout:       time.Duration(c.TimeoutSec * float64(time.Second)),
			},
			Out: out,
		}
	}
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Run(ctx, server, cfg); err != nil {
				fmt.Fprintf(out, "%s: %v\n", cfg.Name, err)
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	var failed []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, streams[i].ID)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("local: %s failed", strings.Join(failed, ", "))
	}
	return ctx.Err()
}

// selectStreams returns the StandardStreams of stack (default: the first
// with any) named in names (default: all).
func selectStreams(all []cdkapp.Stream, stack string, names []string) ([]cdkapp.Stream, error) {
	if len(all) == 0 {
		return nil, fmt.Errorf("local: the app has no StandardStream")
	}
	if stack == "" {
		stack = all[0].Stack
	}
	var inStack []cdkapp.Stream
	var stacks, ids []string
	for _, s := range all {
		if !slices.Contains(stacks, s.Stack) {
			stacks = append(stacks, s.Stack)
		}
		if s.Stack == stack {
			inStack = append(inStack, s)
			ids = append(ids, s.ID)
		}
	}
	if len(inStack) == 0 {
		return nil, fmt.Errorf("--stack: no StandardStream in stack %q; stacks with one: %q", stack, stacks)
	}
	if len(names) == 0 {
		return inStack, nil
	}
	var out []cdkapp.Stream
	for _, n := range names {
		i := slices.IndexFunc(inStack, func(s cdkapp.Stream) bool {
			return s.ID == n || strings.TrimSuffix(docgen.FileName(s.ID), ".md") == n
		})
		if i < 0 {
			return nil, fmt.Errorf("--stream: no StandardStream %q in stack %s; it has %q", n, stack, ids)
		}
		out = append(out, inStack[i])
	}
	return out, nil
}

// examples returns a Record function that cycles through the examples of
// the stream's schema, giving each record a unique "id" where the example
// has a string "id".
func examples(s cdkapp.Stream) (func(n int, key string) ([]byte, error), error) {
	var ex []any
	if s.Spec.Schema != nil {
		ex = s.Spec.Schema.Examples
	}
	if len(ex) == 0 {
		return nil, fmt.Errorf("local: %s: its schema has no \"examples\" to produce; add one (DataModel.Schema)", s.ID)
	}
	return func(n int, _ string) ([]byte, error) {
		rec := ex[n%len(ex)]
		if m, ok := rec.(map[string]any); ok {
			if _, ok := m["id"].(string); ok {
				c := make(map[string]any, len(m))
				for k, v := range m {
					c[k] = v
				}
				c["id"] = fmt.Sprintf("evt-%07d", n)
				rec = c
			}
		}
		return json.Marshal(rec)
	}, nil
}
