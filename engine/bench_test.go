package engine

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/slo"
)

// BenchmarkSteadyStateCycle measures slobudget's own work in one evaluation
// cycle (streams, sums, the math) for 1,000 SLOs with 30-day windows, two
// series per selector at a 15 s scrape, with Prometheus replaced by an
// in-memory store so only our CPU is timed. Start-up is outside the timer.
func BenchmarkSteadyStateCycle(b *testing.B) {
	const slos = 1000
	step := int64(30_000)
	end := int64(1_700_000_000_000)
	end -= end % step
	start := end - 31*24*3600*1000
	rng := rand.New(rand.NewSource(1))
	store := memory.New()
	pol := slo.DefaultPolicy()
	var states []*sloState
	for i := range slos {
		for _, kind := range []string{"total", "bad"} {
			name := fmt.Sprintf("%s_%d", kind, i)
			for inst := range 2 {
				c := countergen.Generate(rng, start, end+2*3600*1000, 15_000, map[string]float64{"total": 40, "bad": 1}[kind])
				c.Store(store, "__name__", name, "instance", fmt.Sprint(inst))
			}
		}
		def := &slo.SLO{Name: fmt.Sprint(i), Service: "s", Objective: 99.9, Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour},
			SLI: slo.SLI{Events: &slo.EventsSLI{Errors: fmt.Sprintf("bad_%d", i), Total: fmt.Sprintf("total_%d", i)}}}
		st, err := newSLOState(def, &pol, countKey(def, nil), 30*time.Second, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.evaluate(context.Background(), store, time.UnixMilli(end)); err != nil {
			b.Fatal(err)
		}
		states = append(states, st)
	}
	b.ResetTimer()
	at := end
	for n := 0; n < b.N; n++ {
		at += step
		for _, st := range states {
			if _, err := st.evaluate(context.Background(), store, time.UnixMilli(at)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(slos), "slos/cycle")
}
