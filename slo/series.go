package slo

import (
	"fmt"
	"time"
)

// SeriesPoint is one value of a series at an instant, as charts draw it and
// the history API serves it.
type SeriesPoint struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// BurnDown is the current window's budget as it was spent: at each bucket end
// t, 1 − bad(window start, t] / (error budget × total of the whole window).
// It starts at 1 at the window's start (the first point) and its last point
// is the budget remaining now, the same number Evaluate gives: the line shows
// how the budget of this window got where it is. window holds the buckets of
// the SLO window. Without traffic in the window the budget is untouched: a
// flat line at 1.
func BurnDown(s *SLO, window []Bucket) ([]SeriesPoint, error) {
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return nil, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	if err := CheckHistory(window); err != nil {
		return nil, err
	}
	if len(window) == 0 {
		return nil, nil
	}
	allowed := SumHistory(window).Total * num
	out := make([]SeriesPoint, 0, len(window)+1)
	out = append(out, SeriesPoint{At: window[0].Start, Value: 1})
	var bad float64
	for _, b := range window {
		bad += b.Bad()
		v := 1.0
		if allowed > 0 {
			v = (allowed - bad*den) / allowed
		}
		out = append(out, SeriesPoint{At: b.End, Value: v})
	}
	return out, nil
}

// PeriodSLI is the SLI of one calendar period (a day, a month).
type PeriodSLI struct {
	Period
	// Partial is true when the history covers only part of the period.
	Partial bool   `json:"partial"`
	Events  Counts `json:"events"`
	// SLI, Met and BudgetSpent are nil without traffic in the period.
	SLI *float64 `json:"sli"`
	// Met is SLI ≥ objective, compared exactly (bad × den ≤ total × num).
	Met *bool `json:"met"`
	// BudgetSpent is the share of the period's own budget spent:
	// bad / (error budget × total).
	BudgetSpent *float64 `json:"budgetSpent"`
}

// PeriodCompliance adds a history up per calendar period (days for the daily
// SLI bars, months for monthly compliance) and judges each against the
// objective. Period edges must fall on bucket edges (see Rebucket, and Refine
// for the hours a boundary cuts in a zone offset by half an hour).
func PeriodCompliance(s *SLO, h []Bucket, p Periods) ([]PeriodSLI, error) {
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return nil, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	sums, err := Rebucket(h, p)
	if err != nil {
		return nil, err
	}
	out := make([]PeriodSLI, 0, len(sums))
	for _, b := range sums {
		per := p(b.End)
		ps := PeriodSLI{Period: per, Partial: !b.Start.Equal(per.Start) || !b.End.Equal(per.End), Events: b.Counts}
		if b.Total > 0 {
			sli := b.Good / b.Total
			met := b.Bad()*den <= b.Total*num
			spent := burnRate(b.Bad(), b.Total, num, den)
			ps.SLI, ps.Met, ps.BudgetSpent = &sli, &met, &spent
		}
		out = append(out, ps)
	}
	return out, nil
}

// BurnRateSeries is the burn rate over window w at every bucket end whose
// window (end − w, end] lies inside the history on bucket edges. Points
// without traffic in their window are left out (no burn rate), as on
// /metrics. With hourly buckets, w is a whole number of hours; the engine's
// history ends at the evaluation instant, inside an hour, and the window
// ending there starts inside a bucket: that point is left out (the current
// burn rates are the result's own).
func BurnRateSeries(s *SLO, h []Bucket, w time.Duration) ([]SeriesPoint, error) {
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return nil, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	x, err := NewHistoryIndex(h)
	if err != nil {
		return nil, err
	}
	var out []SeriesPoint
	for _, b := range h {
		from := b.End.Add(-w)
		if from.Before(x.Start()) || !x.isEdge(from) {
			continue
		}
		c, err := x.Sum(from, b.End)
		if err != nil {
			return nil, fmt.Errorf("burn rate over %s: %w", WindowLabel(w), err)
		}
		if c.Total > 0 {
			out = append(out, SeriesPoint{At: b.End, Value: burnRate(c.Bad(), c.Total, num, den)})
		}
	}
	return out, nil
}
