package ops

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseS3URL(t *testing.T) {
	for _, tc := range []struct {
		in             string
		bucket, prefix string
		err            string
	}{
		{in: "s3://failures", bucket: "failures"},
		{in: "s3://failures/", bucket: "failures"},
		{in: "s3://failures/aws/lambda/", bucket: "failures", prefix: "aws/lambda/"},
		{in: "s3://my.bucket-1/data", bucket: "my.bucket-1", prefix: "data"},
		{in: "failures", err: `--from: want s3://BUCKET[/PREFIX]: "failures"`},
		{in: "https://failures.s3.amazonaws.com/x", err: `want s3://BUCKET[/PREFIX]`},
		{in: "s3://", err: `--from: no bucket name in s3:// URL: "s3://"`},
		{in: "s3:///key", err: `no bucket name`},
		{in: "s3://Upper", err: `invalid bucket name "Upper"`},
		{in: "s3://ab", err: `invalid bucket name "ab"`},
		{in: "s3://-bucket", err: `invalid bucket name`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			loc, err := ParseS3URL("--from", tc.in)
			if tc.err != "" {
				var ie *InputError
				if !errors.As(err, &ie) || ie.Flag != "--from" || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
					t.Fatalf("got error %v, want an *InputError containing %q and the value", err, tc.err)
				}
				return
			}
			if err != nil || loc.Bucket != tc.bucket || loc.Prefix != tc.prefix {
				t.Fatalf("got %+v, %v; want bucket %q prefix %q", loc, err, tc.bucket, tc.prefix)
			}
		})
	}
}

func TestParsePointer(t *testing.T) {
	doc := []byte(`{"customer":{"id":"c-1","n":42,"ok":true},"a/b":"slash","m~n":"tilde","list":["x","y"],"nul":null}`)
	for _, tc := range []struct {
		ptr, key, err string
	}{
		{ptr: "/customer/id", key: "c-1"},
		{ptr: "/customer/n", key: "42"},
		{ptr: "/a~1b", key: "slash"},
		{ptr: "/m~0n", key: "tilde"},
		{ptr: "/list/1", key: "y"},
		{ptr: "/customer/missing", err: "record has no /customer/missing"},
		{ptr: "/list/01", err: "record has no /list/01"},
		{ptr: "/list/2", err: "record has no"},
		{ptr: "/customer/ok", err: "is not a string or a number"},
		{ptr: "/nul", err: "is not a string or a number"},
		{ptr: "/customer", err: "is not a string or a number"},
	} {
		t.Run(tc.ptr, func(t *testing.T) {
			p, err := ParsePointer("--key", tc.ptr)
			if err != nil {
				t.Fatal(err)
			}
			key, err := p.Key(doc)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %q, %v; want error %q", key, err, tc.err)
				}
				return
			}
			if err != nil || key != tc.key {
				t.Fatalf("got %q, %v; want %q", key, err, tc.key)
			}
		})
	}
	for _, bad := range []string{"", "customerId", "/a~2", "/a~"} {
		_, err := ParsePointer("--key", bad)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Flag != "--key" || ie.Value != bad {
			t.Errorf("ParsePointer(%q): got %v, want an *InputError for --key with the value", bad, err)
		}
	}
	p, _ := ParsePointer("--key", "/id")
	if _, err := p.Key([]byte("not json")); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("Key of a non-JSON record: got %v, want not JSON", err)
	}
}

func TestCheckWindowAndHourPrefixes(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	err := CheckWindow(t0.Add(time.Hour), t0)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "--since" || !strings.Contains(err.Error(), "2026-11-30T09:00:00Z") || !strings.Contains(err.Error(), "--until 2026-11-30T08:00:00Z") {
		t.Errorf("since after until: got %v", err)
	}
	if err := CheckWindow(t0, t0); err == nil {
		t.Error("an empty window: got no error")
	}
	for _, tc := range []struct {
		since, until time.Time
		want         []string
	}{
		{t0, t0.Add(2 * time.Hour), []string{"data/year=2026/month=11/day=30/hour=08/", "data/year=2026/month=11/day=30/hour=09/"}},
		// Partial hours widen to the hours they overlap.
		{t0.Add(30 * time.Minute), t0.Add(61 * time.Minute), []string{"data/year=2026/month=11/day=30/hour=08/", "data/year=2026/month=11/day=30/hour=09/"}},
		// Across midnight and a month, in another zone.
		{time.Date(2026, 12, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []string{"data/year=2026/month=11/day=30/hour=23/"}},
	} {
		got := HourPrefixes("data/", tc.since, tc.until)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("HourPrefixes(%v, %v): got %q, want %q", tc.since, tc.until, got, tc.want)
		}
	}
}

