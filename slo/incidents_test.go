package slo_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// The truth for incidents: mark every minute covered by a 5-minute window
// whose error ratio exceeds threshold × budget, find runs of marked minutes,
// join runs with fewer than 30 unmarked minutes between them, and add up the
// events of each joined run with a loop. It works on minutes, not buckets,
// and shares no code with DetectIncidents.

var incStart = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// minuteSeries describes a series minute by minute: total and bad per minute.
type minuteSeries struct {
	total, bad []float64
}

// buckets groups the minutes into buckets of size minutes each.
func (m minuteSeries) buckets(size int) []slo.Bucket {
	var out []slo.Bucket
	for i := 0; i < len(m.total); i += size {
		var c slo.Counts
		for k := i; k < i+size; k++ {
			c.Total += m.total[k]
			c.Good += m.total[k] - m.bad[k]
		}
		s := incStart.Add(time.Duration(i) * time.Minute)
		out = append(out, slo.Bucket{Start: s, End: s.Add(time.Duration(size) * time.Minute), Counts: c})
	}
	return out
}

type truthIncident struct {
	startMin, endMin int // minutes (start, end] since incStart
	bad, total       float64
	peak             float64
}

// truthIncidents evaluates the 5m window at the end of every bucket of size
// minutes, exactly where the daemon would.
func truthIncidents(m minuteSeries, size int, threshold, budget float64) []truthIncident {
	n := len(m.total)
	hot := make([]bool, n) // minute k covers (k, k+1]
	burnAt := make([]float64, n)
	for end := size; end <= n; end += size {
		var bad, total float64
		for k := max(end-5, 0); k < end; k++ {
			bad += m.bad[k]
			total += m.total[k]
		}
		if total == 0 {
			continue
		}
		burn := bad / total / budget
		if burn > threshold {
			for k := max(end-5, 0); k < end; k++ {
				hot[k] = true
				burnAt[k] = math.Max(burnAt[k], burn)
			}
		}
	}
	var runs []truthIncident
	for k := 0; k < n; k++ {
		if !hot[k] {
			continue
		}
		j := k
		for j < n && hot[j] {
			j++
		}
		if len(runs) > 0 && k-runs[len(runs)-1].endMin < 30 {
			runs[len(runs)-1].endMin = j
		} else {
			runs = append(runs, truthIncident{startMin: k, endMin: j})
		}
		k = j
	}
	for i := range runs {
		for k := runs[i].startMin; k < runs[i].endMin; k++ {
			runs[i].bad += m.bad[k]
			runs[i].total += m.total[k]
			runs[i].peak = math.Max(runs[i].peak, burnAt[k])
		}
	}
	return runs
}

// newSeries is a day of 100 requests a minute with no errors.
func newSeries(minutes int) minuteSeries {
	m := minuteSeries{total: make([]float64, minutes), bad: make([]float64, minutes)}
	for k := range m.total {
		m.total[k] = 100
	}
	return m
}

// setBad sets every minute in [from, to) to bad errors of its 100.
func (m minuteSeries) setBad(from, to int, bad float64) {
	for k := from; k < to; k++ {
		m.bad[k] = bad
	}
}

func compareIncidents(t *testing.T, got []slo.Incident, want []truthIncident, windowTotal, budget float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d incidents, truth has %d: got %+v want %+v", len(got), len(want), got, want)
	}
	for i, w := range want {
		g := got[i]
		ws, we := incStart.Add(time.Duration(w.startMin)*time.Minute), incStart.Add(time.Duration(w.endMin)*time.Minute)
		if !g.Start.Equal(ws) || !g.End.Equal(we) {
			t.Errorf("incident %d runs (%s, %s], truth (%s, %s]", i, g.Start, g.End, ws, we)
		}
		if g.Events.Bad() != w.bad || g.Events.Total != w.total {
			t.Errorf("incident %d: %v bad of %v, truth %v of %v", i, g.Events.Bad(), g.Events.Total, w.bad, w.total)
		}
		if share := w.bad / (budget * windowTotal); math.Abs(g.BudgetConsumed-share) > 1e-12 {
			t.Errorf("incident %d consumed %v of the budget, truth %v", i, g.BudgetConsumed, share)
		}
		if math.Abs(g.PeakBurn-w.peak) > 1e-9*w.peak {
			t.Errorf("incident %d peak burn %v, truth %v", i, g.PeakBurn, w.peak)
		}
	}
}

