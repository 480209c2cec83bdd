package kinesisbatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// derefError dereferences its receiver, so a typed nil one panics when
// formatted or unwrapped.
type derefError struct{ msg string }

func (e *derefError) Error() string { return e.msg }
func (e *derefError) Unwrap() error { return errors.New(e.msg) }

// derefStringer panics when formatted as a nil pointer.
type derefStringer struct{ s string }

func (d *derefStringer) String() string { return d.s }

// panickyError panics when formatted, with a value that panics when
// formatted.
type panickyError struct{}

func (panickyError) Error() string { panic(&derefStringer{}) }

// TestHostileFuncs: whatever a Func does, only its record fails. Invoke
// returns the partial batch response, the log line names the failure, and
// the other keys' records are handled.
func TestHostileFuncs(t *testing.T) {
	tests := []struct {
		name string
		fn   func() error // runs for the record of key "bad"
		// validator, if set, replaces fn as the hostile part.
		validator func([]byte) error
		want      []string // substrings of the logged error
	}{
		{name: "runtime.Goexit, as t.FailNow calls it", fn: func() error { runtime.Goexit(); return nil },
			want: []string{"Func called runtime.Goexit"}},
		{name: "runtime.Goexit in the validator", validator: func([]byte) error { runtime.Goexit(); return nil },
			want: []string{"Func called runtime.Goexit"}},
		{name: "typed nil error", fn: func() error { var e *derefError; return e },
			want: []string{"*kinesisbatch.derefError", "Error method panicked", "nil pointer dereference"}},
		{name: "typed nil error from the validator", validator: func([]byte) error { var e *derefError; return e },
			want: []string{"invalid record:", "Error method panicked"}},
		{name: "error whose Error panics with a panicky value", fn: func() error { return panickyError{} },
			want: []string{"kinesisbatch.panickyError", "Error method panicked"}},
		{name: "panic with a typed nil error", fn: func() error { var e *derefError; panic(e) },
			want: []string{"panic: ", "*kinesisbatch.derefError"}},
		{name: "panic with a typed nil Stringer", fn: func() error { var s *derefStringer; panic(s) },
			want: []string{"panic: ", "*kinesisbatch.derefStringer"}},
		{name: "panic with a panicky error", fn: func() error { panic(panickyError{}) },
			want: []string{"panic: ", "kinesisbatch.panickyError"}},
	}
	for _, tt := range tests {
		for _, concurrency := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/concurrency %d", tt.name, concurrency), func(t *testing.T) {
				// good-0, bad-1, good-2, bad-3: bad-1 fails, bad-3 is skipped.
				recs := keyed(4, "good", "bad")
				var handled []string
				fn := func(_ context.Context, r Record) error {
					if r.PartitionKey == "bad" && tt.fn != nil {
						return tt.fn()
					}
					handled = append(handled, r.SequenceNumber) // one key at a time: no race
					return nil
				}
				var logs bytes.Buffer
				opts := []Option{WithConcurrency(concurrency), WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithMetrics(io.Discard, "Test")}
				if tt.validator != nil {
					opts = append(opts, WithValidator(func(data []byte) error {
						if strings.Contains(string(data), `"n":1}`) {
							return tt.validator(data)
						}
						return nil
					}))
				}
				h := New(fn, opts...)
				resp, err := h.Invoke(context.Background(), event(recs...))
				if err != nil {
					t.Fatalf("Invoke: %v, want the failure reported in the response", err)
				}
				if got, want := response(t, resp), []string{seqNumber(1), seqNumber(3)}; !slices.Equal(got, want) {
					t.Errorf("got batchItemFailures %s, want %s", short(got), short(want))
				}
				if want := []string{seqNumber(0), seqNumber(2)}; !slices.Equal(handled, want) {
					t.Errorf("got handled %s, want %s", short(handled), short(want))
				}
				var line struct {
					Failed   int `json:"failed"`
					Failures []struct {
						Error string `json:"error"`
					} `json:"failures"`
				}
				if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
					t.Fatalf("log line %s: %v", logs.Bytes(), err)
				}
				if line.Failed != 1 || len(line.Failures) != 1 {
					t.Fatalf("log line %s: want 1 failure", logs.Bytes())
				}
				for _, w := range tt.want {
					if !strings.Contains(line.Failures[0].Error, w) {
						t.Errorf("logged error %q, want it to contain %q", line.Failures[0].Error, w)
					}
				}
				// The Handler still works.
				resp, err = h.Invoke(context.Background(), event(keyed(1, "good")...))
				if err != nil || len(response(t, resp)) != 0 {
					t.Errorf("next Invoke: got %s, %v; want success", resp, err)
				}
			})
		}
	}
}
