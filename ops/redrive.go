package ops

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/standardstream/standardstream/producer"
)

// S3API is the part of the Amazon S3 API the operations use. *s3.Client
// is one.
type S3API interface {
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Key prefixes in a failure destination's bucket.
const (
	// LambdaPrefix is where Lambda writes the objects of failed batches:
	// aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>.
	LambdaPrefix = "aws/lambda/"
	// MarkerPrefix is where redrive records its progress: for each object
	// of the bucket it has redriven records of, new objects
	// MarkerPrefix<object key>/<run>.done when every record of the object
	// is back on a stream, or <run>.partial listing the sequence numbers of
	// the records put so far. Markers are only ever added, never
	// overwritten or deleted, so they work in a bucket with versioning and
	// S3 Object Lock.
	MarkerPrefix = "standardstream-redrive/"
)

// Summary counts what a redrive or replay did. Records = Put + Failed +
// Skipped. In a dry run, Put counts the records that would be put.
type Summary struct {
	// Objects counts the S3 objects (or SQS messages) read.
	Objects int
	// Records counts the records in them that were considered.
	Records int
	// Put counts the records put on the stream.
	Put int
	// Failed counts records that could not be put (or read).
	Failed int
	// Skipped counts records put by an earlier redrive.
	Skipped int
}

// RedriveLine returns the summary line of a redrive:
// "redrive: objects O, records R, put P, failed F, skipped S".
func (s Summary) RedriveLine() string { return "redrive: " + s.redriveCounts() }

// redriveCounts is RedriveLine without "redrive: ", the progress status of
// a redrive from S3.
func (s Summary) redriveCounts() string {
	return fmt.Sprintf("objects %d, records %d, put %d, failed %d, skipped %d", s.Objects, s.Records, s.Put, s.Failed, s.Skipped)
}

// ReplayLine returns the summary line of a replay:
// "replay: objects O, records R, put P, failed F".
func (s Summary) ReplayLine() string { return "replay: " + s.replayCounts() }

// replayCounts is ReplayLine without "replay: ", the progress status of a
// replay.
func (s Summary) replayCounts() string {
	return fmt.Sprintf("objects %d, records %d, put %d, failed %d", s.Objects, s.Records, s.Put, s.Failed)
}

// A Redriver puts records that a Kinesis event-source mapping gave up on
// back on a stream.
type Redriver struct {
	// Kinesis reads and writes the stream; S3 and SQS read the failure
	// destination.
	Kinesis KinesisAPI
	S3      S3API
	SQS     SQSAPI
	// Stream is the stream's name or ARN.
	Stream string
	// DryRun reads the destination and reports what would be put, and
	// changes nothing.
	DryRun bool
	// Out gets a line per record that could not be put and, in a dry run,
	// a line per object. Default: discarded.
	Out io.Writer
	// Progress gets progress reports: a live bar when it is a terminal, a
	// line every ProgressEvery otherwise. Default: none.
	Progress      io.Writer
	ProgressEvery time.Duration
	// Grace is how long an interrupted run goes on delivering the records
	// it has already handed to the producer, so that it can record them as
	// put. Default: 30 s.
	Grace time.Duration
	// ProducerOptions configure the producer that puts the records.
	ProducerOptions []producer.Option
}

const (
	defaultGrace = 30 * time.Second
	// maxFlushing bounds the objects whose records are in flight at once.
	maxFlushing = 16
)

// objectEntry is an object to redrive.
type objectEntry struct {
	key string
	at  time.Time // when Lambda wrote it, from the key; LastModified otherwise
}

// markerState is what earlier runs recorded about an object.
type markerState struct {
	done bool
	put  map[string]bool // sequence numbers put, when not done
}

// marker is the body of a marker object.
type marker struct {
	Object string    `json:"object"`
	Stream string    `json:"stream"`
	Done   bool      `json:"done"`
	Total  int       `json:"records"`
	Put    []string  `json:"put,omitempty"` // sequence numbers, when not done
	At     time.Time `json:"at"`
}

// FromS3 redrives the objects under loc that Lambda's S3 on-failure
// destination wrote, oldest first; an empty loc.Prefix means LambdaPrefix.
// Each record goes back with its partition key and data, in order per key
// within and across objects. After an object's records are put, FromS3
// adds a marker (see [MarkerPrefix]) so that later runs skip them; records
// the producer could not put are written to Out with their object, left
// unmarked, and make FromS3 return an error.
//
// When ctx ends, FromS3 stops putting, delivers what it has handed to the
// producer (for at most Grace), marks what was put, and returns ctx's
// error: a later run resumes without putting any record twice.
func (r *Redriver) FromS3(ctx context.Context, loc S3Location) (Summary, error) {
	var sum Summary
	if r.Kinesis == nil || r.S3 == nil {
		return sum, errors.New("redrive: Kinesis and S3 clients are required")
	}
	if err := checkStream(ctx, r.Kinesis, r.Stream); err != nil {
		return sum, err
	}
	prefix := loc.Prefix
	if prefix == "" {
		prefix = LambdaPrefix
	}
	objects, err := r.listObjects(ctx, loc, prefix)
	if err != nil {
		return sum, err
	}
	markers, err := r.readMarkers(ctx, loc.Bucket)
	if err != nil {
		return sum, err
	}
	out := r.Out
	if out == nil {
		out = io.Discard
	}
	run := &redriveRun{Redriver: r, bucket: loc.Bucket, markers: markers, out: out, runID: newRunID()}
	return run.redrive(ctx, objects)
}

// listObjects lists the failure objects under prefix, oldest first.
func (r *Redriver) listObjects(ctx context.Context, loc S3Location, prefix string) ([]objectEntry, error) {
	var objs []objectEntry
	for o, err := range objects(ctx, r.S3, loc.Bucket, prefix) {
		if err != nil {
			return nil, s3Error("--from", loc, err)
		}
		key := aws.ToString(o.Key)
		if strings.HasPrefix(key, MarkerPrefix) || strings.HasSuffix(key, "/") {
			continue
		}
		objs = append(objs, objectEntry{key: key, at: keyTime(key, aws.ToTime(o.LastModified))})
	}
	sort.SliceStable(objs, func(i, j int) bool {
		if !objs[i].at.Equal(objs[j].at) {
			return objs[i].at.Before(objs[j].at)
		}
		return objs[i].key < objs[j].key
	})
	return objs, nil
}

// keyTime returns the time in the name of an object Lambda wrote
// (YYYY-MM-DDTHH.MM.SS-<UUID>), or def.
func keyTime(key string, def time.Time) time.Time {
	name := path.Base(key)
	if len(name) >= 19 {
		if t, err := time.Parse("2006-01-02T15.04.05", name[:19]); err == nil {
			return t
		}
	}
	return def
}

// s3Error turns a bucket that does not exist or a denied listing into an
// *InputError for flag.
func s3Error(flag string, loc S3Location, err error) error {
	switch apiCode(err) {
	case "NoSuchBucket":
		return inputErrorf(flag, loc.String(), "bucket %q does not exist", loc.Bucket)
	case "InvalidBucketName":
		return inputErrorf(flag, loc.String(), "invalid bucket name %q", loc.Bucket)
	}
	return fmt.Errorf("list %s: %w", loc, err)
}

// readMarkers returns what earlier runs recorded, by object key.
func (r *Redriver) readMarkers(ctx context.Context, bucket string) (map[string]*markerState, error) {
	states := make(map[string]*markerState)
	for o, err := range objects(ctx, r.S3, bucket, MarkerPrefix) {
		if err != nil {
			return nil, fmt.Errorf("list markers in s3://%s/%s: %w", bucket, MarkerPrefix, err)
		}
		key := aws.ToString(o.Key)
		obj, name := path.Split(strings.TrimPrefix(key, MarkerPrefix))
		obj = strings.TrimSuffix(obj, "/")
		st := states[obj]
		if st == nil {
			st = &markerState{put: make(map[string]bool)}
			states[obj] = st
		}
		switch {
		case strings.HasSuffix(name, ".done"):
			st.done = true
		case strings.HasSuffix(name, ".partial") && !st.done:
			b, err := getObject(ctx, r.S3, bucket, key)
			if err != nil {
				return nil, err
			}
			var m marker
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("decode marker s3://%s/%s: %w", bucket, key, err)
			}
			for _, s := range m.Put {
				st.put[s] = true
			}
		}
	}
	return states, nil
}

