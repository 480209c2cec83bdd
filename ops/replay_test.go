package ops

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/standardstream/standardstream/internal/syncio"
)

// gz compresses lines as Firehose writes them: each record followed by the
// newline the construct's AppendDelimiterToRecord processor adds.
func gz(t *testing.T, lines []string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	for _, l := range lines {
		w.Write([]byte(l + "\n"))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReplayWindow: archive objects in the construct's layout for four
// hours; a replay of two of them puts exactly those hours' records, byte
// for byte, in order per key, and counts a record without the key as
// failed.
func TestReplayWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	stream := newStream(t, 2)
	bucket := newBucket(t)
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

	want := map[string][]string{} // by key, the records of hours 09 and 10
	seq := 0
	for h := range 4 {
		at := t0.Add(time.Duration(h) * time.Hour)
		prefix := fmt.Sprintf("data/year=%04d/month=%02d/day=%02d/hour=%02d/", at.Year(), at.Month(), at.Day(), at.Hour())
		for o := range 2 {
			var lines []string
			for range 15 {
				key := fmt.Sprintf("c%d", seq%4)
				// Uneven spacing shows the records are not re-encoded.
				line := fmt.Sprintf(`{"customer": {"id":"%s"},  "seq":%d, "hour":%d}`, key, seq, at.Hour())
				seq++
				lines = append(lines, line)
				if h == 1 || h == 2 {
					want[key] = append(want[key], line)
				}
			}
			if h == 1 && o == 1 {
				lines = append(lines, `{"customer":{},"seq":-1}`)
			}
			name := fmt.Sprintf("%sorders-archive-1-%s-%02d-%d", prefix, at.Format("2006-01-02-15-04-05"), o, o)
			putObject(t, bucket, name, gz(t, lines))
		}
	}
	// An error prefix that must not be read.
	putObject(t, bucket, "errors/processing-failed/year=2026/month=11/day=30/x", gz(t, []string{`{"customer":{"id":"bad"}}`}))

	key, err := ParsePointer("--key", "/customer/id")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := &Replayer{
		Kinesis: k, S3: s3T(t), Stream: stream, Key: key, Out: &out,
		Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour),
		ProducerOptions: fastProducer,
		Progress:        &syncio.Buffer{}, ProgressEvery: time.Millisecond,
	}
	sum, err := r.Run(ctx, S3Location{Bucket: bucket})
	if err == nil || !strings.Contains(err.Error(), "1 records could not be put") {
		t.Errorf("got error %v, want one failed record", err)
	}
	if got, w := sum.ReplayLine(), "replay: objects 4, records 61, put 60, failed 1"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if !strings.Contains(out.String(), "failed: s3://"+bucket+"/data/year=2026/month=11/day=30/hour=09/") || !strings.Contains(out.String(), "line 16: record has no /customer/id") {
		t.Errorf("output does not name the record without a key:\n%s", out.String())
	}
	got := byKey(readStream(t, stream))
	for k, w := range want {
		if strings.Join(got[k], "\n") != strings.Join(w, "\n") {
			t.Errorf("key %s: got\n%s\nwant\n%s", k, strings.Join(got[k], "\n"), strings.Join(w, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("got keys %v, want %d keys", got, len(want))
	}
}

func TestReplayDryRunAndBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := kinesisT(t).Client
	stream := newStream(t, 1)
	bucket := newBucket(t)
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	putObject(t, bucket, "archive/data/year=2026/month=11/day=30/hour=08/a", gz(t, []string{`{"id":"1"}`, `{"id":"2"}`}))
	key, _ := ParsePointer("--key", "/id")

	var out bytes.Buffer
	r := &Replayer{Kinesis: k, S3: s3T(t), Stream: stream, Key: key, Out: &out, DryRun: true, Since: t0, Until: t0.Add(time.Hour)}
	sum, err := r.Run(ctx, S3Location{Bucket: bucket, Prefix: "archive/data"})
	if err != nil {
		t.Fatal(err)
	}
	if got, w := sum.ReplayLine(), "replay: objects 1, records 2, put 2, failed 0"; got != w {
		t.Errorf("got %q, want %q", got, w)
	}
	if !strings.Contains(out.String(), "would put 2 records of s3://"+bucket+"/archive/data/year=2026/month=11/day=30/hour=08/a") {
		t.Errorf("dry run output:\n%s", out.String())
	}
	if n := len(readStream(t, stream)); n != 0 {
		t.Errorf("dry run put %d records", n)
	}

	for name, tc := range map[string]struct {
		r    Replayer
		loc  S3Location
		flag string
		val  string
	}{
		"missing bucket":    {Replayer{Stream: stream, Key: key, Since: t0, Until: t0.Add(time.Hour)}, S3Location{Bucket: "no-such-bucket-ops"}, "--from", "no-such-bucket-ops"},
		"missing stream":    {Replayer{Stream: "no-such-stream", Key: key, Since: t0, Until: t0.Add(time.Hour)}, S3Location{Bucket: bucket}, "--stream", "no-such-stream"},
		"since after until": {Replayer{Stream: stream, Key: key, Since: t0.Add(time.Hour), Until: t0}, S3Location{Bucket: bucket}, "--since", "2026-11-30T09:00:00Z"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.r.Kinesis, tc.r.S3 = k, s3T(t)
			_, err := tc.r.Run(ctx, tc.loc)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Flag != tc.flag || !strings.Contains(ie.Value, tc.val) {
				t.Fatalf("got %v, want an *InputError for %s naming %q", err, tc.flag, tc.val)
			}
		})
	}
}