func TestIncidentsAgainstBruteForce(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour) // threshold 14.4: more than 1.44% errors over 5m
	threshold := 14.4
	if got := slo.DefaultIncidentThreshold(s.Window.Duration); math.Abs(got-threshold) > 1e-12 {
		t.Fatalf("default threshold = %v, want 14.4 (2%% of a 30d budget in 1h)", got)
	}
	const minutes = 24 * 60
	m := newSeries(minutes)
	// A: 60..90 at 5% errors, then 100..130 at 3%: 10 quiet minutes apart,
	// merged into one incident.
	m.setBad(60, 90, 5)
	m.setBad(100, 130, 3)
	// B: 300..330, 40 minutes later 370..380: not merged (gap ≥ 30m).
	m.setBad(300, 330, 2)
	m.setBad(370, 380, 2)
	// C: a long one at 10% errors, over 20% of the window's budget.
	m.setBad(600, 720, 10)
	// D: a spell with zero-traffic minutes inside it (a 15-minute hole).
	m.setBad(900, 930, 4)
	for k := 930; k < 945; k++ {
		m.total[k] = 0
	}
	m.setBad(945, 960, 4)
	// E: below the threshold (1%): no incident.
	m.setBad(1000, 1100, 1)
	windowTotal := 0.0
	for _, v := range m.total {
		windowTotal += v
	}
	for _, size := range []int{5, 1} {
		t.Run(time.Duration(size*int(time.Minute)).String()+" buckets", func(t *testing.T) {
			got, err := slo.DetectIncidents(s, m.buckets(size), slo.IncidentOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := truthIncidents(m, size, threshold, 0.001)
			if len(want) != 5 {
				t.Fatalf("truth finds %d incidents, the test expects 5 (A, B1, B2, C, D): premise broken: %+v", len(want), want)
			}
			compareIncidents(t, got, want, windowTotal, 0.001)
		})
	}
	// Hand-checked against the premise for 5m buckets: incident C holds
	// 120 minutes × 10 bad = 1,200 bad events against a budget of
	// 0.001 × 142,500 = 142.5: 842% of the window's budget, a postmortem.
	got, _ := slo.DetectIncidents(s, m.buckets(5), slo.IncidentOptions{})
	var c *slo.Incident
	for i := range got {
		if got[i].Start.Equal(incStart.Add(600 * time.Minute)) {
			c = &got[i]
		}
	}
	if c == nil || c.Events.Bad() != 1200 || !c.Postmortem || c.Duration() != 2*time.Hour {
		t.Fatalf("incident C = %+v, want 1,200 bad over 2h with a postmortem", c)
	}
	for _, inc := range got {
		if inc.Active {
			t.Errorf("incident %+v is active, but the series ends quietly", inc)
		}
	}
}

// Merged spells and the postmortem line: one incident just above 20% of the
// window's budget, one just below.
func TestIncidentsPostmortemShare(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	m := newSeries(600)
	m.setBad(100, 110, 10) // 100 bad
	m.setBad(300, 310, 9)  // 90 bad
	// Against a window of 400,000 events the budget is 400 bad events:
	// 100 bad is 25% of it and 90 is 22.5%.
	opts := slo.IncidentOptions{WindowTotal: func(time.Time) float64 { return 400000 }, PostmortemShare: 0.24}
	got, err := slo.DetectIncidents(s, m.buckets(5), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d incidents, want 2: %+v", len(got), got)
	}
	if got[0].BudgetConsumed != 0.25 || !got[0].Postmortem {
		t.Errorf("first: consumed %v postmortem %v, want 0.25 and true", got[0].BudgetConsumed, got[0].Postmortem)
	}
	if math.Abs(got[1].BudgetConsumed-0.225) > 1e-15 || got[1].Postmortem {
		t.Errorf("second: consumed %v postmortem %v, want 0.225 and false (share 0.24)", got[1].BudgetConsumed, got[1].Postmortem)
	}
	// Default share 0.20: both need a postmortem.
	opts.PostmortemShare = 0
	got, _ = slo.DetectIncidents(s, m.buckets(5), opts)
	if !got[0].Postmortem || !got[1].Postmortem {
		t.Errorf("with the default 20%%, both need a postmortem: %+v", got)
	}
}