func getObject(ctx context.Context, c S3API, bucket, key string) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	return b, nil
}

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// redriveRun is one FromS3 call.
type redriveRun struct {
	*Redriver
	bucket  string
	markers map[string]*markerState
	out     io.Writer
	runID   string

	mu      sync.Mutex // guards sum, out, errs
	sum     Summary
	errs    []error
	flushes sync.WaitGroup
}

// fetched is a failure object read and decoded.
type fetched struct {
	key   string
	info  *batchInfo
	recs  []failedRecord
	state *markerState
}

func (run *redriveRun) status() string {
	run.mu.Lock()
	defer run.mu.Unlock()
	return run.sum.redriveCounts()
}

func (run *redriveRun) redrive(ctx context.Context, objects []objectEntry) (Summary, error) {
	prog := newProgress(run.Progress, "redrive", len(objects), run.ProgressEvery, run.status)
	defer prog.finish()

	var pt *putter
	if !run.DryRun {
		var err error
		if pt, err = newPutter(run.Kinesis, run.Stream, run.ProducerOptions); err != nil {
			return run.sum, err
		}
	}
	// drain outlives ctx by the grace period: records already handed to
	// the producer are delivered and marked.
	drain, release := drainContext(ctx, run.Grace)
	defer release()

	sem := make(chan struct{}, maxFlushing)
	interrupted := false
	for i := 0; i < len(objects) && !interrupted; {
		// A group is the objects of one shard written in the same second:
		// the key cannot order them, their sequence numbers do.
		j := i + 1
		for j < len(objects) && objects[j].at.Equal(objects[i].at) && path.Dir(objects[j].key) == path.Dir(objects[i].key) {
			j++
		}
		group := make([]*fetched, 0, j-i)
		for _, o := range objects[i:j] {
			f, err := run.fetch(ctx, o.key)
			if err != nil {
				if ctx.Err() != nil {
					interrupted = true
					break
				}
				run.fail(fmt.Errorf("s3://%s/%s: %w", run.bucket, o.key, err))
				prog.advance(1)
				continue
			}
			group = append(group, f)
		}
		i = j
		slices.SortStableFunc(group, func(a, b *fetched) int {
			return compareSeq(a.info.StartSequenceNumber, b.info.StartSequenceNumber)
		})
		for _, f := range group {
			if interrupted {
				break
			}
			if run.DryRun {
				run.plan(f)
				prog.advance(1)
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				interrupted = true
				break
			}
			interrupted = !run.put(ctx, drain, pt, f, func() { <-sem; prog.advance(1) })
		}
	}
	run.flushes.Wait()
	if pt != nil {
		// Every record was flushed; Close only stops the producer.
		_ = pt.p.Close(drain)
	}

	run.mu.Lock()
	defer run.mu.Unlock()
	var err error
	if run.sum.Failed > 0 {
		err = fmt.Errorf("%d records could not be put; they are listed above and not marked as redriven", run.sum.Failed)
	}
	err = errors.Join(append([]error{err}, run.errs...)...)
	if interrupted {
		err = errors.Join(fmt.Errorf("interrupted (%w); run the same command again to resume", context.Cause(ctx)), err)
	}
	return run.sum, err
}

