package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	schema := filepath.Join(dir, "order.schema.json")
	if err := os.WriteFile(schema, []byte(`{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "order_gen.go")
	if err := run([]string{"-schema", schema, "-type", "Order", "-o", out, "-package", "orders"}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"package orders", "type Order struct", "func (v *Order) Decode(data []byte) error"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated file lacks %q", want)
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.schema.json")
	if err := os.WriteFile(bad, []byte(`{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOPACKAGE", "")
	tests := []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"-type", "T", "-o", "x.go", "-package", "p"}, "-schema is required", true},
		{[]string{"-schema", bad, "-o", "x.go", "-package", "p"}, "-type is required", true},
		{[]string{"-schema", bad, "-type", "T", "-package", "p"}, "-o is required", true},
		{[]string{"-schema", bad, "-type", "T", "-o", "x.go"}, "-package is required", true},
		{[]string{"-schema", bad, "-type", "T", "-o", filepath.Join(dir, "x.go"), "-package", "p"}, bad + `: /properties/a/oneOf: keyword "oneOf"`, false},
		{[]string{"-schema", filepath.Join(dir, "missing.json"), "-type", "T", "-o", "x.go", "-package", "p"}, "missing.json", false},
	}
	for _, tt := range tests {
		err := run(tt.args)
		var u usageError
		if err == nil || !strings.Contains(err.Error(), tt.want) || errors.As(err, &u) != tt.usage {
			t.Errorf("run(%q): got %v, want an error containing %q (usage error %v)", tt.args, err, tt.want, tt.usage)
		}
	}
}
