package engine

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkGroupedCycle times one steady evaluation cycle (30s of new
// samples) of an SLO grouped by route with 100 routes over a 7-day window,
// after the first evaluation has read the history.
func BenchmarkGroupedCycle(b *testing.B) {
	const day = int64(24 * 3600_000)
	at := int64(1_700_006_400_000)
	var series []routeSeries
	for i := 0; i < 100; i++ {
		route := fmt.Sprintf("/r%03d", i)
		series = append(series, routeSeries{route, "200", 10, at - 8*day, at + day}, routeSeries{route, "500", 1, at - 8*day, at + day})
	}
	f := newGroupsFixture(series)
	cfg := `
slos:
  - name: api
    service: api
    objective: 99
    window: 7d
    grouping: [route]
    sli:
      events:
        errors: http_requests_total{code="500"}
        total: http_requests_total
`
	cfgParsed := loadConfig(b, cfg)
	e, err := New(cfgParsed, Options{Source: f.store, Step: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	if failed := e.EvaluateAt(ctx, time.UnixMilli(at)); failed != 0 {
		b.Fatal("first evaluation failed")
	}
	b.Logf("first evaluation of 100 groups over 7d: %s", time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := at + int64(i+1)*30_000
		if failed := e.EvaluateAt(ctx, time.UnixMilli(now)); failed != 0 {
			b.Fatal("cycle failed")
		}
	}
}
