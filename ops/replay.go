package ops

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/standardstream/standardstream/producer"
)

// ArchiveDataPrefix is where the construct's Firehose writes records, with
// Hive-style hour partitions under it (constructs/streaming.ArchivePrefix):
// data/year=YYYY/month=MM/day=DD/hour=HH/.
const ArchiveDataPrefix = "data/"

// A Replayer puts the records of the construct's Firehose archive back on a
// stream.
type Replayer struct {
	// Kinesis writes the stream; S3 reads the archive.
	Kinesis KinesisAPI
	S3      S3API
	// Stream is the name or ARN of the stream to put records on; it need
	// not be the stream that was archived (a backfill stream, say).
	Stream string
	// Since and Until bound the hours to replay: the hour partitions that
	// overlap [Since, Until). The archive is partitioned by the hour of
	// arrival, so a window that does not start and end on the hour is
	// widened to whole hours.
	Since, Until time.Time
	// Key is where in each record its partition key is: the archive keeps
	// the data, not the keys.
	Key Pointer
	// DryRun reads the archive and reports what would be put.
	DryRun bool
	// Out gets a line per record that could not be put and, in a dry run,
	// a line per object. Default: discarded.
	Out io.Writer
	// Progress gets progress reports (see [Redriver]).
	Progress      io.Writer
	ProgressEvery time.Duration
	// Grace is how long an interrupted run goes on delivering what it has
	// handed to the producer. Default: 30 s.
	Grace time.Duration
	// ProducerOptions configure the producer.
	ProducerOptions []producer.Option
}

// CheckWindow returns an *InputError unless since is before until.
func CheckWindow(since, until time.Time) error {
	if !since.Before(until) {
		return inputErrorf("--since", since.Format(time.RFC3339), "must be before --until %s", until.Format(time.RFC3339))
	}
	return nil
}

// HourPrefixes returns the archive's hour partitions under base that
// overlap [since, until), oldest first.
func HourPrefixes(base string, since, until time.Time) []string {
	var out []string
	for h := since.UTC().Truncate(time.Hour); h.Before(until); h = h.Add(time.Hour) {
		out = append(out, fmt.Sprintf("%syear=%04d/month=%02d/day=%02d/hour=%02d/", base, h.Year(), h.Month(), h.Day(), h.Hour()))
	}
	return out
}

