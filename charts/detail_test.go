package charts

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// detailFixture is a 30d window of hourly buckets ending at 12 June 2024
// 00:00 UTC with 1,000 requests an hour and one bad hour, and the last day in
// 5m buckets with a 20-minute burst.
func detailFixture() (s *slo.SLO, window, fine []slo.Bucket) {
	s = &slo.SLO{Name: "checkout", Service: "shop", Objective: 99.9,
		Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour}}
	end := time.Date(2024, 6, 12, 0, 0, 0, 0, time.UTC)
	for i := range 720 {
		st := end.Add(time.Duration(i-720) * time.Hour)
		bad := float64(i % 2)
		if i == 500 {
			bad = 200
		}
		window = append(window, slo.Bucket{Start: st, End: st.Add(time.Hour), Counts: slo.Counts{Good: 1000 - bad, Total: 1000}})
	}
	for i := range 288 {
		st := end.Add(time.Duration(i-288) * 5 * time.Minute)
		bad := 0.0
		if i >= 200 && i < 204 {
			bad = 20 // 20% errors: burn 200 over 5m and past 14.4 over 1h
		}
		fine = append(fine, slo.Bucket{Start: st, End: st.Add(5 * time.Minute), Counts: slo.Counts{Good: 100 - bad, Total: 100}})
	}
	return s, window, fine
}

func TestDetailChartsAgreeWithTheHistory(t *testing.T) {
	s, window, fine := detailFixture()
	p := slo.DefaultPolicy()
	data, err := slo.ChartSeries(s, &p, slo.ChartInput{Window: window, Fine: fine})
	if err != nil {
		t.Fatal(err)
	}
	d, err := DetailCharts("slo-checkout", data, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Budget: starts untouched, ends where Evaluate says, one incident.
	budget := parseSVG(t, string(d.Budget))
	pts := dataPoints(t, budget.all(withAttr("data-series"))[0].get(t, "data-points"))
	r, err := slo.Evaluate(s, &p, slo.Input{At: window[719].End, Window: slo.SumHistory(window)})
	if err != nil {
		t.Fatal(err)
	}
	if pts[0].Value != 1 || pts[len(pts)-1].Value != r.BudgetRemaining {
		t.Errorf("burn-down from %v to %v, want 1 to %v", pts[0].Value, pts[len(pts)-1].Value, r.BudgetRemaining)
	}
	if n := len(budget.all(withAttr("data-mark"))); n != 1 {
		t.Errorf("%d incident marks, want 1", n)
	}
	if n := len(budget.all(withAttr("data-line"))); n != 3 {
		t.Errorf("%d threshold lines, want the default policy's 3", n)
	}

	// Daily SLI: each bar against a loop over the UTC days by hand.
	daily := parseSVG(t, string(d.DailySLI))
	bars := daily.all(withAttr("data-bar"))
	if len(bars) != 30 {
		t.Fatalf("%d daily bars, want 30", len(bars))
	}
	for k, b := range bars {
		var good, total float64
		for _, h := range window[k*24 : (k+1)*24] {
			good += h.Good
			total += h.Total
		}
		if got := fl(t, b.get(t, "data-value")); got != good/total {
			t.Errorf("day %d SLI %v, want %v", k, got, good/total)
		}
		met := (total-good)*1000 <= total
		if b.get(t, "data-met") != map[bool]string{true: "true", false: "false"}[met] {
			t.Errorf("day %d met = %s, want %v", k, b.get(t, "data-met"), met)
		}
	}

	// Burn rates: the 1h series is each hour's own burn.
	burn := parseSVG(t, string(d.BurnRates))
	var oneHour []Point
	for _, sr := range burn.all(withAttr("data-series")) {
		if sr.get(t, "data-series") == "1h" {
			oneHour = dataPoints(t, sr.get(t, "data-points"))
		}
	}
	if len(oneHour) != 720 {
		t.Fatalf("%d 1h points, want 720", len(oneHour))
	}
	for i, pt := range oneHour {
		if want := window[i].Bad() / window[i].Total / 0.001; math.Abs(pt.Value-want) > 1e-12*math.Max(want, 1) {
			t.Fatalf("1h burn at hour %d = %v, want %v", i, pt.Value, want)
		}
	}
	if n := len(burn.all(withAttr("data-span"))); n != 1 {
		t.Errorf("%d page spans, want 1 (the burst)", n)
	}
	checkAccessible(t, burn, "alert factor 14.4", "1 stretch where a page would have fired")

	months := parseSVG(t, string(d.MonthlyCompliance))
	labels := []string{}
	for _, b := range months.all(withAttr("data-bar")) {
		labels = append(labels, b.get(t, "data-bar"))
	}
	if strings.Join(labels, ",") != "May 2024,Jun 2024" {
		t.Errorf("months %v, want May and June 2024", labels)
	}

	row, err := RowBurnDown("row-checkout", data)
	if err != nil {
		t.Fatal(err)
	}
	if rp := dataPoints(t, parseSVG(t, string(row)).all(withAttr("data-series"))[0].get(t, "data-points")); len(rp) != len(pts) {
		t.Errorf("row burn-down has %d points, the detail one %d", len(rp), len(pts))
	}
}
