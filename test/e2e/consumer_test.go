package e2e

// The end-to-end test's consumer: a Lambda function built on kinesisbatch,
// which localesm.Process runs behind its local Runtime API as Lambda would.
// Its processes are this test binary itself, which runs the consumer
// instead of the tests when it is started as the test's Lambda function,
// with AWS_LAMBDA_RUNTIME_API and E2E_DIR set (TestMain): building a
// separate binary would cost the run a Go link at start. It writes what it
// does to a journal the test reads afterwards, one line per event, appended
// with one write each so that lines of concurrent handlers and processes
// never mix:
//
//	H <id>  handled the record (the side effect a real consumer has)
//	T <id>  failed the record on purpose, the first time it saw it
//	C <id>  about to kill its own process, the first time it saw the record
//
// E2E_DIR names the directory of the journal and of the marker files that
// make "the first time" hold across processes.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

// TestMain runs the consumer instead of the tests in the processes that
// TestEndToEnd starts as its Lambda function: localesm.Process gives them
// the Runtime API's address as Lambda does, and the test its E2E_DIR.
func TestMain(m *testing.M) {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" && os.Getenv("E2E_DIR") != "" {
		consumerMain()
	}
	os.Exit(m.Run())
}

type consumer struct {
	dir            string
	journal        *os.File
	transientEvery uint32
	crashEvery     uint32
}

// consumerMain runs the process as the consumer; it does not return.
func consumerMain() {
	dir := os.Getenv("E2E_DIR")
	journal, err := os.OpenFile(filepath.Join(dir, "journal"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
	c := &consumer{dir: dir, journal: journal, transientEvery: envUint("E2E_TRANSIENT_EVERY"), crashEvery: envUint("E2E_CRASH_EVERY")}
	lambda.Start(kinesisbatch.New(c.handle,
		kinesisbatch.WithConcurrency(8),
		kinesisbatch.WithLogger(slog.New(slog.NewJSONHandler(os.Stdout, nil))),
		kinesisbatch.WithMetrics(io.Discard, "E2E")))
}

func envUint(name string) uint32 {
	n, err := strconv.ParseUint(os.Getenv(name), 10, 32)
	if err != nil || n == 0 {
		fmt.Fprintf(os.Stderr, "consumer: %s=%q: want a positive number\n", name, os.Getenv(name))
		os.Exit(1)
	}
	return uint32(n)
}

// event is a record the test produces; poison records are not JSON.
type event struct {
	ID string `json:"id"`
}

func (c *consumer) handle(_ context.Context, r kinesisbatch.Record) error {
	var e event
	if err := json.Unmarshal(r.Data, &e); err != nil || e.ID == "" {
		return fmt.Errorf("poison record: %.40q", r.Data)
	}
	h := fnv.New32a()
	h.Write([]byte(e.ID))
	sum := h.Sum32()
	if sum%c.crashEvery == 0 && c.first("crash", e.ID) {
		c.write("C", e.ID)
		// As an out-of-memory kill would: no response, records of the
		// batch handled or not.
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	if sum%c.transientEvery == 0 && c.first("transient", e.ID) {
		c.write("T", e.ID)
		return errors.New("downstream unavailable for " + e.ID)
	}
	c.write("H", e.ID)
	return nil
}

// first reports whether this is the first time any process asks about kind
// and id: it creates a marker file, which succeeds only once.
func (c *consumer) first(kind, id string) bool {
	f, err := os.OpenFile(filepath.Join(c.dir, kind+"-"+strings.ReplaceAll(id, "/", "_")), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func (c *consumer) write(tag, id string) {
	if _, err := c.journal.Write([]byte(tag + " " + id + "\n")); err != nil {
		panic(err) // fails the record; the test sees it unhandled
	}
}
