package counting

import (
	"context"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// histSource serves fixed native histogram series.
type histSource struct{ series []backend.Series }

func (h histSource) Samples(_ context.Context, _ string, from, to time.Time) ([]backend.Series, error) {
	var out []backend.Series
	for _, s := range h.series {
		var hs []backend.HistogramSample
		for _, x := range s.Histograms {
			if x.T > from.UnixMilli() && x.T <= to.UnixMilli() {
				hs = append(hs, x)
			}
		}
		if len(hs) > 0 {
			out = append(out, backend.Series{Labels: s.Labels, Histograms: hs})
		}
	}
	return out, nil
}

// schema0 builds the schema-0 native histogram of the observations: bucket
// (2^(k-1), 2^k] holds the values in it.
func schema0(obs []float64) *model.SampleHistogram {
	byUpper := map[float64]float64{}
	for _, v := range obs {
		byUpper[math.Exp2(math.Ceil(math.Log2(v)))]++
	}
	h := &model.SampleHistogram{Count: model.FloatString(len(obs))}
	var uppers []float64
	for u := range byUpper {
		uppers = append(uppers, u)
	}
	sort.Float64s(uppers)
	for _, u := range uppers {
		h.Buckets = append(h.Buckets, &model.HistogramBucket{Boundaries: 0, Lower: model.FloatString(u / 2), Upper: model.FloatString(u), Count: model.FloatString(byUpper[u])})
	}
	return h
}

// TestNativeHistogramCountsObservations counts a native histogram scraped
// every minute for three hours: each minute brings observations of 0.3s,
// 0.7s and 1.5s, and the process restarts at minute 100. The truth counts
// the observations themselves (not buckets): every one made after the
// series' first sample, those after the restart included.
func TestNativeHistogramCountsObservations(t *testing.T) {
	const minutes = 180
	start := int64(1_700_000_000_000) - 1_700_000_000_000%HourMs
	var hs []backend.HistogramSample
	var since []float64             // observations since the process started
	var made [minutes + 1][]float64 // observations made just before each sample
	for m := 0; m <= minutes; m++ {
		if m == 100 {
			since = nil // restart
		}
		batch := []float64{}
		for i := 0; i < m%7+1; i++ {
			batch = append(batch, 0.3)
		}
		for i := 0; i < m%3; i++ {
			batch = append(batch, 0.7)
		}
		if m%10 == 0 {
			batch = append(batch, 1.5)
		}
		since = append(since, batch...)
		made[m] = batch
		hs = append(hs, backend.HistogramSample{T: start + int64(m)*60_000, H: schema0(since)})
	}
	src := histSource{series: []backend.Series{{Labels: labels.FromStrings("__name__", "rpc_seconds"), Histograms: hs}}}
	sli := slo.SLI{Latency: &slo.LatencySLI{NativeHistogram: "rpc_seconds", Threshold: 1}}
	c := newCounter(t, sli, 24*time.Hour, step)
	at := start + minutes*60_000
	got := countAll(t, c, src, at, []time.Duration{time.Hour, 2 * time.Hour})
	for _, w := range []time.Duration{time.Hour, 2 * time.Hour} {
		var want slo.Counts
		for m := 1; m <= minutes; m++ { // minute 0 is the baseline
			if start+int64(m)*60_000 <= at-w.Milliseconds() {
				continue
			}
			for _, v := range made[m] {
				want.Total++
				if v <= 1 {
					want.Good++
				}
			}
		}
		if got[w] != want {
			t.Errorf("window %s: %+v, want %+v", w, got[w], want)
		}
	}
}

func TestNativeHistogramThresholdOffBoundary(t *testing.T) {
	h := schema0([]float64{0.3, 0.7, 1.5})
	if _, err := GoodObservations(h, 0.6); err == nil || !strings.Contains(err.Error(), "the nearest boundaries 0.5 or 1") {
		t.Errorf("threshold 0.6 inside (0.5, 1]: %v", err)
	}
	// 3 lies in an empty bucket (2, 4]: still not a boundary of schema 0.
	if _, err := GoodObservations(h, 3); err == nil || !strings.Contains(err.Error(), "schema 0; use the nearest boundaries 2 or 4") {
		t.Errorf("threshold 3: %v", err)
	}
	if good, err := GoodObservations(h, 0.5); err != nil || good != 1 {
		t.Errorf("threshold 0.5: %v, %v; want 1 observation", good, err)
	}
	// The counter refuses to count, and says why.
	src := histSource{series: []backend.Series{{Labels: labels.FromStrings("__name__", "rpc_seconds"), Histograms: []backend.HistogramSample{{T: 60_000, H: h}}}}}
	c := newCounter(t, slo.SLI{Latency: &slo.LatencySLI{NativeHistogram: "rpc_seconds", Threshold: 0.6}}, 24*time.Hour, step)
	if err := c.Advance(context.Background(), src, time.UnixMilli(HourMs)); err == nil || !strings.Contains(err.Error(), "not a bucket boundary") {
		t.Errorf("Advance with threshold 0.6: %v", err)
	}
}
