// Package localrun runs a consumer's Lambda binary against a local Kinesis
// API for a few seconds, the way `make demo` and `standardstream local` do:
// the producer library writes records (a few of them poison) into a fresh
// stream of a kinesis-local server, the local event-source mapping
// (localesm) invokes the binary with Lambda's rules, and records the
// consumer gives up on land in a failure directory laid out like the S3
// failure destination. It prints progress every second and a summary at
// the end, and fails if a record was neither handled nor given up.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/standardstream/standardstream/kinesislocal"
	"github.com/standardstream/standardstream/localesm"
	"github.com/standardstream/standardstream/producer"
)

// Config configures Run.
type Config struct {
	// Name starts every line Run prints, followed by a colon, e.g. "demo"
	// or "local Orders", so that the lines of runs sharing one output can
	// be told apart.
	Name string
	// Consumer is the consumer's executable, built for this machine from
	// its Lambda main package.
	Consumer string
	// Record returns the data of the nth record, whose partition key is key.
	Record func(n int, key string) ([]byte, error)
	// Duration is how long to produce.
	Duration time.Duration
	// Rate is the records per second offered to the producer; it keeps one
	// record per key in flight, so it may send fewer.
	Rate int
	// Keys is the number of partition keys.
	Keys int
	// Shards is the number of shards of the stream.
	Shards int
	// PoisonEvery makes every nth record poison ("not an event"), which a
	// consumer validating its records rejects; 0 for none.
	PoisonEvery int
	// Mapping holds the event-source mapping's settings.
	Mapping Mapping
	// Out receives progress and the summary, one line per Write call, so
	// runs at the same time can share a writer that is safe for
	// concurrent use.
	Out io.Writer
}

// Mapping is the event-source mapping's settings, as the StandardStream
// construct sets them.
type Mapping struct {
	BatchSize     int
	RetryAttempts int
	// MaxRecordAge and Timeout are not applied when zero.
	MaxRecordAge, Timeout time.Duration
}

// Summary is what a Run did.
type Summary struct {
	Produced, Handled, GivenUp, Lost int64
	// Dir holds the consumer's log and the failure records; Run leaves it
	// for the caller to look at.
	Dir string
}

