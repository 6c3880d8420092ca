package charts

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// Points converts a series from package slo.
func Points(s []slo.SeriesPoint) []Point {
	out := make([]Point, len(s))
	for i, p := range s {
		out[i] = Point{At: p.At, Value: p.Value}
	}
	return out
}

// PolicyThresholds are the lines of a policy's states that have a threshold,
// named after the state they lead into ("caution" at 0.25).
func PolicyThresholds(p *slo.Policy) []Line {
	var out []Line
	for _, st := range p.States {
		if st.MinBudgetRemaining != nil {
			out = append(out, Line{Name: st.Name, Value: *st.MinBudgetRemaining})
		}
	}
	return out
}

// PeriodBars turns period SLIs into bars labelled with layout in loc
// ("2006-01" for months, "2 Jan" for days).
func PeriodBars(ps []slo.PeriodSLI, layout string, loc *time.Location) []Bar {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]Bar, len(ps))
	for i, p := range ps {
		out[i] = Bar{Label: p.Start.In(loc).Format(layout), Start: p.Start, End: p.End, Value: p.SLI, Met: p.Met, Partial: p.Partial}
	}
	return out
}

// IncidentMarks marks each incident at its start.
func IncidentMarks(incs []slo.Incident, loc *time.Location) []Mark {
	out := make([]Mark, len(incs))
	for i, inc := range incs {
		label := fmt.Sprintf("incident from %s for %s: %.1f%% of the window's budget, peak burn %.1f",
			when(inc.Start, loc), report.HumanDuration(inc.Duration()), inc.BudgetConsumed*100, inc.PeakBurn)
		if inc.Postmortem {
			label += ", postmortem required"
		}
		if inc.Active {
			label += ", in progress"
		}
		out[i] = Mark{At: inc.Start, Label: label}
	}
	return out
}

// PageSpans shades the stretches where a page would have fired.
func PageSpans(ps []slo.Period) []Span {
	out := make([]Span, len(ps))
	for i, p := range ps {
		out[i] = Span{Start: p.Start, End: p.End, Label: "a page would have fired"}
	}
	return out
}
