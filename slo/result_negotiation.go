package slo

import "time"

// ExcludedSpan is one agreed exclusion as a result shows it: the span, why
// and who agreed, and the events it removed from the SLO window (counted
// neither good nor bad).
type ExcludedSpan struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approvedBy"`
	GoodEvents float64   `json:"goodEvents"`
	BadEvents  float64   `json:"badEvents"`
	// Index is the exclusion's position among those that apply to the SLO,
	// so a reload that changes only the wording can refresh it.
	Index int `json:"-"`
}

// ExcludedTotal adds up what the result's exclusions removed from its window.
func (r Result) ExcludedTotal() Counts {
	var c Counts
	for _, e := range r.Exclusions {
		c.Good += e.GoodEvents
		c.Total += e.GoodEvents + e.BadEvents
	}
	return c
}

// SetCalendarPeriod makes a result evaluated over a calendar window's
// current period [start, end) say so: the window's length and the budget as
// outage time are the period's (28 to 31 days for a month, an hour less or
// more across a daylight-saving change), computed from the exact budget
// fraction as Evaluate does for a rolling window. The budget's share, burn
// rates and alerts do not depend on the period's length and stay.
func (r *Result) SetCalendarPeriod(s *SLO, start, end time.Time) {
	num, den := budgetFraction(s.Objective)
	sec := end.Sub(start).Seconds()
	r.PeriodStart, r.PeriodEnd, r.PeriodZone = start.UTC(), end.UTC(), zoneName(s.Window.Location)
	r.WindowSeconds = sec
	r.BudgetTotalSeconds = sec * num / den
	r.BudgetRemainingSeconds = sec * num * r.BudgetRemaining / den
}

// SetCalendarCoverage records the data coverage of a calendar window: the
// share of the elapsed part of the period, (start, at], that data covers.
// The rest of the period has not happened yet, so it is not missing data.
func (r *Result) SetCalendarCoverage(covered, elapsed time.Duration) {
	sec, ratio := 0.0, 1.0 // the period's first instant: nothing elapsed, nothing missing
	if elapsed > 0 {
		sec = min(max(covered.Seconds(), 0), elapsed.Seconds())
		ratio = sec / elapsed.Seconds()
	}
	r.CoveredSeconds, r.Coverage = &sec, &ratio
	r.Provisional = ratio < ProvisionalCoverage
}

// zoneName names a calendar window's zone; nil is UTC.
func zoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}
