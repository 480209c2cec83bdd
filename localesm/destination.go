package localesm

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// A Destination receives the records the runner gives up on, like the
// on-failure destination of an event-source mapping. Put must keep f before
// it returns: the runner moves the shard's checkpoint past the records once
// Put returns nil, and stops with Put's error otherwise.
type Destination interface {
	Put(ctx context.Context, f *Failure) error
}

// Conditions under which the runner gives up on records, as Lambda names
// them in requestContext.condition.
const (
	// RetryAttemptsExhausted: the records failed MaximumRetryAttempts
	// retries.
	RetryAttemptsExhausted = "RetryAttemptsExhausted"
	// RecordAgeExceeded: the records were older than MaximumRecordAge
	// before an invocation.
	RecordAgeExceeded = "RecordAgeExceeded"
)

// Failure is what Lambda writes to an Amazon S3 on-failure destination when
// it gives up on records of a Kinesis batch: the invocation record (the same
// JSON that SQS and SNS destinations get) and, as S3 destinations do, the
// records themselves in Payload.
type Failure struct {
	RequestContext RequestContext `json:"requestContext"`
	// ResponseContext is nil when the records aged out before any
	// invocation.
	ResponseContext  *ResponseContext `json:"responseContext,omitempty"`
	Version          string           `json:"version"`
	Timestamp        Timestamp        `json:"timestamp"`
	KinesisBatchInfo BatchInfo        `json:"KinesisBatchInfo"`
	// Payload is the Lambda Kinesis event of the records given up; see
	// [Failure.Event].
	Payload json.RawMessage `json:"payload"`

	// MappingUUID is the UUID of the runner that gave up, which an S3 key
	// starts with. It is not part of the JSON.
	MappingUUID string `json:"-"`
}

// RequestContext says which function gave up and why.
type RequestContext struct {
	RequestID   string `json:"requestId"`
	FunctionArn string `json:"functionArn"`
	// Condition is RetryAttemptsExhausted or RecordAgeExceeded.
	Condition string `json:"condition"`
	// ApproximateInvokeCount is how many times the records were invoked.
	ApproximateInvokeCount int `json:"approximateInvokeCount"`
}

// ResponseContext describes the last invocation's result.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	// FunctionError is "Unhandled" when the function returned an error or
	// timed out, and empty when it returned a response that reported the
	// records as failed.
	FunctionError string `json:"functionError,omitempty"`
}

// BatchInfo locates the records given up in the stream.
type BatchInfo struct {
	ShardID                         string    `json:"shardId"`
	StartSequenceNumber             string    `json:"startSequenceNumber"`
	EndSequenceNumber               string    `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord Timestamp `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  Timestamp `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int       `json:"batchSize"`
	StreamArn                       string    `json:"streamArn"`
}

// Timestamp is a time that marshals as Lambda writes them in failure
// records: UTC, milliseconds, such as 2019-11-14T00:38:06.021Z.
type Timestamp time.Time

const timestampLayout = "2006-01-02T15:04:05.000Z"

// MarshalJSON writes t as 2019-11-14T00:38:06.021Z.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(timestampLayout) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 time.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var v time.Time
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = Timestamp(v)
	return nil
}

// Event decodes f's payload: the records given up, as the function saw them.
func (f *Failure) Event() (events.KinesisEvent, error) {
	var e events.KinesisEvent
	if err := json.Unmarshal(f.Payload, &e); err != nil {
		return e, fmt.Errorf("localesm: decode failure payload of shard %s: %w", f.KinesisBatchInfo.ShardID, err)
	}
	return e, nil
}

// MemoryDestination keeps failures in memory, for tests. Its zero value is
// ready to use; it is safe for concurrent use.
type MemoryDestination struct {
	mu       sync.Mutex
	failures []*Failure
}

// Put keeps f.
func (m *MemoryDestination) Put(_ context.Context, f *Failure) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failures = append(m.failures, f)
	return nil
}

// Failures returns the failures put so far, oldest first.
func (m *MemoryDestination) Failures() []*Failure {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Failure(nil), m.failures...)
}

// DirDestination writes each failure as a JSON file in a directory, at the
// key Lambda gives the object in an S3 destination's bucket:
//
//	aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>
//
// so that tools written against the bucket, such as a redrive script, work
// on the directory too.
type DirDestination struct {
	// Dir is the directory standing in for the bucket.
	Dir string
}

// Put writes f to a new file. The file appears complete or not at all.
func (d DirDestination) Put(_ context.Context, f *Failure) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("localesm: encode failure of shard %s: %w", f.KinesisBatchInfo.ShardID, err)
	}
	path := filepath.Join(d.Dir, filepath.FromSlash(ObjectKey(f)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("localesm: failure destination: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return fmt.Errorf("localesm: failure destination: %w", err)
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("localesm: failure destination: write %s: %w", path, err)
	}
	return nil
}

// Failures reads every failure in the directory, in key order, which is
// time order within a shard.
func (d DirDestination) Failures() ([]*Failure, error) {
	var out []*Failure
	root := filepath.Join(d.Dir, "aws", "lambda")
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || filepath.Base(path)[0] == '.' {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f := new(Failure)
		if err := json.Unmarshal(b, f); err != nil {
			return fmt.Errorf("decode %s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, path)
		f.MappingUUID, _, _ = strings.Cut(filepath.ToSlash(rel), "/")
		out = append(out, f)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("localesm: read failure destination %s: %w", d.Dir, err)
	}
	return out, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
