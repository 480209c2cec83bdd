package producer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

// TestNilDataIsEmptyRecord sends through the real AWS SDK client, whose
// parameter validation rejects a whole PutRecords request when one entry's
// Data is nil. Kinesis accepts empty data (PutRecordsRequestEntry.Data:
// "Minimum length of 0"), so Put sends nil as an empty record and the
// other records of the request are not harmed.
func TestNilDataIsEmptyRecord(t *testing.T) {
	var mu sync.Mutex
	var got []string // Data of each entry received, base64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Records []struct {
				Data         *string
				PartitionKey string
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := struct{ Records []map[string]string }{}
		mu.Lock()
		for _, e := range in.Records {
			if e.Data == nil {
				got = append(got, "<missing>")
			} else {
				got = append(got, *e.Data)
			}
			out.Records = append(out.Records, map[string]string{"SequenceNumber": "1", "ShardId": "shardId-000000000000"})
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()
	client := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, nil
		}),
	})

	log := &failureLog{}
	p := mustNew(t, client, WithBackoff(time.Millisecond, time.Millisecond), WithMaxAttempts(3), WithLinger(time.Hour), log.option())
	ctx := context.Background()
	for _, r := range []struct {
		key  string
		data []byte
	}{{"a", []byte("x")}, {"b", nil}, {"c", []byte{}}} {
		if err := p.Put(ctx, r.key, r.data); err != nil {
			t.Fatalf("Put(%q, %v): %v", r.key, r.data, err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: got %v, want every record delivered", err)
	}
	if fs := log.get(); len(fs) != 0 {
		t.Errorf("got %d failures, first %v; want none", len(fs), fs[0].Err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"eA==", "", ""}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got entries with data %q, want %q", got, want)
	}
	if s := p.Stats(); s.Requests != 1 || s.RecordsSent != 3 {
		t.Errorf("got %d requests and %d records sent, want 1 and 3", s.Requests, s.RecordsSent)
	}
}

// TestInvalidParamsAreFinal: the SDK returns its parameter validation
// error by value (smithy.InvalidParamsError) inside an OperationError, and
// by pointer from other paths. Either way sending again cannot succeed.
func TestInvalidParamsAreFinal(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"value, as the SDK's validation middleware returns it", &smithy.OperationError{ServiceID: "Kinesis", OperationName: "PutRecords",
			Err: smithy.InvalidParamsError{Context: "PutRecordsInput"}}},
		{"pointer", &smithy.OperationError{ServiceID: "Kinesis", OperationName: "PutRecords",
			Err: &smithy.InvalidParamsError{Context: "PutRecordsInput"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeClient()
			f.checkOrder = false
			f.respond = func(int, []entry) ([]string, error) { return nil, tt.err }
			p := mustNew(t, f, instantRetries(), WithLinger(time.Hour))
			putN(t, p, keysN(3), 1)
			err := p.Close(context.Background())
			var de *DeliveryError
			if !errors.As(err, &de) || de.Reasons["InvalidParameter"] != 3 {
				t.Fatalf("Close: got %v, want 3 records failed for InvalidParameter", err)
			}
			if s := p.Stats(); s.Requests != 1 || s.Retries != 0 {
				t.Errorf("got %d requests and %d retries, want 1 and 0", s.Requests, s.Retries)
			}
		})
	}
}
