package demo

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/slo"
)

const testStep = 15 * time.Second

// openTestDemo opens a recording demo starting at start, off the step grid
// like a real start.
func openTestDemo(t *testing.T, start time.Time) *Demo {
	t.Helper()
	began := time.Now()
	d, err := Open(context.Background(), Options{Dir: t.TempDir(), Start: start, Seed: 7, Record: true})
	if err != nil {
		t.Fatalf("opening the demo: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	t.Logf("history of %d series written and TSDB opened in %s", len(d.gen.all), time.Since(began).Round(time.Millisecond))
	return d
}

func newTestEngine(t *testing.T, d *Demo) (*engine.Engine, *slo.Config) {
	t.Helper()
	cfg, err := slo.LoadFiles(d.ConfigFile)
	if err != nil {
		t.Fatalf("the demo config is invalid: %v", err)
	}
	e, err := engine.New(cfg, engine.Options{Source: d.Querier, Step: testStep})
	if err != nil {
		t.Fatal(err)
	}
	return e, cfg
}

// TestDemoStatesAndNumbers evaluates the demo the way the daemon does, at the
// start and after live traffic, and checks the intended states (one SLO
// paging, one frozen, healthy ones) and every figure of every SLO against
// counts summed directly from the generator's events.
func TestDemoStatesAndNumbers(t *testing.T) {
	for _, start := range []time.Time{
		time.Now(),
		// A fixed instant at night (UTC), when traffic is lowest: the
		// states must not depend on the hour the demo starts.
		time.Date(2026, 3, 15, 3, 7, 41, 123e6, time.UTC),
	} {
		t.Run(start.UTC().Format(time.RFC3339), func(t *testing.T) {
			d := openTestDemo(t, start)
			e, cfg := newTestEngine(t, d)
			ctx := context.Background()

			began := time.Now()
			if failed := e.EvaluateAt(ctx, start); failed > 0 {
				t.Fatalf("%d SLOs failed the first evaluation: %+v", failed, e.Results())
			}
			t.Logf("first evaluation took %s", time.Since(began).Round(time.Millisecond))
			checkStates(t, e.Results())
			checkTruth(t, cfg, d, e.Results(), e.Instant(start))

			// Ten minutes of live traffic, evaluated as the daemon would on
			// every step: the page must keep holding and the incremental
			// numbers must stay exact.
			var last time.Time
			for k := 1; k <= 40; k++ {
				now := start.Add(time.Duration(k) * testStep)
				if err := d.Tick(ctx, now.Add(-2*time.Second)); err != nil {
					t.Fatal(err)
				}
				if failed := e.EvaluateAt(ctx, now); failed > 0 {
					t.Fatalf("%d SLOs failed at %s: %+v", failed, now, e.Results())
				}
				last = now
			}
			checkStates(t, e.Results())
			checkTruth(t, cfg, d, e.Results(), e.Instant(last))
		})
	}
}

// checkStates asserts the story traffic.go tells.
func checkStates(t *testing.T, results []slo.Result) {
	t.Helper()
	want := map[string]struct {
		page, freeze bool
		state        string
	}{
		"api-availability":   {page: true, state: "caution"},
		"api-latency":        {state: "healthy"},
		"batch-job-success":  {freeze: true, state: "frozen"},
		"pipeline-freshness": {state: "caution"},
		"data-quality":       {state: "healthy"},
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d", len(results), len(want))
	}
	for _, r := range results {
		w, ok := want[r.Name]
		if !ok {
			t.Errorf("unexpected SLO %q", r.Name)
			continue
		}
		if r.Error != "" {
			t.Errorf("%s: evaluation error %q", r.Name, r.Error)
		}
		if r.Alerts.Page != w.page || r.FeatureFreeze != w.freeze || r.PolicyState != w.state {
			t.Errorf("%s: page=%v freeze=%v state=%s (budget left %.3f, burn %v); want page=%v freeze=%v state=%s",
				r.Name, r.Alerts.Page, r.FeatureFreeze, r.PolicyState, r.BudgetRemaining, r.BurnRates, w.page, w.freeze, w.state)
		}
	}
}

// windowCounts sums generated events in (at−w, at].
func windowCounts(evs []Events, at time.Time, w time.Duration) slo.Counts {
	var c slo.Counts
	hi, lo := at.UnixMilli(), at.Add(-w).UnixMilli()
	for _, e := range evs {
		if e.T > lo && e.T <= hi {
			c.Good += e.Good
			c.Total += e.Total
		}
	}
	return c
}

// sliceCounts counts the 1-minute slices ending in (at−w, at] that are
// complete at at: a slice has data when the lag gauge has a sample in it,
// and is good when its last sample is under 900 s.
func sliceCounts(lag []Sample, at time.Time, w time.Duration) slo.Counts {
	const slice = int64(60_000)
	last := map[int64]float64{} // slice end → last value in it
	var ends []int64
	for _, s := range lag {
		end := (s.T + slice - 1) / slice * slice
		if _, ok := last[end]; !ok {
			ends = append(ends, end)
		}
		last[end] = s.V
	}
	hi := at.UnixMilli() - at.UnixMilli()%slice
	lo := at.Add(-w).UnixMilli()
	var c slo.Counts
	for _, end := range ends {
		if end > lo && end <= hi {
			c.Total++
			if last[end] < 900 {
				c.Good++
			}
		}
	}
	return c
}

// checkTruth recomputes every SLO's figures from the generator's record
// with the formulas of math.md and compares them with the results.
func checkTruth(t *testing.T, cfg *slo.Config, d *Demo, results []slo.Result, at time.Time) {
	t.Helper()
	rec := d.Record()
	lag := rec.Samples[`{__name__="pipeline_lag_seconds", pipeline="orders"}`]
	if len(lag) == 0 {
		t.Fatal("no lag samples recorded")
	}
	byName := map[string]slo.Result{}
	for _, r := range results {
		byName[r.Name] = r
	}
	for i := range cfg.SLOs {
		def := &cfg.SLOs[i]
		r := byName[def.Name]
		counts := func(w time.Duration) slo.Counts {
			if def.SLI.Kind() == slo.KindTimeSlice {
				return sliceCounts(lag, at, w)
			}
			return windowCounts(rec.Events[def.Name], at, w)
		}
		budget := def.ErrorBudget()
		win := counts(def.Window.Duration)
		if win.Total == 0 {
			t.Fatalf("%s: no generated events in the window", def.Name)
		}
		if r.Events != win {
			t.Errorf("%s at %s: events %+v, generated %+v", def.Name, at.Format(time.RFC3339), r.Events, win)
		}
		errRatio := (win.Total - win.Good) / win.Total
		if r.SLI == nil {
			t.Errorf("%s: no SLI, want %g", def.Name, win.Good/win.Total)
		} else if !near(*r.SLI, win.Good/win.Total) {
			t.Errorf("%s: SLI %g, want %g", def.Name, *r.SLI, win.Good/win.Total)
		}
		if !near(r.BudgetRemaining, 1-errRatio/budget) {
			t.Errorf("%s: budget remaining %g, want %g", def.Name, r.BudgetRemaining, 1-errRatio/budget)
		}
		if wantSec := def.Window.Seconds() * (win.Good/win.Total - def.ObjectiveRatio()); !near(r.BudgetRemainingSeconds, wantSec) {
			t.Errorf("%s: budget remaining seconds %g, want %g", def.Name, r.BudgetRemainingSeconds, wantSec)
		}
		for _, w := range append(append([]time.Duration{}, slo.BurnWindows...), def.Window.Duration) {
			c := counts(w)
			label := slo.WindowLabel(w)
			got, ok := r.BurnRates[label]
			if c.Total == 0 {
				if ok {
					t.Errorf("%s: burn rate over %s is %g for a window without events", def.Name, label, got)
				}
				continue
			}
			want := (c.Total - c.Good) / c.Total / budget
			if !ok || !near(got, want) {
				t.Errorf("%s: burn rate over %s = %g (present %v), want %g from %+v", def.Name, label, got, ok, want, c)
			}
		}
		t.Logf("%s: SLI %.5f, budget left %.3f, burn 1h %.2f 5m %.2f, state %s, page %v", def.Name,
			win.Good/win.Total, 1-errRatio/budget, r.BurnRates["1h"], r.BurnRates["5m"], r.PolicyState, r.Alerts.Page)
	}
}

// near compares two figures that are computed in different orders.
func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// TestStatesHoldForAnySeed: the command seeds the noise from the clock, so
// the intended states must not depend on the seed.
func TestStatesHoldForAnySeed(t *testing.T) {
	start := time.Now()
	for _, seed := range []uint64{1, 2, 3, 1 << 40} {
		d, err := Open(context.Background(), Options{Dir: t.TempDir(), Start: start, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		e, _ := newTestEngine(t, d)
		if failed := e.EvaluateAt(context.Background(), start); failed > 0 {
			t.Fatalf("seed %d: %d SLOs failed", seed, failed)
		}
		checkStates(t, e.Results())
		_ = d.Close()
	}
}
