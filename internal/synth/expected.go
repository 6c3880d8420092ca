package synth

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Counts returns the exact good and total events of an SLO over (from, to].
func (d *Data) Counts(sc *Scenario, s SLOSpec, from, to time.Time) slo.Counts {
	total := d.Truth(sc.Name, s.TotalStream, from, to)
	good := total
	if s.GoodStream != "" {
		good = d.Truth(sc.Name, s.GoodStream, from, to)
	} else {
		good -= d.Truth(sc.Name, s.BadStream, from, to)
	}
	return slo.Counts{Good: float64(good), Total: float64(total)}
}

// Input builds slo.Evaluate's input from truth counts at instant at: events,
// or slices for a time-slice SLI.
func (d *Data) Input(sc *Scenario, s SLOSpec, at time.Time) slo.Input {
	counts := d.Counts
	if s.TimeSlice != nil {
		counts = d.SliceCounts
	}
	in := slo.Input{At: at, Burn: map[time.Duration]slo.Counts{}}
	in.Window = counts(sc, s, at.Add(-s.Window), at)
	for _, w := range slo.BurnWindows {
		in.Burn[w] = counts(sc, s, at.Add(-w), at)
	}
	return in
}

// Expected returns, in config order, the result every SLO must have at
// instant at: the pure slo.Evaluate applied to truth counts.
func (d *Data) Expected(at time.Time) ([]slo.Result, error) {
	policy := slo.DefaultPolicy()
	var out []slo.Result
	for _, sc := range d.Scenarios {
		for _, s := range sc.SLOs {
			def := s.SLO(sc.Name)
			r, err := slo.Evaluate(&def, &policy, d.Input(sc, s, at))
			if err != nil {
				return nil, fmt.Errorf("synth: expected result of %s: %w", s.Name, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}
