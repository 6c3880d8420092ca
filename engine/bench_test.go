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

// BenchmarkSteadyEvaluation is one SLO's evaluation in the steady state, per
// operation: what BenchmarkSteadyStateCycle times for 1,000 SLOs, for ten
// (start-up, including reading the incident ledgers' past, is outside the
// timer), so that its B/op and allocs/op are an evaluation's, the garbage a
// cycle of n SLOs leaves being n times them. The SLOs are evaluated in turn,
// all at one instant before the next, 30 s later.
func BenchmarkSteadyEvaluation(b *testing.B) {
	const slos = 10
	step := int64(30_000)
	end := int64(1_700_000_000_000)
	end -= end % step
	start := end - 31*24*3600*1000
	rng := rand.New(rand.NewSource(1))
	store := memory.New()
	pol := slo.DefaultPolicy()
	ctx := withPastApart(context.Background())
	var states []*sloState
	for i := range slos {
		for _, kind := range []string{"total", "bad"} {
			name := fmt.Sprintf("%s_%d", kind, i)
			for inst := range 2 {
				c := countergen.Generate(rng, start, end+24*3600*1000, 15_000, map[string]float64{"total": 40, "bad": 1}[kind])
				c.Store(store, "__name__", name, "instance", fmt.Sprint(inst))
			}
		}
		def := &slo.SLO{Name: fmt.Sprint(i), Service: "s", Objective: 99.9, Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour},
			SLI: slo.SLI{Events: &slo.EventsSLI{Errors: fmt.Sprintf("bad_%d", i), Total: fmt.Sprintf("total_%d", i)}}}
		st, err := newSLOState(def, &pol, countKey(def, nil), 30*time.Second, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.evaluate(ctx, store, time.UnixMilli(end)); err != nil {
			b.Fatal(err)
		}
		for pending := true; pending; {
			if pending, err = st.incidents.readPastApart(ctx, -1); err != nil {
				b.Fatal(err)
			}
		}
		states = append(states, st)
	}
	at := end
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%slos == 0 {
			at += step
		}
		if _, err := states[i%slos].evaluate(ctx, store, time.UnixMilli(at)); err != nil {
			b.Fatal(err)
		}
	}
}
