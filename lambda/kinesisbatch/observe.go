package kinesisbatch

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// maxLoggedFailures bounds the failures listed in a batch's log line; the
// counts cover all of them.
const maxLoggedFailures = 10

// maxStack bounds a panic's stack trace in the log line.
const maxStack = 4096

// stats summarises one batch for the log line and the metrics.
type stats struct {
	records, handled, failed, skipped int
	duration, maxLag                  time.Duration
}

func (b *batch) stats(start, end time.Time) stats {
	s := stats{records: len(b.recs), duration: end.Sub(start)}
	var oldest time.Time
	for i, st := range b.state {
		switch st {
		case handled:
			s.handled++
		case failed:
			s.failed++
		case skipped:
			s.skipped++
		}
		if t := b.recs[i].ApproximateArrivalTimestamp; !t.IsZero() && (oldest.IsZero() || t.Before(oldest)) {
			oldest = t
		}
	}
	if !oldest.IsZero() {
		s.maxLag = max(0, start.Sub(oldest))
	}
	return s
}

// report writes the batch's log line and metrics.
func (h *Handler) report(ctx context.Context, b *batch, start time.Time) {
	end := h.now()
	s := b.stats(start, end)
	h.log(ctx, b, s)
	h.writeMetrics(s, end)
}

func (h *Handler) log(ctx context.Context, b *batch, s stats) {
	level := slog.LevelInfo
	switch {
	case s.failed > 0:
		level = slog.LevelError
	case s.skipped > 0:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.Int("records", s.records),
		slog.Int("handled", s.handled),
		slog.Int("failed", s.failed),
		slog.Int("skipped", s.skipped),
		slog.Bool("deadline_reached", b.atDeadline > 0),
		slog.Float64("duration_ms", ms(s.duration)),
		slog.Float64("max_end_to_end_lag_ms", ms(s.maxLag)),
	}
	if len(b.recs) > 0 {
		first, last := b.recs[0], b.recs[len(b.recs)-1]
		attrs = append(attrs,
			slog.String("shard_id", first.ShardID),
			slog.String("event_source_arn", first.EventSourceARN),
			slog.String("first_sequence_number", first.SequenceNumber),
			slog.String("last_sequence_number", last.SequenceNumber))
	}
	for i, st := range b.state {
		if st == failed || st == skipped {
			attrs = append(attrs, slog.String("checkpoint", b.recs[i].SequenceNumber))
			break
		}
	}
	if len(b.failures) > 0 {
		attrs = append(attrs, slog.Any("failures", b.loggedFailures()))
	}
	h.logger.LogAttrs(ctx, level, "kinesis batch", attrs...)
}

// loggedFailure is a failure as the batch's log line lists it.
type loggedFailure struct {
	SequenceNumber    string `json:"sequence_number"`
	SubSequenceNumber int    `json:"sub_sequence_number"`
	PartitionKey      string `json:"partition_key"`
	Error             string `json:"error"`
	Stack             string `json:"stack,omitempty"`
}

// loggedFailures returns the failures of the lowest records, up to
// maxLoggedFailures, lowest first.
func (b *batch) loggedFailures() []loggedFailure {
	fs := slices.SortedFunc(slices.Values(b.failures), func(x, y failure) int { return cmp.Compare(x.index, y.index) })
	out := make([]loggedFailure, 0, min(len(fs), maxLoggedFailures))
	for _, f := range fs[:min(len(fs), maxLoggedFailures)] {
		r := b.recs[f.index]
		lf := loggedFailure{
			SequenceNumber:    r.SequenceNumber,
			SubSequenceNumber: r.SubSequenceNumber,
			PartitionKey:      r.PartitionKey,
			Error:             errorText(f.err),
		}
		// The library's own type, not errors.As, which would call the
		// Unwrap methods of the Func's errors.
		if pe, ok := f.err.(*panicError); ok {
			lf.Stack = string(pe.stack[:min(len(pe.stack), maxStack)])
		}
		out = append(out, lf)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeMetrics writes one CloudWatch Embedded Metric Format document
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
func (h *Handler) writeMetrics(s stats, now time.Time) {
	dims := []string{}
	doc := map[string]any{
		"RecordsHandled": s.handled,
		"RecordsFailed":  s.failed,
		"RecordsSkipped": s.skipped,
		"BatchDuration":  ms(s.duration),
		"MaxEndToEndLag": ms(s.maxLag),
	}
	if lambdacontext.FunctionName != "" {
		dims = append(dims, "FunctionName")
		doc["FunctionName"] = lambdacontext.FunctionName
	}
	doc["_aws"] = map[string]any{
		"Timestamp": now.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  h.namespace,
			"Dimensions": [][]string{dims},
			"Metrics": []map[string]string{
				{"Name": "RecordsHandled", "Unit": "Count"},
				{"Name": "RecordsFailed", "Unit": "Count"},
				{"Name": "RecordsSkipped", "Unit": "Count"},
				{"Name": "BatchDuration", "Unit": "Milliseconds"},
				{"Name": "MaxEndToEndLag", "Unit": "Milliseconds"},
			},
		}},
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return // only plain values above: cannot happen
	}
	line = append(line, '\n')
	// One Write per line, so that concurrent invocations do not interleave.
	h.metricsMu.Lock()
	defer h.metricsMu.Unlock()
	_, _ = h.metrics.Write(line)
}
