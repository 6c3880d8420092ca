package report

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// The words for what the negotiation toolkit changes in a budget: a calendar
// window's period, and the agreed exclusions left out of it. The table,
// markdown and the status page print these lines under the SLO.

// NegotiationLines returns the lines to print under an SLO: its calendar
// period (when the window is a calendar one), then one line per exclusion
// that reached into the window.
func NegotiationLines(r slo.Result) []string {
	var out []string
	if p := PeriodLine(r); p != "" {
		out = append(out, p)
	}
	return append(out, ExclusionLines(r)...)
}

// PeriodLine says where a calendar window's period began and when its budget
// resets, in the window's zone; "" for a rolling window.
func PeriodLine(r slo.Result) string {
	if r.PeriodStart.IsZero() {
		return ""
	}
	loc := periodLocation(r)
	return fmt.Sprintf("calendar %s window in %s: counting since %s; the budget resets at %s",
		r.Window, r.PeriodZone, localMinute(r.PeriodStart, loc), localMinute(r.PeriodEnd, loc))
}

// ExclusionLines has one line per agreed exclusion that reached into the
// window, its times in the calendar window's zone (else UTC).
func ExclusionLines(r slo.Result) []string {
	var out []string
	for _, e := range r.Exclusions {
		out = append(out, ExclusionLine(e, periodLocation(r)))
	}
	return out
}

// ExclusionLine says what one agreed exclusion removed, when, why and who
// agreed: "excluded 1,234 bad and 56,000 good events 2026-11-03 02:00–04:00
// CET: DB migration, approved by Jane".
func ExclusionLine(e slo.ExcludedSpan, loc *time.Location) string {
	return fmt.Sprintf("excluded %s bad and %s good events %s: %s, approved by %s",
		Thousands(e.BadEvents), Thousands(e.GoodEvents), spanText(e.From, e.To, loc), e.Reason, e.ApprovedBy)
}

// spanText spells [from, to) to the minute in loc, the date once when both
// ends fall on the same local day.
func spanText(from, to time.Time, loc *time.Location) string {
	from, to = from.In(loc), to.In(loc)
	if from.Format("2006-01-02") == to.Format("2006-01-02") {
		return from.Format("2006-01-02 15:04") + "–" + to.Format("15:04 MST")
	}
	return from.Format("2006-01-02 15:04 MST") + " – " + to.Format("2006-01-02 15:04 MST")
}

func localMinute(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// periodLocation is the zone a result's times are shown in: its calendar
// window's, else UTC.
func periodLocation(r slo.Result) *time.Location {
	if r.PeriodZone != "" {
		if loc, err := time.LoadLocation(r.PeriodZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// excludedNote tells a one-line verdict that the budget leaves agreed
// exclusions out: " after excluding 595 bad events (1 agreed exclusion)".
func excludedNote(r slo.Result) string {
	if len(r.Exclusions) == 0 {
		return ""
	}
	n := "1 agreed exclusion"
	if len(r.Exclusions) > 1 {
		n = fmt.Sprintf("%d agreed exclusions", len(r.Exclusions))
	}
	return fmt.Sprintf(" after excluding %s bad events (%s)", Thousands(r.ExcludedTotal().Bad()), n)
}
