package counting

import (
	"fmt"
	"math"
	"math/rand"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/promapi"
)

// TestHourlyHistoryMatchesRawCounting loads a week of history through the
// Prometheus HTTP client in front of Prometheus's own PromQL engine, so the
// completed hours come from HourlyIncreases, on counters with resets, gaps,
// series that come and go, and bad samples (NaN, +Inf, negative). Every
// window must equal the brute-force truth, and equal a counter that read
// everything raw.
func TestHourlyHistoryMatchesRawCounting(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	end := int64(1_700_000_000_000)
	end -= end % step
	start := end - 8*day
	store := memory.New()
	var groups [][]backend.Sample
	var placed []backend.Sample
	for inst := range 4 {
		var ss []backend.Sample
		v := float64(rng.Intn(100))
		born := start + int64(inst)*day // later series are born inside the history
		for ts := born + rng.Int63n(15_000); ts <= end; ts += 15_000 + rng.Int63n(2000) - 1000 {
			if inst == 3 && ts > end-2*day && ts < end-2*day+50*60_000 {
				// Gone for 50 minutes: the first sample after the gap still
				// has its predecessor within the hour a raw read looks back.
				continue
			}
			if rng.Intn(200) == 0 {
				ts += 8 * 60_000 // a gap across an hour's edge now and then
			}
			v += float64(rng.Intn(30))
			if rng.Intn(700) == 0 {
				v = float64(rng.Intn(5)) // a reset
			}
			smp := backend.Sample{T: ts, V: v}
			if rng.Intn(400) == 0 {
				smp.V = []float64{math.NaN(), math.Inf(1), -5}[rng.Intn(3)]
			}
			ss = append(ss, smp)
		}
		store.Add(labels.FromStrings("__name__", "total", "instance", fmt.Sprint(inst)), ss...)
		groups = append(groups, ss)
	}
	// One more series on a 15 s grid with bad samples placed where the
	// hourly queries must notice them: as the base of an hour (its last
	// sample before the hour), as the last sample of an hour, and a run of
	// rising negative values right after the base.
	{
		var ss []backend.Sample
		v := 50.0
		first := CeilTo(start, HourMs)
		for ts := first + 5_000; ts <= end; ts += 15_000 {
			v += 7
			smp := backend.Sample{T: ts, V: v}
			hourAt := CeilTo(ts, HourMs) // the hour this sample falls in
			k := (hourAt - first) / HourMs
			sinceBase := ts - (hourAt - HourMs) // 5 s, 20 s, ... into the hour
			if k%7 == 5 && hourAt-ts > 10_000 && hourAt-ts < 6*60_000 {
				continue // a gap, so the negative base below is the first sample the flags see
			}
			switch {
			case k%7 == 5 && hourAt-ts == 10_000:
				smp.V = -5 // the base of the next hour, right after a gap
			case k%7 == 1 && hourAt-ts == 10_000:
				smp.V = -5 // the base of the next hour
			case k%7 == 2 && hourAt-ts == 10_000:
				smp.V = math.NaN() // the base of the next hour
			case k%7 == 3 && hourAt-ts == 10_000:
				smp.V = math.Inf(1) // an hour's last sample
			case k%7 == 4 && sinceBase >= 5_000 && sinceBase <= 35_000:
				smp.V = -float64(100 - sinceBase/1000) // rising negatives after the base
			}
			ss = append(ss, smp)
		}
		store.Add(labels.FromStrings("__name__", "placed_total"), ss...)
		placed = ss
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	defer srv.Close()
	prom, err := backend.NewPrometheus(backend.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	window := 7 * 24 * time.Hour
	for _, c := range []struct {
		selector string
		truth    [][]backend.Sample
	}{
		{"total", groups},
		// Alone under its selector, so its hours are clean unless its own
		// bad samples make them dirty.
		{"placed_total", [][]backend.Sample{placed}},
	} {
		sli := eventsSLI("absent_errors", c.selector)
		viaHours := newCounter(t, sli, window, step)
		raw := newCounter(t, sli, window, step)
		rawOnly := struct{ backend.Source }{store} // hides HourlyIncreases
		for _, at := range []int64{end - HourMs, end - HourMs + step, end} {
			got := countAll(t, viaHours, prom, at, windowsOf(window))
			gotRaw := countAll(t, raw, rawOnly, at, windowsOf(window))
			for w, g := range got {
				var want float64
				for _, ss := range c.truth {
					want += truthSkippingBad(ss, at-w.Milliseconds(), at)
				}
				if g.Total != want || gotRaw[w].Total != want {
					t.Errorf("%s at %s, %s window: hourly path %v, raw %v, truth %v", c.selector, time.UnixMilli(at).UTC(), w, g.Total, gotRaw[w].Total, want)
				}
			}
		}
	}
}
