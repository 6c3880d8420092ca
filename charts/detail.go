package charts

import (
	"fmt"
	"html/template"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// DetailInput is what an SLO's detail page draws from.
type DetailInput struct {
	// ID prefixes the charts' element ids (e.g. "slo-checkout").
	ID     string
	SLO    *slo.SLO
	Policy *slo.Policy
	// Window holds the hourly buckets of the current SLO window.
	Window []slo.Bucket
	// Fine holds 5m (or finer) buckets of recent hours, for page spans and
	// incidents; may be empty.
	Fine []slo.Bucket
	// Months holds hourly buckets over the months to show compliance for;
	// empty means the window's buckets.
	Months []slo.Bucket
	// Incidents, when set, are marked; nil detects them in Fine.
	Incidents []slo.Incident
	Location  *time.Location
}

// Detail is the set of charts on an SLO's detail page.
type Detail struct {
	Budget, DailySLI, BurnRates, MonthlyCompliance template.HTML
}

// DetailCharts draws the detail page's charts: the budget over the window,
// daily SLI bars against the objective, burn rates per window with the alert
// factors and shaded page spans, and monthly compliance bars.
func DetailCharts(in DetailInput) (Detail, error) {
	var d Detail
	s := in.SLO
	burn, err := slo.BurnDown(s, in.Window)
	if err != nil {
		return d, fmt.Errorf("budget chart: %w", err)
	}
	var spans []Span
	if len(in.Fine) > 0 {
		steps, err := slo.SimulateAlerts(s, in.Fine, in.Fine[0].Start, in.Fine[len(in.Fine)-1].End, 5*time.Minute)
		if err != nil {
			return d, fmt.Errorf("page spans: %w", err)
		}
		spans = PageSpans(slo.AlertSpans(steps, "page"))
	}
	incs := in.Incidents
	if incs == nil && len(in.Fine) > 0 {
		windowTotal := slo.SumHistory(in.Window).Total
		incs, err = slo.DetectIncidents(s, in.Fine, slo.IncidentOptions{WindowTotal: func(time.Time) float64 { return windowTotal }})
		if err != nil {
			return d, fmt.Errorf("incidents: %w", err)
		}
	}
	marks := IncidentMarks(incs, in.Location)
	var from, to time.Time
	if len(in.Window) > 0 {
		from, to = in.Window[0].Start, in.Window[len(in.Window)-1].End
	}
	if len(burn) > 0 {
		if d.Budget, err = BudgetChart(Budget{ID: in.ID + "-budget", Window: s.Window.Text, Points: Points(burn),
			Thresholds: PolicyThresholds(in.Policy), Spans: spans, Marks: marks, Size: Large, Location: in.Location}); err != nil {
			return d, err
		}
	}

	days, err := slo.PeriodCompliance(s, in.Window, slo.DayPeriods(in.Location))
	if err != nil {
		return d, fmt.Errorf("daily SLI: %w", err)
	}
	if len(days) > 0 {
		if d.DailySLI, err = SLIBarChart(SLIBars{ID: in.ID + "-daily", Kind: "daily-sli", Title: "Daily SLI", Period: "day",
			Bars: PeriodBars(days, "2 Jan", in.Location), Objective: s.ObjectiveRatio(), Location: in.Location}); err != nil {
			return d, err
		}
	}

	var series []BurnSeries
	factors := map[time.Duration]float64{}
	var longs []time.Duration
	for _, p := range slo.AlertPairs(s.Window.Duration) {
		if f, ok := factors[p.Long]; !ok || p.Factor < f {
			if !ok {
				longs = append(longs, p.Long)
			}
			factors[p.Long] = p.Factor
		}
	}
	for _, w := range longs {
		pts, err := slo.BurnRateSeries(s, in.Window, w)
		if err != nil {
			return d, fmt.Errorf("burn rates: %w", err)
		}
		f := factors[w]
		series = append(series, BurnSeries{Window: slo.WindowLabel(w), Factor: &f, Points: Points(pts)})
	}
	if !from.IsZero() {
		if d.BurnRates, err = BurnRateChart(BurnRates{ID: in.ID + "-burn", Series: series, Spans: spans, Marks: marks,
			From: from, To: to, Location: in.Location}); err != nil {
			return d, err
		}
	}

	monthsHist := in.Months
	if len(monthsHist) == 0 {
		monthsHist = in.Window
	}
	months, err := slo.PeriodCompliance(s, monthsHist, slo.MonthPeriods(in.Location))
	if err != nil {
		return d, fmt.Errorf("monthly compliance: %w", err)
	}
	if len(months) > 0 {
		if d.MonthlyCompliance, err = SLIBarChart(SLIBars{ID: in.ID + "-months", Kind: "monthly-compliance", Title: "Monthly compliance",
			Period: "month", Bars: PeriodBars(months, "Jan 2006", in.Location), Objective: s.ObjectiveRatio(), Location: in.Location}); err != nil {
			return d, err
		}
	}
	return d, nil
}

// RowBurnDown draws the status page's small burn-down for one SLO.
func RowBurnDown(id string, s *slo.SLO, p *slo.Policy, window []slo.Bucket) (template.HTML, error) {
	burn, err := slo.BurnDown(s, window)
	if err != nil {
		return "", err
	}
	if len(burn) == 0 {
		return "", nil
	}
	return BudgetChart(Budget{ID: id, Window: s.Window.Text, Points: Points(burn), Thresholds: PolicyThresholds(p), Size: Small})
}
