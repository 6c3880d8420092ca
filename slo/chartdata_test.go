package slo_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

func TestChartSeries(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	p := slo.DefaultPolicy()
	window := hourly(fcAt, 720, func(i int) (float64, float64) { return 1000, float64(i % 3) })
	var fine []slo.Bucket
	for i := range 24 {
		st := fcAt.Add(time.Duration(i-24) * 5 * time.Minute)
		bad := 0.0
		if i >= 10 && i < 14 {
			bad = 30
		}
		fine = append(fine, slo.Bucket{Start: st, End: st.Add(5 * time.Minute), Counts: slo.Counts{Good: 100 - bad, Total: 100}})
	}
	d, err := slo.ChartSeries(s, &p, slo.ChartInput{Window: window, Fine: fine})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.BurnWindows, ",") != "1h,6h,1d,3d" {
		t.Errorf("burn windows %v", d.BurnWindows)
	}
	for w, want := range map[string]float64{"1h": 14.4, "6h": 6, "1d": 3, "3d": 1} {
		if math.Abs(d.Factors[w]-want) > 1e-12 {
			t.Errorf("factor %s = %v, want %v", w, d.Factors[w], want)
		}
	}
	if len(d.BurnRates["1h"]) != 720 || len(d.BurnRates["3d"]) != 720-71 {
		t.Errorf("%d 1h points and %d 3d points, want 720 and 649", len(d.BurnRates["1h"]), len(d.BurnRates["3d"]))
	}
	if len(d.Thresholds) != 3 || d.Thresholds[1] != (slo.StateThreshold{State: "caution", Min: 0.25}) {
		t.Errorf("thresholds %+v", d.Thresholds)
	}
	// 120 bad in 20 minutes: one incident, one page span; its share is
	// measured against the window's 720,000 events.
	if len(d.Incidents) != 1 || d.Incidents[0].Events.Bad() != 120 || math.Abs(d.Incidents[0].BudgetConsumed-120/720.0) > 1e-12 {
		t.Errorf("incidents %+v, want one of 120 bad, 1/6 of the budget", d.Incidents)
	}
	if len(d.PageSpans) != 1 {
		t.Errorf("page spans %+v, want 1", d.PageSpans)
	}
	// The window ends at noon: 31 days touched, the first and last halves.
	if len(d.Daily) != 31 || !d.Daily[0].Partial || !d.Daily[30].Partial || d.Daily[1].Partial || len(d.Monthly) != 2 {
		t.Errorf("%d days (first partial %v), %d months; want 31 with partial ends, and 2", len(d.Daily), d.Daily[0].Partial, len(d.Monthly))
	}
	if _, err := json.Marshal(d); err != nil {
		t.Errorf("the history API could not serve it: %v", err)
	}
}
