package slo

import (
	"fmt"
	"time"
)

// ChartData is every series an SLO's pictures draw, computed once, so that
// the status page's charts and the history API (GET
// /api/v1/slos/{name}/history) serve the same numbers.
type ChartData struct {
	// Remaining is the burn-down of the current window (see BurnDown).
	Remaining []SeriesPoint `json:"remaining"`
	// Thresholds are the policy states' thresholds, best state first.
	Thresholds []StateThreshold `json:"thresholds"`
	// Daily holds the SLI of each local day of the window.
	Daily []PeriodSLI `json:"daily"`
	// BurnRates holds, per long window of the alert pairs ("1h", "6h",
	// "1d", "3d"), its burn rate at every hour; Factors the lowest alert
	// factor each is compared with.
	BurnRates map[string][]SeriesPoint `json:"burnRates"`
	Factors   map[string]float64       `json:"factors"`
	// BurnWindows lists the keys of BurnRates, shortest first.
	BurnWindows []string `json:"burnWindows"`
	// PageSpans are where the page condition held in the fine history.
	PageSpans []Period `json:"pageSpans"`
	// Incidents found in the fine history.
	Incidents []Incident `json:"incidents"`
	// Monthly holds each local month's compliance.
	Monthly []PeriodSLI `json:"monthly"`
	// Objective is a ratio; Window the SLO window's label.
	Objective float64 `json:"objective"`
	Window    string  `json:"window"`
}

// StateThreshold is one policy state's threshold on the remaining budget.
type StateThreshold struct {
	State string  `json:"state"`
	Min   float64 `json:"minBudgetRemaining"`
}

// ChartInput is what ChartSeries reads.
type ChartInput struct {
	// Window holds the hourly buckets of the current SLO window.
	Window []Bucket
	// Fine holds 5m (or finer) buckets of recent hours; may be empty.
	Fine []Bucket
	// Months holds hourly buckets over the months to show compliance for;
	// empty means Window.
	Months []Bucket
	// PageSpans, when non-nil, are used as given (where the engine's own
	// evaluations found the page condition holding); nil replays the
	// condition over Fine.
	PageSpans []Period
	// Incidents, when non-nil, are used as given (the engine's own);
	// nil detects them in Fine, measured against the window's total.
	Incidents []Incident
	// IncidentOptions tune the detection when Incidents is nil; zero means
	// the SLO's rule and its policy's share (IncidentOptionsFor).
	IncidentOptions *IncidentOptions
	// Location is the time zone of days and months; nil is UTC.
	Location *time.Location
	// Cuts holds finer buckets of the hours of Window and Months that a
	// local day boundary falls inside (a zone offset by half an hour from
	// UTC): spliced in (Refine) before they are added up per day or month.
	// Fine is used for that too.
	Cuts []Bucket
}

// ChartSeries computes the series of an SLO's detail page.
func ChartSeries(s *SLO, p *Policy, in ChartInput) (ChartData, error) {
	d := ChartData{Objective: s.ObjectiveRatio(), Window: s.Window.Text,
		BurnRates: map[string][]SeriesPoint{}, Factors: map[string]float64{}}
	var err error
	if d.Remaining, err = BurnDown(s, in.Window); err != nil {
		return d, fmt.Errorf("burn-down: %w", err)
	}
	for _, st := range p.States {
		if st.MinBudgetRemaining != nil {
			d.Thresholds = append(d.Thresholds, StateThreshold{State: st.Name, Min: *st.MinBudgetRemaining})
		}
	}
	finer := append(append([]Bucket(nil), in.Cuts...), in.Fine...)
	days, months := DayPeriods(in.Location), MonthPeriods(in.Location)
	window, err := Refine(in.Window, finer, days)
	if err != nil {
		return d, fmt.Errorf("daily SLI: %w", err)
	}
	if d.Daily, err = PeriodCompliance(s, window, days); err != nil {
		return d, fmt.Errorf("daily SLI: %w", err)
	}
	for _, pair := range AlertPairs(s.Window.Duration) {
		label := WindowLabel(pair.Long)
		if f, ok := d.Factors[label]; ok {
			if pair.Factor < f {
				d.Factors[label] = pair.Factor
			}
			continue
		}
		d.Factors[label] = pair.Factor
		d.BurnWindows = append(d.BurnWindows, label)
		if d.BurnRates[label], err = BurnRateSeries(s, in.Window, pair.Long); err != nil {
			return d, fmt.Errorf("burn rates: %w", err)
		}
	}
	if in.PageSpans != nil {
		d.PageSpans = in.PageSpans
	} else if len(in.Fine) > 0 {
		steps, err := SimulateAlerts(s, in.Fine, in.Fine[0].Start, in.Fine[len(in.Fine)-1].End, 5*time.Minute)
		if err != nil {
			return d, fmt.Errorf("page spans: %w", err)
		}
		d.PageSpans = AlertSpans(steps, "page")
	}
	d.Incidents = in.Incidents
	if d.Incidents == nil && len(in.Fine) > 0 {
		o := IncidentOptionsFor(s, p)
		if in.IncidentOptions != nil {
			o = *in.IncidentOptions
		}
		if o.WindowTotal == nil {
			total := SumHistory(in.Window).Total
			o.WindowTotal = func(time.Time) float64 { return total }
		}
		if d.Incidents, err = DetectIncidents(s, in.Fine, o); err != nil {
			return d, fmt.Errorf("incidents: %w", err)
		}
	}
	history := window
	if len(in.Months) > 0 {
		if history, err = Refine(in.Months, finer, months); err != nil {
			return d, fmt.Errorf("monthly compliance: %w", err)
		}
	}
	if d.Monthly, err = PeriodCompliance(s, history, months); err != nil {
		return d, fmt.Errorf("monthly compliance: %w", err)
	}
	return d, nil
}
