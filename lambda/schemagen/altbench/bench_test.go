package altbench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	segjson "github.com/segmentio/encoding/json"
	"github.com/valyala/fastjson"
)

func records() [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var out [][]byte
	for i := range 5000 {
		e := Event{ID: fmt.Sprintf("evt-%012d", i), Type: "order.created", OccurredAt: time.Date(2026, 11, 25, 21, 0, 0, i*1e6, time.UTC),
			Payload: EventPayload{OrderID: fmt.Sprintf("o-%09d", i), Customer: fmt.Sprintf("customer-%06d", rng.IntN(100000))}}
		amount, cur := int64(0), "EUR"
		for range 5 {
			l := EventPayloadLinesItem{Sku: fmt.Sprintf("SKU-%06d", rng.IntN(1e6)), Quantity: 1 + rng.Int64N(9), UnitPriceCents: rng.Int64N(100000)}
			amount += l.Quantity * l.UnitPriceCents
			e.Payload.Lines = append(e.Payload.Lines, l)
		}
		e.Payload.AmountCents, e.Payload.Currency = &amount, &cur
		b, _ := json.Marshal(e)
		out = append(out, b)
	}
	return out
}

func BenchmarkDecode5000(b *testing.B) {
	recs := records()
	b.Run("impl=generated(validates)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				var e Event
				if err := e.Decode(r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=encoding-json(no-validation)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				var e Event
				if err := json.Unmarshal(r, &e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=goccy(no-validation)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				var e Event
				if err := gojson.Unmarshal(r, &e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=segmentio(no-validation)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				var e Event
				if err := segjson.Unmarshal(r, &e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=fastjson(parse-only)", func(b *testing.B) {
		b.ReportAllocs()
		var p fastjson.Parser
		for b.Loop() {
			for _, r := range recs {
				if _, err := p.ParseBytes(r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
