package streaming_test

import (
	"fmt"
	"testing"

	"github.com/standardstream/standardstream/lambda/kinesisbatch"
)

// reliabilityHours are the retention periods of TestReliabilityRelations;
// the options stack has a stream for each (synthOptions).
var reliabilityHours = []float64{24, 48, 168, 8760}

// retentionID is the construct ID of the options stack's stream with a
// retention of h hours and no other option.
func retentionID(h float64) string { return fmt.Sprintf("Retention%v", h) }

// TestReliabilityRelations pins the relations the defaults keep, at several
// retention periods, so that changing one default cannot silently break
// another.
func TestReliabilityRelations(t *testing.T) {
	opts, _ := synthOptions(t)
	for _, retentionHours := range reliabilityHours {
		t.Run(fmt.Sprintf("%vh", retentionHours), func(t *testing.T) {
			// The stream with this retention and nothing else set, alone.
			tpl := opts.Under(t, retentionID(retentionHours))
			retentionSec := retentionHours * 3600
			esm := tpl.Only("AWS::Lambda::EventSourceMapping")
			fn := tpl.Only("AWS::Lambda::Function")

			// A poison record cannot block its shard: the batch is bisected,
			// retried a finite number of times, then discarded with its payload.
			if esm["BisectBatchOnFunctionError"] != true {
				t.Error("bisect on error is off")
			}
			if r, _ := esm["MaximumRetryAttempts"].(float64); r < 0 || r > 10 {
				t.Errorf("got MaximumRetryAttempts %v, want finite and at most 10", esm["MaximumRetryAttempts"])
			}
			if dest := fmt.Sprint(esm["DestinationConfig"]); dest == "<nil>" || tpl.LogicalID("AWS::S3::Bucket", "Failures") == "" {
				t.Errorf("no S3 failure destination (the only one that keeps payloads): %v", dest)
			}
			if fmt.Sprint(esm["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" {
				t.Errorf("got FunctionResponseTypes %v, want partial batch responses", esm["FunctionResponseTypes"])
			}

			// Records are discarded (kept in the failure destination) before
			// the stream expires them, and Lambda's 7-day limit holds.
			age, _ := esm["MaximumRecordAgeInSeconds"].(float64)
			if age < 60 || age > 604800 || age >= retentionSec {
				t.Errorf("got MaximumRecordAgeInSeconds %v, want 60..604800 and below retention %v", age, retentionSec)
			}

			// Every lag alarm fires well before records are discarded or expire.
			for id, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
				p := a["Properties"].(map[string]any)
				threshold, _ := p["Threshold"].(float64)
				switch p["MetricName"] {
				case "IteratorAge", "GetRecords.IteratorAgeMilliseconds":
					if sec := threshold / 1000; sec >= age || sec > retentionSec/8 {
						t.Errorf("%s: threshold %vs not below max record age %vs and an eighth of retention", id, sec, age)
					}
				case "DeliveryToS3.DataFreshness":
					if threshold >= retentionSec/8 {
						t.Errorf("%s: freshness threshold %vs not well below retention", id, threshold)
					}
				}
			}

			// The timeout covers a full batch and the library's checkpoint margin.
			timeout, _ := fn["Timeout"].(float64)
			batch, _ := esm["BatchSize"].(float64)
			if need := batch*0.010 + kinesisbatch.DefaultDeadlineMargin.Seconds(); timeout < need {
				t.Errorf("timeout %vs below %vs needed for %v records", timeout, need, batch)
			}
		})
	}
}
