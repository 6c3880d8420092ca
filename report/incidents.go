package report

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// maxIncidentLines bounds the incidents listed under one SLO: the latest
// ones, plus every one that needs a postmortem; the rest are counted.
const maxIncidentLines = 5

// CapacityText spells a capacity split as the seeds' teams say it:
// "70% features, 20% reliability, 10% learning" (innovation is learning).
func CapacityText(c slo.Capacity) string {
	return sharePercent(c.Features) + " features, " + sharePercent(c.Reliability) + " reliability, " +
		sharePercent(c.Innovation) + " learning"
}

// sharePercent spells a share as a percent without needless decimals: 0.7 as
// "70%", 1/3 as "33.3%".
func sharePercent(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%"
}

// detailLines are the lines under an SLO's consequence line: the current
// state's capacity split, then the window's incidents.
func detailLines(r slo.Result) []string {
	var lines []string
	if r.Capacity != nil && r.HasNumbers() {
		lines = append(lines, "capacity: "+CapacityText(*r.Capacity))
	}
	return append(lines, incidentLines(r)...)
}

// IncidentsSummary is the one line about the incidents of an SLO's current
// window: how many, how many need a postmortem, and what is not known yet.
// Empty when the result has no incidents detected (no numbers).
func IncidentsSummary(r slo.Result) string {
	w := r.Incidents
	if w == nil || !r.HasNumbers() {
		return ""
	}
	var s string
	switch n := len(w.Incidents); n {
	case 0:
		s = "incidents: none in the " + r.Window + " window"
	default:
		s = fmt.Sprintf("incidents: %d in the %s window", n, r.Window)
		if p := w.Postmortems(); p > 0 {
			s += fmt.Sprintf(", %d over %s of the budget: POSTMORTEM REQUIRED", p, sharePercent(w.PostmortemShare))
		} else {
			s += fmt.Sprintf(", none over %s of the budget", sharePercent(w.PostmortemShare))
		}
	}
	s += fmt.Sprintf(" (5m burn above %s, spells under %s apart merged)", strconv.FormatFloat(w.Threshold, 'f', -1, 64),
		HumanDuration(time.Duration(w.MergeGapSeconds*float64(time.Second))))
	if !w.Complete {
		s += "; known only since " + w.KnownFrom.UTC().Format(time.RFC3339) + ", the window's past is still being read"
	}
	return s
}

// IncidentText is one incident: "2026-11-29 14:00 UTC for 1h 30m, 28,020 bad
// events, 27.8% of the budget, peak burn 40.0, POSTMORTEM".
func IncidentText(inc slo.Incident) string {
	s := inc.Start.UTC().Format("2006-01-02 15:04 UTC")
	if inc.Active {
		s += ", in progress for " + HumanDuration(inc.Duration())
	} else {
		s += " for " + HumanDuration(inc.Duration())
	}
	s += ", " + Thousands(inc.Events.Bad()) + " bad events, " + percent1(inc.BudgetConsumed) + " of the budget, peak burn " +
		strconv.FormatFloat(inc.PeakBurn, 'f', 1, 64)
	if inc.Postmortem {
		s += ", POSTMORTEM"
	}
	return s
}

// incidentLines are the lines under an SLO's row: the summary, then the
// latest incidents and every one that needs a postmortem, newest first.
func incidentLines(r slo.Result) []string {
	summary := IncidentsSummary(r)
	if summary == "" {
		return nil
	}
	lines := []string{summary}
	incs := r.Incidents.Incidents
	shown := 0
	for i := len(incs) - 1; i >= 0; i-- {
		if shown < maxIncidentLines || incs[i].Postmortem {
			lines = append(lines, "- "+IncidentText(incs[i]))
			shown++
		}
	}
	if rest := len(incs) - shown; rest > 0 {
		lines = append(lines, fmt.Sprintf("- and %d earlier, smaller incidents", rest))
	}
	return lines
}
