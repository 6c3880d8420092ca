package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// This file holds what the negotiation toolkit changes in counting: calendar
// windows, whose budget resets at the period's start, and agreed exclusions,
// whose events count neither good nor bad.

// applyingExclusions returns the exclusions that apply to def, in config
// order (the order counting attributes overlapping spans by).
func applyingExclusions(def *slo.SLO, all []slo.Exclusion) []slo.Exclusion {
	var out []slo.Exclusion
	for _, e := range all {
		if e.AppliesTo(def.Name) {
			out = append(out, e)
		}
	}
	return out
}

// counterWindows are the windows the SLO's counter keeps history for: a
// calendar window reaches back at most its longest period, and an hour more
// for the period that ends daylight saving time (October in Berlin is 31
// days and an hour long), not its nominal length.
func counterWindows(def *slo.SLO) []time.Duration {
	w := def.Windows()
	if def.Window.IsCalendar() {
		w[0] = def.Window.Longest() + time.Hour
	}
	return w
}

// sloWindow returns where the SLO window (start, at] begins: the window's
// length before at when rolling; the current period's first instant (local
// midnight in the window's zone) when calendar, with the period's end. At
// the period's first instant the window is empty: the budget has just reset.
func sloWindow(def *slo.SLO, at time.Time) (start, periodEnd time.Time) {
	if !def.Window.IsCalendar() {
		return at.Add(-def.Window.Duration), time.Time{}
	}
	return def.Window.Period(at)
}

// excludedInWindow lists the exclusions that reach into the window (from,
// at], with the events each removed there.
func (s *sloState) excludedInWindow(ctx context.Context, src backend.Source, from, at time.Time) ([]slo.ExcludedSpan, error) {
	if len(s.exclusions) == 0 {
		return nil, nil
	}
	counts, err := s.counter.Excluded(ctx, src, from, at)
	if err != nil {
		return nil, err
	}
	var out []slo.ExcludedSpan
	for i, e := range s.exclusions {
		if !e.To.After(from) || e.From.After(at) {
			continue // outside the window: it removed nothing here
		}
		out = append(out, slo.ExcludedSpan{
			From: e.From.UTC(), To: e.To.UTC(), Reason: e.Reason, ApprovedBy: e.ApprovedBy,
			GoodEvents: counts[i].Good, BadEvents: counts[i].Bad(), Index: i,
		})
	}
	return out, nil
}

// withExclusionText shows the current wording (reason, approver) of the
// exclusions a result lists: a reload may reword them without changing any
// count.
func withExclusionText(r slo.Result, ex []slo.Exclusion) slo.Result {
	if len(r.Exclusions) == 0 {
		return r
	}
	spans := append([]slo.ExcludedSpan(nil), r.Exclusions...)
	for i, sp := range spans {
		if sp.Index < len(ex) {
			spans[i].Reason, spans[i].ApprovedBy = ex[sp.Index].Reason, ex[sp.Index].ApprovedBy
		}
	}
	r.Exclusions = spans
	return r
}

// lastDay is the hourly history of the day before at, for the forecast of a
// calendar window younger than a day (its events before the period's start
// shape the traffic profile; the forecast counts only the period's).
func (s *sloState) lastDay(ctx context.Context, src backend.Source, at time.Time, sc *evalScratch) (*slo.HourlyHistory, error) {
	hours, err := s.counter.AppendHours(ctx, src, at.Add(-24*time.Hour), sc.day[:0])
	if err != nil {
		return nil, err
	}
	sc.day = hours
	h, err := slo.NewHourlyHistory(hours)
	if err != nil {
		return nil, fmt.Errorf("internal: the last day's hourly history: %w", err)
	}
	return h, nil
}
