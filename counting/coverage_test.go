package counting

import (
	"context"
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

// coverageTruth is the rule of Counter.Coverage, by brute force over the
// raw samples: no data without a finite sample in (at − w, at]; otherwise
// coverage begins at the window's start when the first finite sample after
// (start − 1h) lies at or before the start, and at that sample if it lies
// inside the window.
func coverageTruth(groups [][]backend.Sample, at, w int64) (from int64, sampled bool) {
	start := at - w
	first := int64(math.MaxInt64)
	for _, ss := range groups {
		for _, s := range ss {
			if math.IsNaN(s.V) || math.IsInf(s.V, 0) || s.T > at {
				continue
			}
			if s.T > start {
				sampled = true
			}
			if s.T > start-HourMs {
				first = min(first, s.T)
			}
		}
	}
	if !sampled {
		return 0, false
	}
	return max(first, start), true
}

// coverageData builds series that exercise coverage: one born inside the
// window (at a random instant, off any grid), one that stops inside it, one
// with a day-long gap, with 15 s scrapes, jitter, resets and bad samples.
func coverageData(rng *rand.Rand, end int64, born []int64, stop []int64) (*memory.Store, [][]backend.Sample) {
	store := memory.New()
	var groups [][]backend.Sample
	for inst := range born {
		var ss []backend.Sample
		v := float64(10 + rng.Intn(100))
		for ts := born[inst]; ts <= min(end, stop[inst]); ts += 15_000 + rng.Int63n(2000) - 1000 {
			if inst == 2 && ts > end-5*day && ts < end-4*day {
				continue // a day without samples
			}
			v += float64(rng.Intn(30))
			if rng.Intn(700) == 0 {
				v = float64(rng.Intn(5))
			}
			smp := backend.Sample{T: ts, V: v}
			if rng.Intn(500) == 0 {
				smp.V = []float64{math.NaN(), math.Inf(1), -5}[rng.Intn(3)]
			}
			ss = append(ss, smp)
		}
		store.Add(labels.FromStrings("__name__", "total", "instance", fmt.Sprint(inst)), ss...)
		groups = append(groups, ss)
	}
	return store, groups
}

// TestCoverageMatchesTruth checks coverage and no data against the brute-force
// rule, through the hourly path (the real PromQL engine computing completed
// hours) and the raw path, at start-up and while the window slides past the
// data's first sample, its gap and its end.
func TestCoverageMatchesTruth(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	end := int64(1_700_000_000_000)
	end -= end % step
	window := 7 * 24 * time.Hour
	w := window.Milliseconds()
	// Instance 0 is born 3 days before the end (coverage 3/7), instance 1
	// lives from before the window until 2 days before the end, instance 2
	// is born 9 days before the end with a gap; the data lies in the store
	// up to end, and the counters start at end − 3d.
	born := []int64{end - 3*day + 7_777, end - 9*day, end - 9*day + 1_234}
	stop := []int64{math.MaxInt64, end - 2*day, end - 6*day + 3_333}
	store, groups := coverageData(rng, end, born, stop)
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	defer srv.Close()
	prom, err := backend.NewPrometheus(backend.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	sli := eventsSLI("absent_errors", "total")
	for _, path := range []struct {
		name string
		src  backend.Source
	}{{"hourly", prom}, {"raw", struct{ backend.Source }{store}}} {
		t.Run(path.name, func(t *testing.T) {
			c := newCounter(t, sli, window, step)
			for at := end - 3*day; at <= end; at += 3*HourMs + 7*step {
				countAll(t, c, path.src, at, nil)
				got := c.Coverage(window)
				wantFrom, wantSampled := coverageTruth(groups, at, w)
				if got.Sampled != wantSampled || (wantSampled && got.From.UnixMilli() != wantFrom) {
					t.Fatalf("at %s: coverage %+v, want sampled %v from %s", time.UnixMilli(at).UTC(), got,
						wantSampled, time.UnixMilli(wantFrom).UTC())
				}
			}
		})
	}
}

// TestNoData: a selector that matches nothing, and data that ended before
// the window, are no data; data that ended inside the window is zero traffic
// with coverage from the window's start.
func TestNoData(t *testing.T) {
	end := int64(1_700_000_000_000)
	end -= end % step
	window := 7 * 24 * time.Hour
	store := memory.New()
	var ss []backend.Sample
	for ts := end - 10*day; ts <= end-7*day-HourMs; ts += 60_000 {
		ss = append(ss, backend.Sample{T: ts, V: float64(ts / 60_000 % 1000)})
	}
	store.Add(labels.FromStrings("__name__", "gone"), ss...)
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	defer srv.Close()
	prom, err := backend.NewPrometheus(backend.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{"missing_total", "gone"} {
		c := newCounter(t, eventsSLI("absent_errors", sel), window, step)
		countAll(t, c, prom, end, nil)
		if got := c.Coverage(window); got.Sampled || got.Selector != sel {
			t.Errorf("%s: coverage %+v, want no data naming the selector", sel, got)
		}
		// Two hours earlier the last samples lay in the window.
		c = newCounter(t, eventsSLI("absent_errors", sel), window, step)
		countAll(t, c, prom, end-2*HourMs-step, nil)
		got := c.Coverage(window)
		if sel == "gone" && (!got.Sampled || got.From.UnixMilli() != end-2*HourMs-step-window.Milliseconds()) {
			t.Errorf("%s two hours earlier: coverage %+v, want sampled from the window's start", sel, got)
		}
	}
}

// TestHoursMatchCounts: the hourly buckets of a window add up to its count
// exactly, each equals the brute-force truth, and the inner edges are full
// hours.
func TestHoursMatchCounts(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	end := int64(1_700_000_000_000)
	end -= end % step
	window := 7 * 24 * time.Hour
	// Two instances: the third of coverageData has a day-long gap, after
	// which the hourly and streaming paths differ by design (docs/counting.md).
	store, groups := coverageData(rng, end, []int64{end - 9*day, end - 2*day + 5_555}, []int64{math.MaxInt64, math.MaxInt64})
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	defer srv.Close()
	prom, err := backend.NewPrometheus(backend.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := newCounter(t, eventsSLI("absent_errors", "total"), window, step)
	ctx := context.Background()
	for _, at := range []int64{end - 5*HourMs - 3*step, end - HourMs, end} {
		counts := countAll(t, c, prom, at, []time.Duration{window})
		from := time.UnixMilli(at - window.Milliseconds())
		buckets, err := c.Hours(ctx, prom, from)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for i, b := range buckets {
			if i > 0 && !b.Start.Equal(buckets[i-1].End) || i > 0 && b.Start.UnixMilli()%HourMs != 0 {
				t.Fatalf("bucket %d starts at %s after %s", i, b.Start, buckets[i-1].End)
			}
			var want float64
			for _, ss := range groups {
				want += truthSkippingBad(ss, b.Start.UnixMilli(), b.End.UnixMilli())
			}
			if b.Total != want {
				t.Errorf("at %s, bucket (%s, %s]: %v, want %v", time.UnixMilli(at).UTC(), b.Start, b.End, b.Total, want)
			}
			sum += b.Total
		}
		if !buckets[0].Start.Equal(from) || buckets[len(buckets)-1].End.UnixMilli() != at || sum != counts[window].Total {
			t.Errorf("at %s: buckets span (%s, %s] summing to %v; window (%s, ...] counts %v", time.UnixMilli(at).UTC(),
				buckets[0].Start, buckets[len(buckets)-1].End, sum, from.UTC(), counts[window].Total)
		}
	}
}
