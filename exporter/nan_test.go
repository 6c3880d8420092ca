package exporter

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

func TestNaNCounterFailsEvaluation(t *testing.T) {
	end := int64(1_700_000_040_000)
	var vals []model.SamplePair
	for i := int64(0); i < 300; i++ {
		v := model.SampleValue(100 + i)
		if i == 250 {
			v = model.SampleValue(math.NaN())
		}
		vals = append(vals, model.SamplePair{Timestamp: model.Time(end - (300-i)*60_000), Value: v})
	}
	q := &memQuerier{series: map[string][]*model.SampleStream{
		"total": {{Metric: model.Metric{"__name__": "total"}, Values: vals}},
	}}
	def := &slo.SLO{Name: "a", Service: "s", Objective: 99, Window: slo.Window{Text: "1d", Duration: 24 * time.Hour},
		SLI: slo.SLI{Events: &slo.EventsSLI{Errors: "bad", Total: "total"}}}
	pol := slo.DefaultPolicy()
	st, err := newSLOState(def, &pol, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.evaluate(context.Background(), q, end-end%30_000)
	if err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("evaluation over a NaN counter sample: %v, want an error naming the NaN", err)
	}
}

func TestNaNGaugeIsABadSlice(t *testing.T) {
	end := int64(1_700_000_040_000)
	end -= end % 60_000
	var vals []model.SamplePair
	for i := int64(1); i <= 10; i++ {
		v := model.SampleValue(5)
		if i == 7 {
			v = model.SampleValue(math.NaN())
		}
		vals = append(vals, model.SamplePair{Timestamp: model.Time(end - 600_000 + i*60_000 - 30_000), Value: v})
	}
	q := &memQuerier{series: map[string][]*model.SampleStream{
		"lag": {{Metric: model.Metric{"__name__": "lag"}, Values: vals}},
	}}
	def := &slo.SLO{Name: "a", Service: "s", Objective: 99, Window: slo.Window{Text: "1d", Duration: 24 * time.Hour},
		SLI: slo.SLI{TimeSlice: &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}}}
	pol := slo.DefaultPolicy()
	st, err := newSLOState(def, &pol, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.evaluate(context.Background(), q, end)
	if err != nil {
		t.Fatal(err)
	}
	if r.Events.Total != 10 || r.Events.Good != 9 {
		t.Errorf("slices: %v good of %v, want 9 of 10 (a NaN lag does not satisfy lag < 900)", r.Events.Good, r.Events.Total)
	}
}
