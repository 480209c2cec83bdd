package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/standardstream/standardstream/producer"
)

// produce writes items in order with the producer library, which keeps each
// partition key's order through the proxy's faults. Records the producer
// gives up on fail the run: with ten attempts a record does not run out of
// them at the proxy's fault rates.
func produce(ctx context.Context, client producer.Client, stream string, items []item) (producer.Stats, error) {
	var mu sync.Mutex
	var failed []error
	p, err := producer.New(client, stream,
		producer.WithBackoff(10*time.Millisecond, 500*time.Millisecond),
		producer.WithOnFailure(func(f producer.Failure) {
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
