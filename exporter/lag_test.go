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

// laggingQuerier shows only samples at least lag older than now, like a
// Prometheus fed by remote write or federation minutes late.
type laggingQuerier struct {
	inner *memQuerier
	lag   time.Duration
	now   *int64 // ms
}

func (l laggingQuerier) QueryMatrix(ctx context.Context, q string, at time.Time) (model.Matrix, error) {
	m, err := l.inner.QueryMatrix(ctx, q, at)
	if err != nil {
		return nil, err
	}
	visible := model.Time(*l.now - l.lag.Milliseconds())
	var out model.Matrix
	for _, ss := range m {
		var vals []model.SamplePair
		for _, s := range ss.Values {
			if s.Timestamp <= visible {
				vals = append(vals, s)
			}
		}
		if len(vals) > 0 {
			out = append(out, &model.SampleStream{Metric: ss.Metric, Values: vals})
		}
	}
	return out, nil
}

// Samples that arrive minutes after their timestamp must still be counted,
// at their own timestamps, once they arrive.
func TestLateSamplesAreCounted(t *testing.T) {
	const lag = 2 * time.Minute
	rng := rand.New(rand.NewSource(11))
	day := int64(24 * 3600 * 1000)
	end := int64(1_700_000_000_000)
	end -= end % 30_000
	mem := &memQuerier{series: map[string][]*model.SampleStream{}}
	var total, bad []rawCounter
	for inst := range 2 {
		for _, kind := range []string{"total", "bad"} {
			c := genCounter(rng, end-3*day, end, 15_000, map[string]float64{"total": 50, "bad": 3}[kind])
			mem.series[kind] = append(mem.series[kind], &model.SampleStream{
				Metric: model.Metric{"__name__": model.LabelValue(kind), "instance": model.LabelValue(fmt.Sprint(inst))}, Values: c.samples})
			if kind == "total" {
				total = append(total, c)
			} else {
				bad = append(bad, c)
			}
		}
	}
	var now int64
	q := laggingQuerier{inner: mem, lag: lag, now: &now}
	def := &slo.SLO{Name: "a", Service: "s", Objective: 99, Window: slo.Window{Text: "1d", Duration: 24 * time.Hour},
		SLI: slo.SLI{Events: &slo.EventsSLI{Errors: "bad", Total: "total"}}}
	pol := slo.DefaultPolicy()
	st, err := newSLOState(def, &pol, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	for at := end - 2*3600*1000; at <= end; at += 30_000 {
		now = at
		r, err := st.evaluate(context.Background(), q, at)
		if err != nil {
			t.Fatal(err)
		}
		visible := at - lag.Milliseconds()
		for label, w := range map[string]int64{"5m": 300_000, "1h": 3600_000, "1d": day} {
			tt, bb := truthIn(total, at-w, visible), truthIn(bad, at-w, visible)
			want := bb / tt / 0.01
			if got, ok := r.BurnRates[label]; !ok || abs(got-want) > 1e-9*want {
				t.Fatalf("at %s with samples %s late: %s burn %v (present %v), want %v", time.UnixMilli(at).UTC(), lag, label, got, ok, want)
			}
		}
	}
}