// Run creates a stream on server and runs cfg against it.
func Run(ctx context.Context, server *kinesislocal.Server, cfg Config) (Summary, error) {
	var sum Summary
	if cfg.Rate < 1 || cfg.Keys < 1 || cfg.Shards < 1 || cfg.PoisonEvery < 0 || cfg.Duration <= 0 {
		return sum, fmt.Errorf("localrun: rate, keys, shards and duration must be positive and poison-every not negative, got %d, %d, %d, %v, %d", cfg.Rate, cfg.Keys, cfg.Shards, cfg.Duration, cfg.PoisonEvery)
	}
	if cfg.Mapping.BatchSize == 0 {
		cfg.Mapping.BatchSize = 100
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	dir, err := os.MkdirTemp("", "standardstream-local-")
	if err != nil {
		return sum, err
	}
	sum.Dir = dir
	logPath := filepath.Join(dir, "consumer.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return sum, err
	}
	defer logFile.Close()

	stream := kinesislocal.StreamName("local")
	if _, err := server.CreateStream(ctx, stream, cfg.Shards); err != nil {
		return sum, err
	}
	// The consumer runs as it would in Lambda: its binary, one execution
	// environment per shard, logs and metrics to a file.
	fn, err := localesm.NewProcess(localesm.ProcessConfig{
		Path:        cfg.Consumer,
		Concurrency: cfg.Shards,
		Output:      logFile,
		Env:         []string{"AWS_REGION=" + kinesislocal.Region},
	})
	if err != nil {
		return sum, err
	}
	defer fn.Close()
	failures := localesm.DirDestination{Dir: filepath.Join(dir, "failures")}
	opts := []localesm.Option{
		localesm.WithBatchSize(cfg.Mapping.BatchSize),
		localesm.WithReportBatchItemFailures(),
		localesm.WithBisectBatchOnFunctionError(),
		localesm.WithMaximumRetryAttempts(cfg.Mapping.RetryAttempts),
		localesm.WithFailureDestination(failures),
		localesm.WithLogger(slog.New(slog.NewTextHandler(logFile, nil))),
	}
	if cfg.Mapping.MaxRecordAge > 0 {
		opts = append(opts, localesm.WithMaximumRecordAge(cfg.Mapping.MaxRecordAge))
	}
	if cfg.Mapping.Timeout > 0 {
		opts = append(opts, localesm.WithFunctionTimeout(cfg.Mapping.Timeout))
	}
	runner, err := localesm.New(server.Client, stream, fn, opts...)
	if err != nil {
		return sum, err
	}
	// The runner outlives an interrupt long enough to report what it did.
	stopRunner := runner.Start(context.WithoutCancel(ctx))
	defer stopRunner()

	p, err := producer.New(server.Client, stream)
	if err != nil {
		return sum, err
	}
	fmt.Fprintf(out, "%s: offering %d records/s (the producer keeps one record per key in flight, so it may send fewer) over %d keys into %s (%d shards) for %v; consumer logs in %s\n",
		cfg.Name, cfg.Rate, cfg.Keys, stream, cfg.Shards, cfg.Duration, logPath)

	start := time.Now()
	produceDone := make(chan error, 1)
	go func() { produceDone <- produce(ctx, p, cfg) }()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last progress
	for produced := false; !produced; {
		select {
		case err := <-produceDone:
			if err != nil && !errors.Is(err, context.Canceled) {
				return sum, err
			}
			produced = true
		case <-tick.C:
			last = report(out, cfg.Name, start, p, runner, last)
		}
	}
	if err := p.Close(context.WithoutCancel(ctx)); err != nil {
		return sum, fmt.Errorf("close producer: %w", err)
	}

	fmt.Fprintf(out, "%s: producer closed; waiting for the consumer to catch up\n", cfg.Name)
	wait, cancelWait := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancelWait()
	caught := make(chan error, 1)
	go func() { caught <- runner.CaughtUp(wait) }()
	for done := false; !done; {
		select {
		case err := <-caught:
			if err != nil {
				fmt.Fprintf(out, "%s: consumer did not catch up: %v\n", cfg.Name, err)
			}
			done = true
		case <-tick.C:
			last = report(out, cfg.Name, start, p, runner, last)
		case <-ctx.Done():
			done = true // interrupted: summarise what happened
		}
	}
	if err := stopRunner(); err != nil {
		return sum, fmt.Errorf("runner: %w", err)
	}

	ps, rs := p.Stats(), runner.Stats()
	files, err := failures.Failures()
	if err != nil {
		return sum, err
	}
	sum.Produced, sum.Handled, sum.GivenUp = ps.RecordsSent, rs.RecordsCheckpointed, rs.RecordsGivenUp
	sum.Lost = ps.RecordsSent - rs.RecordsCheckpointed - rs.RecordsGivenUp
	fmt.Fprintf(out, "%s: produced %d, handled %d, failure-destination %d, lost %d in %v\n",
		cfg.Name, sum.Produced, sum.Handled, sum.GivenUp, sum.Lost, time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(out, "%s: %d invocations, %d partial batch responses, %d function errors, %d retries, %d bisections\n",
		cfg.Name, rs.Invocations, rs.PartialFailures, rs.FunctionErrors, rs.Retries, rs.Bisections)
	fmt.Fprintf(out, "%s: %d failure records (what Lambda writes to the S3 failure destination) under %s\n", cfg.Name, len(files), failures.Dir)
	if sum.Lost != 0 {
		return sum, fmt.Errorf("%d records neither handled nor in the failure destination", sum.Lost)
	}
	return sum, nil
}

// produce puts cfg.Rate records a second for cfg.Duration, in ticks of 10 ms.
func produce(ctx context.Context, p *producer.Producer, cfg Config) error {
	const tick = 10 * time.Millisecond
	total := int(int64(cfg.Rate) * int64(cfg.Duration) / int64(time.Second))
	perTick := max(1, cfg.Rate*int(tick)/int(time.Second))
	t := time.NewTicker(tick)
	defer t.Stop()
	for n := 0; n < total; {
		for range min(perTick, total-n) {
			key := fmt.Sprintf("key-%04d", n%cfg.Keys)
			data, err := cfg.Record(n, key)
			if err != nil {
				return err
			}
			if cfg.PoisonEvery > 0 && n%cfg.PoisonEvery == cfg.PoisonEvery-1 {
				data = []byte("not an event")
			}
			if err := p.Put(ctx, key, data); err != nil {
				return err
			}
			n++
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// progress is what report printed last, to compute rates.
type progress struct {
	at                time.Time
	produced, handled int64
}

// report prints one progress line, starting with name, and returns what it
// printed.
func report(out io.Writer, name string, start time.Time, p *producer.Producer, r *localesm.Runner, last progress) progress {
	now := time.Now()
	ps, rs := p.Stats(), r.Stats()
	cur := progress{at: now, produced: ps.RecordsSent, handled: rs.RecordsCheckpointed}
	if last.at.IsZero() {
		last.at = start
	}
	secs := now.Sub(last.at).Seconds()
	lag := ps.RecordsSent - rs.RecordsCheckpointed - rs.RecordsGivenUp
	fmt.Fprintf(out, "%s: %5.1fs  produced %7d (%5.0f/s)  handled %7d (%5.0f/s)  failure-destination %4d  lag %6d records, %5d ms behind\n",
		name, now.Sub(start).Seconds(),
		cur.produced, float64(cur.produced-last.produced)/secs,
		cur.handled, float64(cur.handled-last.handled)/secs,
		rs.RecordsGivenUp, lag, rs.MillisBehindLatest)
	return cur
}