// A spell at the very start and one running into the last bucket.
func TestIncidentsAtSeriesEdges(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	m := newSeries(300)
	m.setBad(0, 20, 5)
	m.setBad(270, 300, 5)
	for _, size := range []int{5, 1} {
		got, err := slo.DetectIncidents(s, m.buckets(size), slo.IncidentOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := truthIncidents(m, size, 14.4, 0.001)
		compareIncidents(t, got, want, 30000, 0.001)
		if len(got) != 2 || got[0].Active || !got[1].Active {
			t.Errorf("%dm buckets: want the first incident over and the last active: %+v", size, got)
		}
		if !got[0].Start.Equal(incStart) {
			t.Errorf("%dm buckets: first incident starts %s, want the series' start", size, got[0].Start)
		}
	}
}

// Zero-traffic buckets break a spell (no burn rate) but not the incident.
func TestIncidentsZeroTrafficInside(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	m := newSeries(200)
	m.setBad(50, 70, 5)
	for k := 70; k < 80; k++ {
		m.total[k], m.bad[k] = 0, 0
	}
	m.setBad(80, 100, 5)
	got, err := slo.DetectIncidents(s, m.buckets(5), slo.IncidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Start.Equal(incStart.Add(50*time.Minute)) || !got[0].End.Equal(incStart.Add(100*time.Minute)) {
		t.Fatalf("want one incident (50m, 100m]: %+v", got)
	}
	if got[0].Events.Total != 4000 || got[0].Events.Bad() != 200 {
		t.Errorf("events %+v, want 200 bad of 4,000 (40 busy minutes; the idle 10 add nothing)", got[0].Events)
	}
	// A 40-minute hole splits it in two.
	for k := 70; k < 110; k++ {
		m.total[k], m.bad[k] = 0, 0
	}
	m.setBad(110, 130, 5)
	got, _ = slo.DetectIncidents(s, m.buckets(5), slo.IncidentOptions{})
	if len(got) != 2 {
		t.Errorf("a 40m hole: %d incidents, want 2", len(got))
	}
}

func TestIncidentsBadInput(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	hourlyBuckets := hourly(fcAt, 3, func(int) (float64, float64) { return 10, 5 })
	if _, err := slo.DetectIncidents(s, hourlyBuckets, slo.IncidentOptions{}); err == nil {
		t.Error("hourly buckets: no error")
	}
	m := newSeries(30)
	if _, err := slo.DetectIncidents(s, m.buckets(5), slo.IncidentOptions{Threshold: -1}); err == nil {
		t.Error("negative threshold: no error")
	}
	// 3-minute buckets do not divide 5 minutes.
	if _, err := slo.DetectIncidents(s, m.buckets(3), slo.IncidentOptions{}); err == nil {
		t.Error("3m buckets: no error")
	}
	if got, err := slo.DetectIncidents(s, nil, slo.IncidentOptions{}); err != nil || got != nil {
		t.Errorf("no buckets: %v, %v; want none and no error", got, err)
	}
}

// TestDetectIncidentsScratchReuse: one scratch serving detections over
// windows of every size in turn finds, to the bit, what fresh buffers find,
// and incidents found before keep their figures.
func TestDetectIncidentsScratchReuse(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	var sc slo.IncidentScratch
	var kept [][]slo.Incident
	var want []string
	for round := range 2 {
		for _, days := range []int{30, 2, 0, 31, 1} {
			fine := fiveMinuteBuckets(days)
			fresh, err := slo.DetectIncidents(s, fine, slo.IncidentOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := slo.DetectIncidentsWith(s, fine, slo.IncidentOptions{}, &sc)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", fresh); g != w {
				t.Errorf("round %d, %d days: with a used scratch\n%s\nwant\n%s", round, days, g, w)
			}
			if days > 0 && len(fresh) == 0 {
				t.Fatalf("%d days: no incidents, the test shows nothing", days)
			}
			if round == 0 {
				kept, want = append(kept, got), append(want, fmt.Sprintf("%+v", fresh))
			}
		}
	}
	for i, incs := range kept {
		if g := fmt.Sprintf("%+v", incs); g != want[i] {
			t.Errorf("detection %d changed after the scratch served others", i)
		}
	}
}
