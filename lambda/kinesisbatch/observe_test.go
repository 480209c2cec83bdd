package kinesisbatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestBatchLogAndMetrics(t *testing.T) {
	start := testTime.Add(2 * time.Second) // 2 s after the first record arrived
	tests := []struct {
		name    string
		fn      Func
		want    map[string]any // fields of the log line
		metrics map[string]float64
		failure map[string]any // the first entry of failures, if any
	}{
		{
			name: "success",
			fn:   func(context.Context, Record) error { return nil },
			want: map[string]any{
				"level": "INFO", "msg": "kinesis batch", "records": 6.0, "handled": 6.0, "failed": 0.0, "skipped": 0.0,
				"deadline_reached": false, "duration_ms": 250.0, "max_end_to_end_lag_ms": 2000.0,
				"shard_id": testShard, "event_source_arn": testARN,
				"first_sequence_number": seqNumber(0), "last_sequence_number": seqNumber(2),
			},
			metrics: map[string]float64{"RecordsHandled": 6, "RecordsFailed": 0, "RecordsSkipped": 0, "BatchDuration": 250, "MaxEndToEndLag": 2000},
		},
		{
			name: "panic",
			fn: func(ctx context.Context, r Record) error {
				if r.PartitionKey == "customer-99" {
					panic(errors.New("nil order"))
				}
				return nil
			},
			want: map[string]any{
				"level": "ERROR", "records": 6.0, "handled": 5.0, "failed": 1.0, "skipped": 0.0, "checkpoint": seqNumber(1),
			},
			metrics: map[string]float64{"RecordsHandled": 5, "RecordsFailed": 1, "RecordsSkipped": 0},
			failure: map[string]any{
				"sequence_number": seqNumber(1), "sub_sequence_number": 1.0, "partition_key": "customer-99", "error": "panic: nil order",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs, metrics bytes.Buffer
			h := New(tt.fn, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithMetrics(&metrics, "Orders"))
			clock := []time.Time{start, start.Add(250 * time.Millisecond)}
			h.now = func() time.Time {
				t := clock[0]
				if len(clock) > 1 {
					clock = clock[1:]
				}
				return t
			}
			if _, err := h.Invoke(context.Background(), readTestdata(t, "kinesis-event-kpl.json")); err != nil {
				t.Fatal(err)
			}

			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1 per batch:\n%s", len(lines), logs.String())
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
				t.Fatalf("log line %s: %v", lines[0], err)
			}
			for k, want := range tt.want {
				if line[k] != want {
					t.Errorf("log %s: got %v, want %v", k, line[k], want)
				}
			}
			fs, _ := line["failures"].([]any)
			switch {
			case tt.failure == nil && fs != nil:
				t.Errorf("log failures: got %v, want none", fs)
			case tt.failure != nil:
				if len(fs) != 1 {
					t.Fatalf("log failures: got %v, want 1", fs)
				}
				f := fs[0].(map[string]any)
				for k, want := range tt.failure {
					if f[k] != want {
						t.Errorf("log failures[0].%s: got %v, want %v", k, f[k], want)
					}
				}
				if stack, _ := f["stack"].(string); !strings.Contains(stack, "kinesisbatch.TestBatchLogAndMetrics") {
					t.Errorf("log failures[0].stack: got %q, want the panic's stack", stack)
				}
			}

			var emf struct {
				AWS struct {
					Timestamp         int64
					CloudWatchMetrics []struct {
						Namespace  string
						Dimensions [][]string
						Metrics    []struct{ Name, Unit string }
					}
				} `json:"_aws"`
			}
			if err := json.Unmarshal(metrics.Bytes(), &emf); err != nil {
				t.Fatalf("metrics %s: %v", metrics.String(), err)
			}
			if n := bytes.Count(metrics.Bytes(), []byte("\n")); n != 1 {
				t.Errorf("got %d metric lines, want 1", n)
			}
			if got, want := emf.AWS.Timestamp, start.Add(250*time.Millisecond).UnixMilli(); got != want {
				t.Errorf("metrics Timestamp: got %d, want %d", got, want)
			}
			if len(emf.AWS.CloudWatchMetrics) != 1 || emf.AWS.CloudWatchMetrics[0].Namespace != "Orders" {
				t.Fatalf("metrics CloudWatchMetrics: got %+v, want one directive in namespace Orders", emf.AWS.CloudWatchMetrics)
			}
			var values map[string]any
			_ = json.Unmarshal(metrics.Bytes(), &values)
			declared := map[string]bool{}
			for _, m := range emf.AWS.CloudWatchMetrics[0].Metrics {
				declared[m.Name] = true
				if _, ok := values[m.Name].(float64); !ok {
					t.Errorf("metric %s: got value %v, want a number", m.Name, values[m.Name])
				}
			}
			for name, want := range tt.metrics {
				if !declared[name] || values[name] != want {
					t.Errorf("metric %s: got %v (declared %v), want %v", name, values[name], declared[name], want)
				}
			}
		})
	}
}