// Run replays the archive at loc (loc.Prefix is the prefix that holds the
// year= partitions; empty means [ArchiveDataPrefix]): the objects of the
// hour partitions in the window, in key order (time order), and in each
// the records (GZIP, one per line, as the construct's Firehose writes them)
// in order, each without the newline Firehose appended, byte for byte.
// Records whose partition key cannot be found are written to Out and
// counted as failed, and so are records the producer gave up on; either
// makes Run return an error.
func (r *Replayer) Run(ctx context.Context, loc S3Location) (Summary, error) {
	var sum Summary
	if r.Kinesis == nil || r.S3 == nil {
		return sum, errors.New("replay: Kinesis and S3 clients are required")
	}
	if err := CheckWindow(r.Since, r.Until); err != nil {
		return sum, err
	}
	if r.Key.text == "" {
		return sum, inputErrorf("--key", "", "a JSON pointer to the partition key is required")
	}
	if err := checkStream(ctx, r.Kinesis, r.Stream); err != nil {
		return sum, err
	}
	base := loc.Prefix
	if base == "" {
		base = ArchiveDataPrefix
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	var keys []string
	for _, p := range HourPrefixes(base, r.Since, r.Until) {
		for o, err := range objects(ctx, r.S3, loc.Bucket, p) {
			if err != nil {
				return sum, s3Error("--from", loc, err)
			}
			if k := aws.ToString(o.Key); !strings.HasSuffix(k, "/") {
				keys = append(keys, k)
			}
		}
	}
	out := r.Out
	if out == nil {
		out = io.Discard
	}

	var pt *putter
	if !r.DryRun {
		var err error
		if pt, err = newPutter(r.Kinesis, r.Stream, r.ProducerOptions); err != nil {
			return sum, err
		}
	}
	drain, release := drainContext(ctx, r.Grace)
	defer release()
	if pt != nil {
		defer pt.p.Close(drain)
	}

	var mu sync.Mutex // guards sum and out
	status := func() string {
		mu.Lock()
		defer mu.Unlock()
		return sum.replayCounts()
	}
	prog := newProgress(r.Progress, "replay", len(keys), r.ProgressEvery, status)
	defer prog.finish()
	// report counts n failed records; line 0 means records in doubt.
	report := func(key string, line, n int, err error) {
		mu.Lock()
		defer mu.Unlock()
		sum.Failed += n
		if line == 0 {
			fmt.Fprintf(out, "failed: s3://%s/%s: %d records not confirmed: %v\n", loc.Bucket, key, n, err)
			return
		}
		fmt.Fprintf(out, "failed: s3://%s/%s line %d: %v\n", loc.Bucket, key, line, err)
	}

	var errs []error
	interrupted := false
	for _, key := range keys {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		n, err := r.replayObject(ctx, loc.Bucket, key, pt, report, func(put int) {
			mu.Lock()
			sum.Put += put
			mu.Unlock()
		}, drain)
		mu.Lock()
		sum.Objects++
		sum.Records += n
		mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				interrupted = true
				break
			}
			errs = append(errs, fmt.Errorf("s3://%s/%s: %w", loc.Bucket, key, err))
			fmt.Fprintf(out, "unreadable: s3://%s/%s: %v\n", loc.Bucket, key, err)
		}
		if r.DryRun {
			fmt.Fprintf(out, "would put %d records of s3://%s/%s on %s\n", n, loc.Bucket, key, r.Stream)
		}
		prog.advance(1)
	}
	mu.Lock()
	defer mu.Unlock()
	if sum.Failed > 0 {
		errs = append(errs, fmt.Errorf("%d records could not be put; they are listed above", sum.Failed))
	}
	if interrupted {
		errs = append([]error{fmt.Errorf("interrupted (%w); the records put so far stay put", context.Cause(ctx))}, errs...)
	}
	return sum, errors.Join(errs...)
}

// replayObject puts the records of one archive object and waits for them.
// It returns how many records it read.
func (r *Replayer) replayObject(ctx context.Context, bucket, key string, pt *putter,
	report func(key string, line, n int, err error), put func(int), drain context.Context) (int, error) {
	obj, err := r.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return 0, err
	}
	defer obj.Body.Close()
	zr, err := gzip.NewReader(bufio.NewReader(obj.Body))
	if err != nil {
		return 0, fmt.Errorf("not GZIP: %w", err)
	}
	br := bufio.NewReaderSize(zr, 1<<20)
	var (
		n, handed int
		failedN   int
		mu        sync.Mutex
		forgets   []func()
	)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		if ctx.Err() != nil {
			break
		}
		n++
		data := bytes.TrimSuffix(b, []byte("\n")) // the delimiter Firehose appended
		pk, kerr := r.Key.Key(data)
		if kerr != nil {
			report(key, line, 1, kerr)
			continue
		}
		if pt == nil {
			handed++
			continue
		}
		forget, perr := pt.put(ctx, pk, data, func(err error) {
			mu.Lock()
			failedN++
			mu.Unlock()
			report(key, line, 1, err)
		})
		if perr != nil {
			if ctx.Err() != nil {
				n--
				break
			}
			report(key, line, 1, perr)
			continue
		}
		handed++
		forgets = append(forgets, forget)
	}
	if pt == nil {
		put(handed) // a dry run: would put
		return n, nil
	}
	err = pt.p.Flush(drain)
	for _, f := range forgets {
		f()
	}
	if err != nil {
		var de *producer.DeliveryError
		if !errors.As(err, &de) {
			// Flush gave up waiting (an interrupted run's grace ran
			// out): the records not reported yet are in doubt.
			mu.Lock()
			doubt := handed - failedN
			failedN = handed
			mu.Unlock()
			report(key, 0, doubt, err)
		}
	}
	mu.Lock()
	put(handed - failedN)
	mu.Unlock()
	return n, nil
}
