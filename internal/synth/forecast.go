package synth

import (
	"time"

	"github.com/slobudget/slobudget/internal/forecastsim"
	"github.com/slobudget/slobudget/slo"
)

// ForecastTruth is what an SLO's forecast must say at an instant, from the
// independent simulation (internal/forecastsim, 30 s steps) over hourly
// buckets of truth counts.
type ForecastTruth struct {
	Run forecastsim.Run
	// ExhaustionStep is the step in which the remaining budget first
	// reaches 0 (-1: never within a window ahead, 0: already spent).
	ExhaustionStep int
	// NextBetter is the state above the current one ("" in the best
	// state); RecoveryStep the step in which its threshold is first met
	// (-1: never).
	NextBetter   string
	RecoveryStep int
	// Coverage is CoverageTruth.
	Coverage float64
}

// ForecastStep is the simulation's step: the evaluation grid.
const ForecastStep = 30 * time.Second

// HourlyTruth returns the truth counts of the SLO window (at − W, at] in the
// engine's buckets: from the window's start to the next full hour, full
// hours, and the last full hour to at.
func (d *Data) HourlyTruth(sc *Scenario, s SLOSpec, at time.Time) []slo.Bucket {
	counts := d.Counts
	if s.TimeSlice != nil {
		counts = d.SliceCounts
	}
	var out []slo.Bucket
	for lo := at.Add(-s.Window); lo.Before(at); {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		if hi.After(at) {
			hi = at
		}
		out = append(out, slo.Bucket{Start: lo, End: hi, Counts: counts(sc, s, lo, hi)})
		lo = hi
	}
	return out
}

// ExpectedForecasts returns the forecast truth of every SLO at at, by name.
func (d *Data) ExpectedForecasts(at time.Time) map[string]ForecastTruth {
	policy := slo.DefaultPolicy()
	out := map[string]ForecastTruth{}
	for _, sc := range d.Scenarios {
		for _, s := range sc.SLOs {
			counts := d.Counts
			if s.TimeSlice != nil {
				counts = d.SliceCounts
			}
			budget := 1 - s.Objective/100
			run := forecastsim.Simulate(d.HourlyTruth(sc, s, at), counts(sc, s, at.Add(-time.Hour), at), budget, s.Window,
				time.Time{}, s.Window, ForecastStep)
			ft := ForecastTruth{Run: run, ExhaustionStep: 0, RecoveryStep: -1, Coverage: d.CoverageTruth(sc, s, at)}
			if run.Now > 0 {
				ft.ExhaustionStep = run.First(func(v float64) bool { return v <= 0 })
			}
			for i, st := range policy.States {
				if i > 0 && st.Name == policy.StateFor(run.Now).Name {
					better := policy.States[i-1]
					ft.NextBetter = better.Name
					ft.RecoveryStep = run.First(func(v float64) bool { return v >= *better.MinBudgetRemaining })
				}
			}
			out[s.Name] = ft
		}
	}
	return out
}

// CoverageTruth is the share of the SLO window (at − W, at] covered by the
// data of the SLO's total stream (a time-slice SLI's gauges), by the rule of
// docs/counting.md, from the samples as written: coverage begins at the
// window's start when the first sample after (start − 1h) lies at or before
// the start, else at that sample. 0 without a sample in the window.
func (d *Data) CoverageTruth(sc *Scenario, s SLOSpec, at time.Time) float64 {
	start := at.Add(-s.Window)
	lookback := start.Add(-time.Hour)
	var first time.Time
	sampled := false
	note := func(t time.Time) {
		if t.After(lookback) && !t.After(at) && (first.IsZero() || t.Before(first)) {
			first = t
		}
		if t.After(start) && !t.After(at) {
			sampled = true
		}
	}
	if s.TimeSlice != nil {
		for _, g := range sc.Gauges {
			if g.hasStream(s.GaugeStream) {
				for _, p := range g.points {
					note(p.t)
				}
			}
		}
	} else {
		for _, ser := range sc.Series {
			if ser.hasStream(s.TotalStream) {
				_ = ser.Samples(func(t time.Time, _ float64) { note(t) })
			}
		}
	}
	if !sampled {
		return 0
	}
	if first.Before(start) {
		first = start
	}
	return at.Sub(first).Seconds() / s.Window.Seconds()
}
