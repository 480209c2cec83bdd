// Command demo runs the StandardStream pattern on this machine for a few
// seconds, so a newcomer sees it work before deploying anything:
// kinesis-local serves the Kinesis API, the producer library writes order
// events (a few of them poison), the local event-source mapping (localesm)
// invokes the reference consumer binary with Lambda's rules, and records the
// consumer rejects land in a failure directory laid out like the S3 failure
// destination. It prints progress every second and a summary at the end.
//
//	make demo
//
// which builds the reference consumer and runs
//
//	go run ./cmd/demo -consumer <binary built from ./lambda>
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/standardstream/standardstream/internal/kinesislocal"
	"github.com/standardstream/standardstream/localesm"
	"github.com/standardstream/standardstream/producer"
)

func main() {
	consumer := flag.String("consumer", "", "the consumer's Lambda binary, built from ./lambda (required)")
	duration := flag.Duration("duration", 5*time.Second, "how long to produce")
	rate := flag.Int("rate", 2000, "records per second to produce")
	keys := flag.Int("keys", 200, "partition keys (customers)")
	shards := flag.Int("shards", 8, "shards of the stream")
	poisonEvery := flag.Int("poison-every", 1000, "every nth record is poison, which the consumer rejects; 0 for none")
	flag.Parse()
	if *consumer == "" || *rate < 1 || *keys < 1 || *shards < 1 || *poisonEvery < 0 {
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config{
		consumer: *consumer, duration: *duration, rate: *rate, keys: *keys, shards: *shards, poisonEvery: *poisonEvery,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

type config struct {
	consumer           string
	duration           time.Duration
	rate, keys, shards int
	poisonEvery        int
}

// event is the reference stream's record format (lambda/event.schema.json,
// which the reference consumer enforces).
type event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	Payload    order     `json:"payload"`
}

type order struct {
	OrderID     string `json:"orderId"`
	Customer    string `json:"customer"`
	AmountCents int    `json:"amountCents"`
}

func run(ctx context.Context, cfg config) error {
	dir, err := os.MkdirTemp("", "standardstream-demo-")
	if err != nil {
		return err
	}
	logPath := filepath.Join(dir, "consumer.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()

	fmt.Println("demo: starting kinesis-local")
	server, err := kinesislocal.Start(ctx, kinesislocal.Config{})
	if err != nil {
		return err
	}
	defer server.Stop()
	stream := kinesislocal.StreamName("demo")
	if _, err := server.CreateStream(ctx, stream, cfg.shards); err != nil {
		return err
	}

	// The reference consumer runs as it would in Lambda: its binary, one
	// execution environment per shard, logs and metrics to a file.
	fn, err := localesm.NewProcess(localesm.ProcessConfig{
		Path:        cfg.consumer,
		Concurrency: cfg.shards,
		Output:      logFile,
		Env:         []string{"AWS_REGION=" + kinesislocal.Region},
	})
	if err != nil {
		return err
	}
	defer fn.Close()
	failures := localesm.DirDestination{Dir: filepath.Join(dir, "failures")}
	// The StandardStream construct's event-source mapping settings.
	runner, err := localesm.New(server.Client, stream, fn,
		localesm.WithBatchSize(100),
		localesm.WithReportBatchItemFailures(),
		localesm.WithBisectBatchOnFunctionError(),
		localesm.WithMaximumRetryAttempts(3),
		localesm.WithFailureDestination(failures),
		localesm.WithLogger(slog.New(slog.NewTextHandler(logFile, nil))),
	)
	if err != nil {
		return err
	}
	// The runner outlives an interrupt long enough to report what it did.
	stopRunner := runner.Start(context.WithoutCancel(ctx))
	defer stopRunner()

	p, err := producer.New(server.Client, stream)
	if err != nil {
		return err
	}
	fmt.Printf("demo: offering %d records/s (the producer keeps one record per key in flight, so it may send fewer) over %d keys into %s (%d shards) for %v; consumer logs in %s\n",
		cfg.rate, cfg.keys, stream, cfg.shards, cfg.duration, logPath)

	start := time.Now()
	produceDone := make(chan error, 1)
	go func() { produceDone <- produce(ctx, p, cfg) }()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last progress
	produced := false
	for !produced {
		select {
		case err := <-produceDone:
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			produced = true
		case <-tick.C:
			last = report(start, p, runner, last)
		}
	}
	if err := p.Close(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("close producer: %w", err)
	}

	fmt.Println("demo: producer closed; waiting for the consumer to catch up")
	wait, cancelWait := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancelWait()
	caught := make(chan error, 1)
	go func() { caught <- runner.CaughtUp(wait) }()
	for done := false; !done; {
		select {
		case err := <-caught:
			if err != nil {
				fmt.Println("demo: consumer did not catch up:", err)
			}
			done = true
		case <-tick.C:
			last = report(start, p, runner, last)
		case <-ctx.Done():
			done = true // interrupted: summarise what happened
		}
	}
	if err := stopRunner(); err != nil {
		return fmt.Errorf("runner: %w", err)
	}

	ps, rs := p.Stats(), runner.Stats()
	files, err := failures.Failures()
	if err != nil {
		return err
	}
	lost := ps.RecordsSent - rs.RecordsCheckpointed - rs.RecordsGivenUp
	fmt.Printf("demo: produced %d, handled %d, failure-destination %d, lost %d in %v\n",
		ps.RecordsSent, rs.RecordsCheckpointed, rs.RecordsGivenUp, lost, time.Since(start).Round(100*time.Millisecond))
	fmt.Printf("demo: %d invocations, %d partial batch responses, %d function errors, %d retries, %d bisections\n",
		rs.Invocations, rs.PartialFailures, rs.FunctionErrors, rs.Retries, rs.Bisections)
	fmt.Printf("demo: %d failure records (what Lambda writes to the S3 failure destination) under %s\n", len(files), failures.Dir)
	if lost != 0 {
		return fmt.Errorf("%d records neither handled nor in the failure destination", lost)
	}
	return nil
}

// produce puts cfg.rate records a second for cfg.duration, in ticks of 10 ms.
func produce(ctx context.Context, p *producer.Producer, cfg config) error {
	const tick = 10 * time.Millisecond
	total := int(int64(cfg.rate) * int64(cfg.duration) / int64(time.Second))
	perTick := max(1, cfg.rate*int(tick)/int(time.Second))
	t := time.NewTicker(tick)
	defer t.Stop()
	for n := 0; n < total; {
		for range min(perTick, total-n) {
			customer := fmt.Sprintf("customer-%04d", n%cfg.keys)
			data, err := json.Marshal(event{
				ID:         fmt.Sprintf("evt-%07d", n),
				Type:       "order.created",
				OccurredAt: time.Now().UTC(),
				Payload:    order{OrderID: fmt.Sprintf("o-%07d", n), Customer: customer, AmountCents: 100 + n%9900},
			})
			if err != nil {
				return err
			}
			if cfg.poisonEvery > 0 && n%cfg.poisonEvery == cfg.poisonEvery-1 {
				data = []byte("not an event") // the reference consumer rejects it
			}
			if err := p.Put(ctx, customer, data); err != nil {
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

// report prints one progress line and returns what it printed.
func report(start time.Time, p *producer.Producer, r *localesm.Runner, last progress) progress {
	now := time.Now()
	ps, rs := p.Stats(), r.Stats()
	cur := progress{at: now, produced: ps.RecordsSent, handled: rs.RecordsCheckpointed}
	if last.at.IsZero() {
		last.at = start
	}
	secs := now.Sub(last.at).Seconds()
	lag := ps.RecordsSent - rs.RecordsCheckpointed - rs.RecordsGivenUp
	fmt.Printf("%5.1fs  produced %7d (%5.0f/s)  handled %7d (%5.0f/s)  failure-destination %4d  lag %6d records, %5d ms behind\n",
		now.Sub(start).Seconds(),
		cur.produced, float64(cur.produced-last.produced)/secs,
		cur.handled, float64(cur.handled-last.handled)/secs,
		rs.RecordsGivenUp, lag, rs.MillisBehindLatest)
	return cur
}
