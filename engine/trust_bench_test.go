package engine

import (
	"context"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// BenchmarkTrustPerSLO measures what this file set adds to each SLO's
// evaluation: the window's hourly buckets from the counter (30d, 721
// buckets), compacting them, and the rolling forecast, on the "busy" SLO of
// the trust tests (a month of traffic, an incident, a fast last hour).
func BenchmarkTrustPerSLO(b *testing.B) {
	end := int64(1_700_000_040_000)
	store, _ := trustData(end)
	e, err := New(mustConfig(b, trustConfig), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	at := time.UnixMilli(end).Add(30 * time.Second)
	ctx := context.Background()
	e.EvaluateAt(ctx, at)
	st := e.states["busy"]
	in := slo.Input{At: at, Burn: map[time.Duration]slo.Counts{}}
	in.Burn[time.Hour], _ = st.counter.Count(ctx, store, at.Add(-time.Hour), at)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sc := getScratch()
		hours, err := st.counter.AppendHours(ctx, store, at.Add(-30*24*time.Hour), sc.hours[:0])
		if err != nil {
			b.Fatal(err)
		}
		sc.hours = hours
		r := slo.Result{BudgetRemaining: 1}
		if r.History, err = slo.NewHourlyHistory(hours); err != nil {
			b.Fatal(err)
		}
		withForecast(&r, st.def, st.policy, in, at.Add(-30*24*time.Hour), sc)
		putScratch(sc)
		if r.Forecast == nil {
			b.Fatal("no forecast")
		}
	}
}

func mustConfig(b *testing.B, yml string) *slo.Config {
	cfg, err := slo.Parse("slos.yml", []byte(yml))
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}