func TestParseTailFrom(t *testing.T) {
	for _, ok := range []string{"latest", "trim-horizon", "2026-11-30T08:00:00Z", "2026-11-30T08:00:00+01:00"} {
		if _, err := ParseTailFrom(ok); err != nil {
			t.Errorf("ParseTailFrom(%q): %v", ok, err)
		}
	}
	_, err := ParseTailFrom("yesterday")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "--from" || ie.Value != "yesterday" {
		t.Errorf("ParseTailFrom(yesterday): got %v", err)
	}
}

func TestPathStyle(t *testing.T) {
	for ep, want := range map[string]bool{
		"":                                   false,
		"http://127.0.0.1:9000":              true,
		"http://localhost:4566":              true,
		"http://[::1]:9000":                  true,
		"https://s3.eu-west-1.amazonaws.com": false,
		"http://minio.internal.example:9000": false,
	} {
		if got := pathStyle(ep); got != want {
			t.Errorf("pathStyle(%q) = %v, want %v", ep, got, want)
		}
	}
}

func TestDecodeInvocationRecord(t *testing.T) {
	const event = `{"Records":[{"kinesis":{"partitionKey":"k1","data":"eyJhIjogMX0K","sequenceNumber":"49590338271490256608559692538361571095921575989136588898"}},{"kinesis":{"partitionKey":"k2","data":"","sequenceNumber":"49590338271490256608559692538361571095921575989136588899"}}]}`
	info := `"KinesisBatchInfo":{"shardId":"shardId-000000000001","startSequenceNumber":"49590338271490256608559692538361571095921575989136588898","endSequenceNumber":"49590338271490256608559692538361571095921575989136588899","approximateArrivalOfFirstRecord":"2019-11-14T00:38:04.835Z","approximateArrivalOfLastRecord":"2019-11-14T00:38:05.580Z","batchSize":2,"streamArn":"arn:aws:kinesis:us-east-1:123456789012:stream/orders"}`
	quoted := strings.ReplaceAll(event, `"`, `\"`)
	for name, body := range map[string]string{
		"payload object": `{"requestContext":{"condition":"RetryAttemptsExhausted"},` + info + `,"payload":` + event + `}`,
		"payload string": `{"requestContext":{"condition":"RetryAttemptsExhausted"},` + info + `,"payload":"` + quoted + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			ir, recs, err := decodeInvocationRecord([]byte(body), true)
			if err != nil {
				t.Fatal(err)
			}
			if ir.KinesisBatchInfo.ShardID != "shardId-000000000001" || ir.KinesisBatchInfo.BatchSize != 2 {
				t.Errorf("batch info: got %+v", ir.KinesisBatchInfo)
			}
			if len(recs) != 2 || recs[0].key != "k1" || string(recs[0].data) != "{\"a\": 1}\n" || recs[1].key != "k2" || len(recs[1].data) != 0 {
				t.Errorf("records: got %+v", recs)
			}
		})
	}
	for name, body := range map[string]string{
		"not JSON":       "nope",
		"no batch info":  `{"payload":{}}`,
		"no payload":     `{` + info + `}`,
		"payload broken": `{` + info + `,"payload":"{"}`,
	} {
		if _, _, err := decodeInvocationRecord([]byte(body), true); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}

func TestCompareSeq(t *testing.T) {
	if !seqLess("9", "10") || seqLess("10", "9") || compareSeq("123", "123") != 0 {
		t.Error("sequence numbers must compare as numbers")
	}
}
