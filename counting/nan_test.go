package counting

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

func TestNaNCounterFailsEvaluation(t *testing.T) {
	end := int64(1_700_000_040_000)
	store := memory.New()
	var vals []backend.Sample
	for i := int64(0); i < 300; i++ {
		v := float64(100 + i)
		if i == 250 {
			v = math.NaN()
		}
		vals = append(vals, backend.Sample{T: end - (300-i)*60_000, V: v})
	}
	store.Add(labels.FromStrings("__name__", "total"), vals...)
	c := newCounter(t, eventsSLI("bad", "total"), 24*time.Hour, step)
	err := c.Advance(context.Background(), store, time.UnixMilli(end-end%step))
	if err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("counting over a NaN counter sample: %v, want an error naming the NaN", err)
	}
}

func TestNaNGaugeIsABadSlice(t *testing.T) {
	end := int64(1_700_000_040_000)
	end -= end % 60_000
	store := memory.New()
	var vals []backend.Sample
	for i := int64(1); i <= 10; i++ {
		v := 5.0
		if i == 7 {
			v = math.NaN()
		}
		vals = append(vals, backend.Sample{T: end - 600_000 + i*60_000 - 30_000, V: v})
	}
	store.Add(labels.FromStrings("__name__", "lag"), vals...)
	sli := slo.SLI{TimeSlice: &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}}
	c := newCounter(t, sli, 24*time.Hour, step)
	got := countAll(t, c, store, end, []time.Duration{24 * time.Hour})
	if g := got[24*time.Hour]; g.Total != 10 || g.Good != 9 {
		t.Errorf("slices: %v good of %v, want 9 of 10 (a NaN lag does not satisfy lag < 900)", g.Good, g.Total)
	}
}
