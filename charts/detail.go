package charts

import (
	"html/template"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Detail is the set of charts on an SLO's detail page. A chart without data
// (no window buckets yet) is empty.
type Detail struct {
	Budget, DailySLI, BurnRates, MonthlyCompliance template.HTML
}

// HTML is every chart of the detail page, in reading order, for the status
// page's DetailCharts hook.
func (d Detail) HTML() template.HTML {
	return d.Budget + d.DailySLI + d.BurnRates + d.MonthlyCompliance
}

// DetailCharts draws the detail page's charts from the series the history
// API serves (slo.ChartSeries): the budget over the window with the policy
// thresholds, page spans and incident marks; daily SLI bars against the
// objective; burn rates per window with the alert factors and shaded page
// spans; monthly compliance bars. id prefixes the charts' element ids.
func DetailCharts(id string, d slo.ChartData, loc *time.Location) (Detail, error) {
	var out Detail
	var err error
	spans := PageSpans(d.PageSpans)
	marks := IncidentMarks(d.Incidents, loc)
	if len(d.Remaining) > 0 {
		if out.Budget, err = BudgetChart(Budget{ID: id + "-budget", Window: d.Window, Points: Points(d.Remaining),
			Thresholds: thresholdLines(d.Thresholds), Spans: spans, Marks: marks, Size: Large, Location: loc}); err != nil {
			return out, err
		}
	}
	if len(d.Daily) > 0 {
		if out.DailySLI, err = SLIBarChart(SLIBars{ID: id + "-daily", Kind: "daily-sli", Title: "Daily SLI", Period: "day",
			Bars: PeriodBars(d.Daily, "2 Jan", loc), Objective: d.Objective, Location: loc}); err != nil {
			return out, err
		}
	}
	if len(d.Remaining) > 0 {
		var series []BurnSeries
		for _, w := range d.BurnWindows {
			f := d.Factors[w]
			series = append(series, BurnSeries{Window: w, Factor: &f, Points: Points(d.BurnRates[w])})
		}
		if out.BurnRates, err = BurnRateChart(BurnRates{ID: id + "-burn", Series: series, Spans: spans, Marks: marks,
			From: d.Remaining[0].At, To: d.Remaining[len(d.Remaining)-1].At, Location: loc}); err != nil {
			return out, err
		}
	}
	if len(d.Monthly) > 0 {
		if out.MonthlyCompliance, err = SLIBarChart(SLIBars{ID: id + "-months", Kind: "monthly-compliance", Title: "Monthly compliance",
			Period: "month", Bars: PeriodBars(d.Monthly, "Jan 2006", loc), Objective: d.Objective, Location: loc}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// RowBurnDown draws the status page's small burn-down for one SLO from the
// same series (d.Remaining, d.Thresholds).
func RowBurnDown(id string, d slo.ChartData) (template.HTML, error) {
	if len(d.Remaining) == 0 {
		return "", nil
	}
	return BudgetChart(Budget{ID: id, Window: d.Window, Points: Points(d.Remaining), Thresholds: thresholdLines(d.Thresholds), Size: Small})
}

func thresholdLines(ts []slo.StateThreshold) []Line {
	out := make([]Line, len(ts))
	for i, t := range ts {
		out[i] = Line{Name: t.State, Value: t.Min}
	}
	return out
}
