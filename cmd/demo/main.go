// Command demo runs the StandardStream pattern on this machine for a few
// seconds, so a newcomer sees it work before deploying anything:
// kinesis-local serves the Kinesis API, the producer library writes order
// events (a few of them poison), the local event-source mapping (localesm)
// invokes the reference consumer binary with Lambda's rules, and records the
// consumer rejects land in a failure directory laid out like the S3 failure
// destination. It prints progress every second and a summary at the end
// (package localrun, which `standardstream local` uses for a team's app).
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
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/standardstream/standardstream/kinesislocal"
	"github.com/standardstream/standardstream/localrun"
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
	fmt.Println("demo: starting kinesis-local")
	server, err := kinesislocal.Start(ctx, kinesislocal.Config{})
	if err != nil {
		return err
	}
	defer server.Stop()
	// The StandardStream construct's event-source mapping settings.
	_, err = localrun.Run(ctx, server, localrun.Config{
		Name:        "demo",
		Consumer:    cfg.consumer,
		Record:      record,
		Duration:    cfg.duration,
		Rate:        cfg.rate,
		Keys:        cfg.keys,
		Shards:      cfg.shards,
		PoisonEvery: cfg.poisonEvery,
		Mapping:     localrun.Mapping{BatchSize: 100, RetryAttempts: 3},
		Out:         os.Stdout,
	})
	return err
}

// record returns the nth order event, for the customer key.
func record(n int, key string) ([]byte, error) {
	return json.Marshal(event{
		ID:         fmt.Sprintf("evt-%07d", n),
		Type:       "order.created",
		OccurredAt: time.Now().UTC(),
		Payload:    order{OrderID: fmt.Sprintf("o-%07d", n), Customer: key, AmountCents: 100 + n%9900},
	})
}
