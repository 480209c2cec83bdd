// Command docgen writes the generated documentation (see package
// internal/docs) into the repository: `make docs`. With -check it writes
// nothing and exits 1 if a committed document is stale.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/internal/docs"
)

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "report stale documents instead of writing them")
	flag.Parse()
	code := run(*root, *check)
	jsii.Close()
	os.Exit(code)
}

func run(root string, check bool) int {
	generated, err := docs.Generate(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		return 1
	}
	paths := make([]string, 0, len(generated))
	for p := range generated {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	stale := 0
	for _, p := range paths {
		full := filepath.Join(root, p)
		old, _ := os.ReadFile(full)
		if bytes.Equal(old, generated[p]) {
			continue
		}
		if check {
			fmt.Fprintf(os.Stderr, "docgen: %s is stale; run make docs\n", p)
			stale++
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			return 1
		}
		if err := os.WriteFile(full, generated[p], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			return 1
		}
		fmt.Println("docgen: wrote", p)
	}
	if stale > 0 {
		return 1
	}
	return 0
}
