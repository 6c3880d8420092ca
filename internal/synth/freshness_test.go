package synth

import (
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/slobudget/slobudget/slo"
)

// checkGaugeSelector requires a time-slice SLO's selector to match exactly
// the gauges of its stream, checked with the PromQL parser's own matchers
// against every gauge and counter of the data.
func checkGaugeSelector(t *testing.T, d *Data, sc *Scenario, s SLOSpec) {
	t.Helper()
	matchers, err := parser.ParseMetricSelector(s.TimeSlice.Query)
	if err != nil {
		t.Fatalf("%s: selector %q: %v", s.Name, s.TimeSlice.Query, err)
	}
	matches := func(metric string, ls []Label) bool {
		var flat []string
		for _, l := range ls {
			flat = append(flat, l.Name, l.Value)
		}
		lset := labels.FromStrings(append(flat, "__name__", metric)...)
		for _, m := range matchers {
			if !m.Matches(lset.Get(m.Name)) {
				return false
			}
		}
		return true
	}
	for _, other := range d.Scenarios {
		for _, g := range other.Gauges {
			in := other == sc && g.hasStream(s.GaugeStream)
			if got := matches(g.Metric, g.Labels); got != in {
				t.Errorf("%s: %s matches %s = %v, but stream %q membership = %v", s.Name, s.TimeSlice.Query, g.Selector(), got, s.GaugeStream, in)
			}
		}
		for _, series := range other.Series {
			if matches(series.Metric, series.Labels) {
				t.Errorf("%s: %s matches the counter %s", s.Name, s.TimeSlice.Query, series.Selector())
			}
		}
	}
}

// TestSliceCountsByHand checks the truth itself on samples small enough to
// count on paper.
func TestSliceCountsByHand(t *testing.T) {
	base := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }
	a := newGauge("lag", []Label{{"p", "a"}}, []string{"x"})
	b := newGauge("lag", []Label{{"p", "b"}}, []string{"x"})
	for _, p := range []gaugePoint{{s(10), 100}, {s(50), 950}, {s(70), 950}, {s(110), 100}, {s(240), 900}, {s(300), 10}} {
		a.add(p.t, p.v)
	}
	for _, p := range []gaugePoint{{s(30), 100}, {s(250), 5}, {s(290), 2000}} {
		b.add(p.t, p.v)
	}
	d := &Data{}
	sc := &Scenario{Name: "hand", Gauges: []*Gauge{a, b}}
	spec := SLOSpec{Name: "hand", GaugeStream: "x", TimeSlice: &slo.TimeSliceSLI{Op: "<", Threshold: 900, Slice: time.Minute}}
	// Slices: (0,60] a's last 950 fails; (60,120] a's last 100 holds;
	// (120,180] and (180,240]... a's 900 at 240 fails; (240,300] a's 10 at
	// the end holds but b's last, 2000, fails.
	for _, c := range []struct {
		from, to int
		want     slo.Counts
	}{
		{0, 300, slo.Counts{Good: 1, Total: 4}},
		{0, 120, slo.Counts{Good: 1, Total: 2}},
		{60, 240, slo.Counts{Good: 1, Total: 2}},
		{120, 180, slo.Counts{}},
		{-30, 59, slo.Counts{}}, // the slice ending at 60 is not complete at 59
		{239, 300, slo.Counts{Good: 0, Total: 2}},
	} {
		if got := d.SliceCounts(sc, spec, s(c.from), s(c.to)); got != c.want {
			t.Errorf("slices ending in (%ds, %ds]: %+v, want %+v", c.from, c.to, got, c.want)
		}
	}
	spec.TimeSlice.Op = "<="
	if got, want := d.SliceCounts(sc, spec, s(180), s(240)), (slo.Counts{Good: 1, Total: 1}); got != want {
		t.Errorf("900 <= 900 must hold: %+v, want %+v", got, want)
	}
}

