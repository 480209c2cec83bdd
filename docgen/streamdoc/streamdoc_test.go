package streamdoc

import (
	"strings"
	"testing"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

func TestMarkdown(t *testing.T) {
	schema := &spec.Schema{
		Path: "/repo/schemas/order.json",
		Raw: map[string]any{
			"description": "An order.",
			"required":    []any{"id", "lines"},
			"properties": map[string]any{
				"id":    map[string]any{"type": "string", "description": "Order | ID", "examples": []any{"o-1"}},
				"total": map[string]any{"type": "number"},
				"lines": map[string]any{"type": "array", "items": map[string]any{"type": "integer"}},
				"customer": map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{
					"id": map[string]any{"type": "string", "enum": []any{"a", "b"}},
				}},
			},
		},
		Examples: []any{map[string]any{"id": "o-1", "lines": []any{1}}},
	}
	stream := func(name string, hours float64, fanOut bool) spec.Stream {
		return spec.Stream{
			Path: "Stack-" + name + "/Orders", StreamName: "orders-" + name, Mode: "ON_DEMAND", RetentionHours: hours,
			Writers: []string{"Stack-" + name + "/Api"},
			Consumer: spec.Consumer{
				Entry: "/repo/cmd/orders", BatchSize: 100, RetryAttempts: 3, MaxRecordAgeSec: 6 * 3600,
				EnhancedFanOut: fanOut, FailureDestination: spec.FailureDestinationS3,
			},
			Alarms: []spec.Alarm{
				{ID: "IteratorAgeAlarm", Metric: "AWS/Lambda IteratorAge (Maximum)", Threshold: ">= " + name, Runbook: "docs/runbooks/iterator-age.md"},
				{ID: "WriteThrottleAlarm", Metric: "AWS/Kinesis WriteProvisionedThroughputExceeded (Sum)", Threshold: ">= 1", Runbook: "https://wiki.example.com/runbooks/write-throttles.md"},
			},
			DataModel: &spec.DataModel{
				Schema: &schema.Path, Owner: ptr("Orders"), Description: ptr("Orders."),
				PartitionKey: ptr("customer"), PartitionKeyRationale: ptr("many"), Classification: spec.ClassificationPII,
			},
			Schema:           schema,
			MaxRecordSizeKiB: 1024,
			Query: &spec.Query{
				Database: "orders_" + name, Table: "records", Workgroup: "orders_" + name,
				Columns: spec.Columns(schema), Partitions: []string{"year", "month", "day", "hour"},
				Queriers: []string{"Stack-" + name + "/Analysts"},
			},
		}
	}
	md, err := Markdown("Orders", []Env{{Name: "dev", Spec: stream("dev", 24, false)}, {Name: "prod", Spec: stream("prod", 168, true)}}, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(md)
	for _, want := range []string{
		"# Stream `Orders`",
		"| Stream name | `orders-dev` | `orders-prod` |",
		"| Retention | 1 day | 7 days |",
		"| Writers (`GrantWrite`) | `Stack-dev/Api` | `Stack-prod/Api` |",
		"| Consumer | Lambda consumer, shared throughput | Lambda consumer, enhanced fan-out (dedicated 2 MB/s per shard) |",
		"| Code | `cmd/orders` | `cmd/orders` |",
		"| Classification | `PII`",
		"[`schemas/order.json`](../../schemas/order.json)",
		"| `IteratorAgeAlarm` | AWS/Lambda IteratorAge (Maximum) | >= dev | >= prod | [iterator-age.md](../../docs/runbooks/iterator-age.md) |",
		"| >= 1 | >= 1 | [write-throttles.md](https://wiki.example.com/runbooks/write-throttles.md) |",
		// Required first, nested fields dotted, pipes escaped.
		"| `id` | string | yes | Order \\| ID | `\"o-1\"` |",
		"| `lines` | array | yes |",
		"| `customer` | object | no |",
		"| `customer.id` | string: one of \"a\", \"b\" | no |",
		"`customer` struct<id:string>",
		"| Database.table | `orders_dev`.`records` | `orders_prod`.`records` |",
		"| Queriers (`GrantQuery`) | `Stack-dev/Analysts` | `Stack-prod/Analysts` |",
		"FROM \"orders_dev\".\"records\"\nWHERE year = date_format(current_date, '%Y')",
		"| Largest record | 1024 KiB | 1024 KiB |",
		"`lines` array<bigint>",
		"`total` double",
		"\"lines\": [\n    1\n  ]",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	if strings.Index(doc, "| `lines` |") > strings.Index(doc, "| `customer` |") {
		t.Error("optional field listed before a required one")
	}
}

func TestMarkdownNeedsEnvironments(t *testing.T) {
	if _, err := Markdown("Orders", nil, "/repo"); err == nil || !strings.Contains(err.Error(), `"Orders"`) {
		t.Errorf("got %v, want an error naming the stream", err)
	}
}

func ptr(s string) *string { return &s }