func (run *redriveRun) fail(err error) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.errs = append(run.errs, err)
	fmt.Fprintf(run.out, "unreadable: %v\n", err)
}

// fetch reads and decodes an object, with what markers say was put of it.
func (run *redriveRun) fetch(ctx context.Context, key string) (*fetched, error) {
	st := run.markers[key]
	if st == nil {
		st = &markerState{put: map[string]bool{}}
	}
	f := &fetched{key: key, state: st}
	// An object redriven before is read too, for the summary's count of
	// records skipped.
	b, err := getObject(ctx, run.S3, run.bucket, key)
	if err != nil {
		return nil, err
	}
	ir, recs, err := decodeInvocationRecord(b, true)
	if err != nil {
		return nil, err
	}
	f.info, f.recs = ir.KinesisBatchInfo, recs
	return f, nil
}

// plan reports what a run would do with f.
func (run *redriveRun) plan(f *fetched) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.sum.Objects++
	run.sum.Records += len(f.recs)
	skip := 0
	for _, rec := range f.recs {
		if f.state.done || f.state.put[rec.seq] {
			skip++
		}
	}
	run.sum.Skipped += skip
	run.sum.Put += len(f.recs) - skip
	if skip == len(f.recs) {
		fmt.Fprintf(run.out, "would skip s3://%s/%s: %d records redriven before\n", run.bucket, f.key, skip)
		return
	}
	fmt.Fprintf(run.out, "would put %d records of s3://%s/%s (shard %s, sequence numbers %s to %s) on %s; skip %d\n",
		len(f.recs)-skip, run.bucket, f.key, f.info.ShardID, f.info.StartSequenceNumber, f.info.EndSequenceNumber, run.Stream, skip)
}

