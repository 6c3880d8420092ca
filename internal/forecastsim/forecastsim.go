// Package forecastsim is the independent truth for forecasts: a plain
// forward simulation, step by step, of the documented assumptions of
// slo.ForecastBudget. It spreads every bucket of a history evenly over its
// steps, takes each new step's traffic from the step a day earlier (the
// history's mean where the history is shorter than a day) and its errors at
// the last hour's error ratio, and sums the window afresh at every step. It
// shares no code with ForecastBudget, which moves from bucket edge to bucket
// edge and solves for the crossing inside a segment; because the truth only
// looks at step ends, a forecast must fall inside the step in which the truth
// first crosses.
package forecastsim

import (
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Run is a simulation's result.
type Run struct {
	// Step is the simulation's step.
	Step time.Duration
	// Now is the remaining budget at the forecast instant; Remaining[j] that
	// of the window ending j+1 steps after it.
	Now       float64
	Remaining []float64
}

// Simulate steps the window forward from the end of hist, the forecast
// instant. Every bucket must be a whole number of steps long. budget is
// 1 − objective; calStart, when non-zero, fixes the window's start (a
// calendar period) instead of rolling it; horizon is how far to look ahead.
func Simulate(hist []slo.Bucket, lastHour slo.Counts, budget float64, window time.Duration,
	calStart time.Time, horizon, step time.Duration) Run {
	var good, bad []float64
	first := hist[0].Start
	for _, b := range hist {
		n := int(b.End.Sub(b.Start) / step)
		for range n {
			good = append(good, b.Good/float64(n))
			bad = append(bad, b.Bad()/float64(n))
		}
	}
	past := len(good)
	meanTotal := 0.0
	for i := range past {
		meanTotal += good[i] + bad[i]
	}
	meanTotal /= float64(past)
	ratio := 0.0
	if lastHour.Total > 0 {
		ratio = lastHour.Bad() / lastHour.Total
	}
	perDay := int(24 * time.Hour / step)
	steps := int(horizon / step)
	for j := range steps {
		earlier := past + j - perDay
		total := meanTotal
		if earlier >= 0 {
			total = good[earlier] + bad[earlier]
		}
		if lastHour.Total == 0 {
			total = 0
		}
		good = append(good, total*(1-ratio))
		bad = append(bad, total*ratio)
	}
	// Step k covers (first + k steps, first + (k+1) steps]; running sums
	// make each window sum two lookups.
	sumGood, sumBad := make([]float64, len(good)+1), make([]float64, len(good)+1)
	for k := range good {
		sumGood[k+1] = sumGood[k] + good[k]
		sumBad[k+1] = sumBad[k] + bad[k]
	}
	remainingAt := func(endIdx int) float64 { // the window ending at the end of step endIdx-1
		lo := endIdx - int(window/step)
		if !calStart.IsZero() {
			lo = int(calStart.Sub(first) / step)
		}
		lo = max(lo, 0)
		g, b := sumGood[endIdx]-sumGood[lo], sumBad[endIdx]-sumBad[lo]
		if g+b < 1e-9 {
			return 1
		}
		return 1 - b/(g+b)/budget
	}
	run := Run{Step: step, Now: remainingAt(past)}
	for j := range steps {
		run.Remaining = append(run.Remaining, remainingAt(past+j+1))
	}
	return run
}

// First returns the number of steps until cond first holds, or -1.
func (r Run) First(cond func(float64) bool) int {
	for j, v := range r.Remaining {
		if cond(v) {
			return j + 1
		}
	}
	return -1
}

// Contains reports whether a forecast of seconds falls inside the truth's
// step (steps−1, steps] (steps from First), allowing for rounding.
func (r Run) Contains(seconds float64, steps int) bool {
	hi := float64(steps) * r.Step.Seconds()
	return seconds > hi-r.Step.Seconds()-1e-6 && seconds <= hi+1e-6
}
