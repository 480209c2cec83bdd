package producer_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/standardstream/standardstream/producer"
)

// memoryStream stands in for *kinesis.Client: it keeps what it is sent, and
// rejects records whose partition key is in deny, as Kinesis rejects a
// record it may not encrypt with AccessDeniedException.
type memoryStream struct {
	deny map[string]bool

	mu      sync.Mutex
	records []string
}

func (m *memoryStream) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		if m.deny[*e.PartitionKey] {
			out.Records[i].ErrorCode = new("AccessDeniedException")
			out.Records[i].ErrorMessage = new("not authorized to use the stream's KMS key")
			continue
		}
		m.records = append(m.records, *e.PartitionKey+" "+string(e.Data))
		out.Records[i].SequenceNumber = new(strconv.Itoa(len(m.records)))
	}
	return out, nil
}

func Example() {
	ctx := context.Background()
	// In a service:
	//
	//	cfg, err := config.LoadDefaultConfig(ctx)
	//	client := kinesis.NewFromConfig(cfg)
	client := &memoryStream{}
	p, err := producer.New(client, "orders")
	if err != nil {
		panic(err)
	}
	for _, order := range []string{"o-1", "o-2", "o-3"} {
		// The customer is the partition key: a customer's orders stay in
		// order, and many customers spread over the shards.
		if err := p.Put(ctx, "customer-42", []byte(order)); err != nil {
			panic(err)
		}
	}
	if err := p.Put(ctx, "customer-7", []byte("o-4")); err != nil {
		panic(err)
	}
	// Close delivers what is buffered.
	if err := p.Close(ctx); err != nil {
		panic(err)
	}
	s := p.Stats()
	fmt.Printf("sent %d records, %d bytes\n", s.RecordsSent, s.BytesSent)
	for _, r := range client.records {
		if strings.HasPrefix(r, "customer-42 ") {
			fmt.Println(r)
		}
	}
	// Output:
	// sent 4 records, 55 bytes
	// customer-42 o-1
	// customer-42 o-2
	// customer-42 o-3
}

func ExampleWithOnFailure() {
	ctx := context.Background()
	client := &memoryStream{deny: map[string]bool{"customer-13": true}}
	p, err := producer.New(client, "orders", producer.WithOnFailure(func(f producer.Failure) {
		// Park the record somewhere it can be replayed from; here, print it.
		var ee *producer.EntryError
		if errors.As(f.Err, &ee) {
			fmt.Printf("not delivered: %s %s after %d attempt(s): %s\n", f.PartitionKey, f.Data, f.Attempts, ee.Code)
		}
	}))
	if err != nil {
		panic(err)
	}
	for _, key := range []string{"customer-12", "customer-13"} {
		if err := p.Put(ctx, key, []byte("o-1")); err != nil {
			panic(err)
		}
	}
	err = p.Close(ctx)
	fmt.Println(err)
	// Output:
	// not delivered: customer-13 o-1 after 1 attempt(s): AccessDeniedException
	// producer: close: 1 record not delivered (AccessDeniedException: 1); producer: kinesis rejected the record: AccessDeniedException: not authorized to use the stream's KMS key
}