// put hands f's records to the producer, then flushes and marks them in the
// background; done runs after that. It returns false when ctx ended before
// every record was handed over.
func (run *redriveRun) put(ctx, drain context.Context, pt *putter, f *fetched, done func()) bool {
	var (
		mu      sync.Mutex
		failed  = make(map[int]error)
		handed  []int // indexes of records handed to the producer
		forgets []func()
		skipped int
	)
	complete := true
	for i, rec := range f.recs {
		if f.state.done || f.state.put[rec.seq] {
			skipped++
			continue
		}
		if ctx.Err() != nil {
			complete = false
			break
		}
		forget, err := pt.put(ctx, rec.key, rec.data, func(err error) {
			mu.Lock()
			failed[i] = err
			mu.Unlock()
		})
		if err != nil {
			if ctx.Err() != nil {
				complete = false
				break
			}
			mu.Lock()
			failed[i] = err
			mu.Unlock()
		} else {
			forgets = append(forgets, forget)
		}
		handed = append(handed, i)
	}
	run.flushes.Add(1)
	go func() {
		defer run.flushes.Done()
		defer done()
		if len(handed) > 0 {
			if err := pt.p.Flush(drain); err != nil {
				var de *producer.DeliveryError
				if !errors.As(err, &de) {
					// Flush gave up waiting: the records are undelivered
					// or in doubt. Report them as failed, unmarked.
					mu.Lock()
					for _, i := range handed {
						if _, ok := failed[i]; !ok {
							failed[i] = err
						}
					}
					mu.Unlock()
				}
			}
		}
		for _, forget := range forgets {
			forget()
		}
		mu.Lock()
		defer mu.Unlock()
		run.finish(drain, f, handed, failed, skipped, complete)
	}()
	return complete
}

// finish counts f's outcome, reports its failed records and adds a marker.
func (run *redriveRun) finish(ctx context.Context, f *fetched, handed []int, failed map[int]error, skipped int, complete bool) {
	put := len(handed) - len(failed)
	var seqs []string
	if put > 0 && (len(failed) > 0 || !complete) {
		for s := range f.state.put {
			seqs = append(seqs, s)
		}
		for _, i := range handed {
			if _, bad := failed[i]; !bad {
				seqs = append(seqs, f.recs[i].seq)
			}
		}
		slices.SortFunc(seqs, compareSeq)
	}
	var markErr error
	if put > 0 {
		done := len(failed) == 0 && complete
		markErr = run.mark(ctx, f, done, seqs)
	}

	run.mu.Lock()
	defer run.mu.Unlock()
	run.sum.Objects++
	run.sum.Records += len(handed) + skipped
	run.sum.Put += put
	run.sum.Failed += len(failed)
	run.sum.Skipped += skipped
	idx := make([]int, 0, len(failed))
	for i := range failed {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		rec := f.recs[i]
		fmt.Fprintf(run.out, "failed: s3://%s/%s: record %s (partition key %q): %v\n", run.bucket, f.key, rec.seq, rec.key, failed[i])
	}
	if markErr != nil {
		run.errs = append(run.errs, markErr)
	}
}

// mark adds a marker for f: done, or the sequence numbers put so far.
func (run *redriveRun) mark(ctx context.Context, f *fetched, done bool, seqs []string) error {
	m := marker{Object: f.key, Stream: run.Stream, Done: done, Total: len(f.recs), At: time.Now().UTC()}
	suffix := ".done"
	if !done {
		m.Put, suffix = seqs, ".partial"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	key := MarkerPrefix + f.key + "/" + run.runID + suffix
	_, err = run.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(run.bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(b),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		// The records are on the stream, but a re-run would put them again.
		return fmt.Errorf("records of s3://%s/%s were put but the marker could not be written, a re-run would put them again: %w", run.bucket, f.key, err)
	}
	return nil
}
