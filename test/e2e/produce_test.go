package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/standardstream/standardstream/internal/kinesislocal"
	"github.com/standardstream/standardstream/producer"
)

// produce writes items in order with the producer library, which keeps each
// partition key's order. kinesis-local never throttles or fails entries, so
// any record the producer gives up on fails the run.
func produce(ctx context.Context, server *kinesislocal.Server, stream string, items []item) (producer.Stats, error) {
	var mu sync.Mutex
	var failed []error
	p, err := producer.New(server.Client, stream, producer.WithOnFailure(func(f producer.Failure) {
		mu.Lock()
		defer mu.Unlock()
		failed = append(failed, fmt.Errorf("record of %s after %d attempts: %w", f.PartitionKey, f.Attempts, f.Err))
	}))
	if err != nil {
		return producer.Stats{}, err
	}
	for _, it := range items {
		if err := p.Put(ctx, it.Key, it.data()); err != nil {
			p.Close(ctx)
			return p.Stats(), fmt.Errorf("put %s: %w", it.ID, err)
		}
	}
	if err := p.Close(ctx); err != nil {
		return p.Stats(), fmt.Errorf("close producer: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return p.Stats(), errors.Join(failed...)
}
