package exporter

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

// BenchmarkSteadyStateCycle measures slobudget's own work in one evaluation
// cycle (ledgers, sums, the math) for 1,000 SLOs with 30-day windows, two
// series per selector at a 15 s scrape, with Prometheus replaced by an
// in-memory store so only our CPU is timed. Start-up is outside the timer.
func BenchmarkSteadyStateCycle(b *testing.B) {
	const slos = 1000
	step := int64(30_000)
	end := int64(1_700_000_000_000)
	end -= end % step
	start := end - 31*24*3600*1000
	rng := rand.New(rand.NewSource(1))
	q := &memQuerier{series: map[string][]*model.SampleStream{}}
	pol := slo.DefaultPolicy()
	var states []*sloState
	for i := range slos {
		for _, kind := range []string{"total", "bad"} {
			name := fmt.Sprintf("%s_%d", kind, i)
			for inst := range 2 {
				c := genCounter(rng, start, end+2*3600*1000, 15_000, map[string]float64{"total": 40, "bad": 1}[kind])
				q.series[name] = append(q.series[name], &model.SampleStream{
					Metric: model.Metric{"__name__": model.LabelValue(name), "instance": model.LabelValue(fmt.Sprint(inst))},
					Values: c.samples,
				})
			}
		}
		def := &slo.SLO{Name: fmt.Sprint(i), Service: "s", Objective: 99.9, Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour},
			SLI: slo.SLI{Events: &slo.EventsSLI{Errors: fmt.Sprintf("bad_%d", i), Total: fmt.Sprintf("total_%d", i)}}}
		st, err := newSLOState(def, &pol, step)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.evaluate(context.Background(), q, end); err != nil {
			b.Fatal(err)
		}
		states = append(states, st)
	}
	b.ResetTimer()
	at := end
	for n := 0; n < b.N; n++ {
		at += step
		for _, st := range states {
			if _, err := st.evaluate(context.Background(), q, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(slos), "slos/cycle")
}