// TestFreshnessScenario pins what the freshness scenario is for, so a change
// to the lag model cannot quietly make it test nothing.
func TestFreshnessScenario(t *testing.T) {
	d := testData(t)
	sc := d.Scenario("freshness")
	var orders, pipelines SLOSpec
	for _, s := range sc.SLOs {
		switch s.Name {
		case "freshness-orders":
			orders = s
		case "freshness-pipelines":
			pipelines = s
		}
	}
	if orders.TimeSlice == nil || pipelines.TimeSlice == nil {
		t.Fatal("freshness must have the SLOs freshness-orders and freshness-pipelines")
	}
	day0 := func(daysAgo int) time.Time { return d.Now.Add(-time.Duration(daysAgo) * day).Truncate(day) }
	bad := func(s SLOSpec, from time.Time, span time.Duration) float64 {
		return d.SliceCounts(sc, s, from, from.Add(span)).Bad()
	}
	// Equal stalls at peak and at night cost the same slices: time is
	// weighed, not traffic.
	peak, night := day0(6).Add(11*time.Hour+50*time.Minute), day0(4).Add(23*time.Hour+50*time.Minute)
	if p, n := bad(orders, peak, time.Hour), bad(orders, night, time.Hour); p != n || p < 20 || p > 40 {
		t.Errorf("bad minutes of the peak stall %g and the night stall %g: want equal, between 20 and 40", p, n)
	}
	// The orders exporter's gaps: no orders slice has data; the pipelines
	// SLO still has billing's samples there.
	for _, g := range []struct {
		from time.Time
		n    int
	}{{day0(8).Add(3*time.Hour + 10*time.Minute), 20}, {d.Now.Add(-100 * time.Minute).Truncate(time.Minute), 6}} {
		if c := d.SliceCounts(sc, orders, g.from, g.from.Add(time.Duration(g.n)*time.Minute)); c.Total != 0 {
			t.Errorf("orders slices in the gap from %s: %+v, want none", g.from, c)
		}
		if c := d.SliceCounts(sc, orders, g.from.Add(-time.Hour), g.from.Add(time.Hour)); c.Total != float64(120-g.n) {
			t.Errorf("orders slices around the gap from %s: %g, want %d", g.from, c.Total, 120-g.n)
		}
		if c := d.SliceCounts(sc, pipelines, g.from, g.from.Add(20*time.Minute)); c.Total != 4 {
			t.Errorf("pipelines slices in the orders gap from %s: %+v, want 4 (billing has data)", g.from, c)
		}
	}
	// The sample of exactly 900 is the last of its minute: bad under <.
	exact := day0(10).Add(9*time.Hour + 50*time.Second)
	if v, ok := sc.Gauges[0].lastIn(exact.Add(-50*time.Second), exact.Add(10*time.Second)); !ok || v != freshnessThreshold {
		t.Fatalf("the minute of %s ends with %v (%v), want exactly %d", exact, v, ok, freshnessThreshold)
	}
	if c := d.SliceCounts(sc, orders, exact.Add(-50*time.Second), exact.Add(10*time.Second)); c != (slo.Counts{Good: 0, Total: 1}) {
		t.Errorf("the minute ending with 900: %+v, want one bad slice", c)
	}
	// Stalls must cross the threshold, and normal running must stay under.
	over := 0
	for _, g := range sc.Gauges {
		g.Samples(func(at time.Time, v float64) {
			if v >= freshnessThreshold {
				over++
			}
		})
	}
	if over < 200 {
		t.Errorf("only %d samples at or over %d: the stalls do not show", over, freshnessThreshold)
	}
	res, err := d.Expected(d.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch r.Name {
		case "freshness-orders":
			// The recent stall: 1h burn far over 14.4, but it ended 35 min
			// ago, so the 5m window is clean and there is no page.
			if r.PolicyState != "healthy" || r.Alerts.Page || r.Alerts.Ticket || r.BurnRates["1h"] < 20 || r.BurnRates["5m"] != 0 {
				t.Errorf("freshness-orders: want healthy, 1h burn over 20, 5m burn 0, no alerts: %s %+v %v", r.PolicyState, r.Alerts, r.BurnRates)
			}
		case "freshness-pipelines":
			if r.PolicyState != "caution" || r.Alerts.Page || !r.Alerts.Ticket {
				t.Errorf("freshness-pipelines: want caution with a ticket: %s %+v %v", r.PolicyState, r.Alerts, r.BurnRates)
			}
		}
	}
}

func TestGaugesAreDeterministic(t *testing.T) {
	d := testData(t)
	again, err := Generate(Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range d.AllGauges() {
		h := again.AllGauges()[i]
		if len(g.points) != len(h.points) || g.points[len(g.points)/2] != h.points[len(h.points)/2] {
			t.Errorf("%s differs between two runs with the same seed", g.Selector())
		}
	}
}
