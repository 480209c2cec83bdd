package kinesisbatch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

// An order is what the producers in testdata/kinesis-event.json put.
type order struct {
	OrderID    string `json:"orderId"`
	CustomerID string `json:"customerId"`
}

func Example() {
	handle := func(ctx context.Context, r kinesisbatch.Record) error {
		var o order
		if err := json.Unmarshal(r.Data, &o); err != nil {
			return fmt.Errorf("decode order: %w", err)
		}
		if o.OrderID == "o-001001" {
			return errors.New("payment service unavailable")
		}
		return nil
	}

	// In a Lambda's main, with the default logger and metrics on stdout:
	//
	//	lambda.Start(kinesisbatch.New(handle, kinesisbatch.WithConcurrency(8)))
	h := kinesisbatch.New(handle,
		kinesisbatch.WithConcurrency(8),
		kinesisbatch.WithLogger(slog.New(slog.DiscardHandler)),
		kinesisbatch.WithMetrics(io.Discard, "Orders"),
	)

	payload, err := os.ReadFile("testdata/kinesis-event.json")
	if err != nil {
		panic(err)
	}
	resp, err := h.Invoke(context.Background(), payload)
	if err != nil {
		panic(err)
	}
	// Order o-001001 failed, and o-001004 of the same customer was not
	// handled after it: Lambda resumes the shard at the first.
	fmt.Println(string(resp))
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"49660000000000000000000000000000012345670000000000001001"},{"itemIdentifier":"49660000000000000000000000000000012345670000000000001004"}]}
}
