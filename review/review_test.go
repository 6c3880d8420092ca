package review

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// The review's truth is computed here from 5-minute buckets with plain loops
// and integer comparisons: months by the local month of each bucket, policy
// states by summing the window afresh at every hour with hand-written
// thresholds, alerts by the SRE Workbook's conditions as rationals, incidents
// by runs of hot buckets. None of it calls package slo or this package.

// tb is one 5-minute bucket of the generated data: events in (end − 5m, end].
type tb struct {
	end        time.Time
	total, bad int64
}

// objective is an objective in percent with its budget as a fraction.
type objective struct {
	pct      float64
	num, den int64
}

var (
	o999  = objective{99.9, 1, 1000}
	o995  = objective{99.5, 5, 1000}
	o9995 = objective{99.95, 5, 10000}
	// the standard ladder, as fractions, loosest first
	ladder = []objective{{90, 1, 10}, {95, 5, 100}, {99, 1, 100}, {99.5, 5, 1000}, {99.9, 1, 1000}, {99.95, 5, 10000}, {99.99, 1, 10000}}
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// scenario is 130 days of 5-minute data for three SLOs ending at local
// midnight of 1 June 2024 in New York, reviewed over the last 100 days.
type scenario struct {
	loc      *time.Location
	from, to time.Time
	data     map[string][]tb
}

func newScenario(t *testing.T) *scenario {
	nyc := mustLoc(t, "America/New_York")
	to := time.Date(2024, 6, 1, 0, 0, 0, 0, nyc) // 04:00 UTC
	from := to.Add(-100 * 24 * time.Hour)
	start := from.Add(-30 * 24 * time.Hour)
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	in := func(end, a, b time.Time) bool { return end.After(a) && !end.After(b) }
	gens := map[string]func(end time.Time) int64{
		// Always met: 1 bad an hour (about 0.007%), and two incidents: A (two
		// spells at 5% errors 15 minutes apart: merged) and B (55 minutes at
		// 30%: more than 20% of the window's budget).
		"steady": func(end time.Time) int64 {
			bad := int64(0)
			if end.Minute() == 5 {
				bad = 1
			}
			if in(end, utc(2024, 3, 10, 12, 0), utc(2024, 3, 10, 13, 0)) || in(end, utc(2024, 3, 10, 13, 15), utc(2024, 3, 10, 13, 45)) {
				bad = 50
			}
			if in(end, utc(2024, 4, 15, 8, 0), utc(2024, 4, 15, 8, 55)) {
				bad = 300
			}
			return bad
		},
		// Always missed: 2 bad in every 5 minutes (about 0.16%), well over
		// the 99.9% budget.
		"hard": func(time.Time) int64 { return 2 },
		// Borderline: a 5-minute burst of 250 bad every day at 07:00 UTC
		// (a page each day: 7 a week), 6 bad an hour more in local May
		// (missed), and a burst at 01:00 UTC on 1 May, which is still
		// 30 April in New York.
		"edge": func(end time.Time) int64 {
			bad := int64(0)
			if end.Hour() == 7 && end.Minute() == 5 {
				bad = 250
			}
			if end.Add(-time.Nanosecond).In(nyc).Month() == time.May && end.Minute()%10 == 5 {
				bad++
			}
			if in(end, utc(2024, 5, 1, 1, 0), utc(2024, 5, 1, 1, 30)) {
				bad += 100
			}
			return bad
		},
	}
	sc := &scenario{loc: nyc, from: from, to: to, data: map[string][]tb{}}
	for name, gen := range gens {
		var out []tb
		for end := start.Add(5 * time.Minute); !end.After(to); end = end.Add(5 * time.Minute) {
			// Traffic varies by hour of day, so that a window or month
			// cut one hour off gives a different total.
			total := int64(1000 + 20*end.Add(-time.Nanosecond).Hour())
			out = append(out, tb{end: end, total: total, bad: gen(end)})
		}
		sc.data[name] = out
	}
	return sc
}

func toBuckets(data []tb, group int, from time.Time) []slo.Bucket {
	var out []slo.Bucket
	for i := 0; i+group <= len(data); i += group {
		var c slo.Counts
		for _, d := range data[i : i+group] {
			c.Total += float64(d.total)
			c.Good += float64(d.total - d.bad)
		}
		b := slo.Bucket{Start: data[i].end.Add(-5 * time.Minute), End: data[i+group-1].end, Counts: c}
		if b.End.After(from) {
			out = append(out, b)
		}
	}
	return out
}

func (sc *scenario) input(names ...string) Input {
	in := Input{From: sc.from, To: sc.to, Location: sc.loc}
	for _, n := range names {
		d := sc.data[n]
		in.SLOs = append(in.SLOs, SLOInput{
			SLO:    slo.SLO{Name: n, Service: "shop", Objective: 99.9, Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour}},
			Policy: slo.DefaultPolicy(), Hourly: toBuckets(d, 12, time.Time{}), Fine: toBuckets(d, 1, sc.from.Add(-3*24*time.Hour)),
		})
	}
	return in
}

// truth is the brute-force review of one SLO.
type truth struct {
	good, total int64
	remaining   []float64 // the window's remaining budget at every hour
	months      []truthMonth
	states      map[string]float64
	frozenDays  int
	pages       int
	tickets     int
	weekLoad    map[string][2]int // local Monday → pages, tickets
	incidents   []truthIncident
}

type truthMonth struct {
	label       string
	good, total int64
	full        bool
}

type truthIncident struct {
	start, end time.Time
	bad, total int64
	share      float64
}

// factor is fraction × window / long as a rational tn/td.
type factor struct{ tn, td int64 }

func workbookFactors(window time.Duration) (f1h, f6h, f1d, f3d factor) {
	wh := int64(window / time.Hour)
	return factor{2 * wh, 100 * 1}, factor{5 * wh, 100 * 6}, factor{10 * wh, 100 * 24}, factor{10 * wh, 100 * 72}
}

func bruteForce(data []tb, from, to time.Time, loc *time.Location, o objective, window time.Duration) truth {
	return bruteForceWindow(data, from, to, loc, o, window, nil)
}

// bruteForceWindow with calendar set replays a calendar-month window in that
// time zone: the window at h runs from the local month start before h.
func bruteForceWindow(data []tb, from, to time.Time, loc *time.Location, o objective, window time.Duration, calendar *time.Location) truth {
	windowStart := func(h time.Time) time.Time {
		if calendar == nil {
			return h.Add(-window)
		}
		l := h.Add(-time.Nanosecond).In(calendar)
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, calendar)
	}
	tr := truth{states: map[string]float64{}, weekLoad: map[string][2]int{}}
	idx := func(t time.Time) int { return int(t.Sub(data[0].end)/(5*time.Minute)) + 1 } // buckets with end ≤ t
	pg, pb := make([]int64, len(data)+1), make([]int64, len(data)+1)
	for i, d := range data {
		pg[i+1] = pg[i] + d.total - d.bad
		pb[i+1] = pb[i] + d.bad
	}
	sum := func(a, b time.Time) (good, bad int64) { // buckets with end in (a, b]
		i, j := max(idx(a), 0), idx(b)
		return pg[j] - pg[i], pb[j] - pb[i]
	}

	// Period and months.
	monthIdx := map[string]int{}
	for _, d := range data {
		if !d.end.After(from) || d.end.After(to) {
			continue
		}
		tr.good += d.total - d.bad
		tr.total += d.total
		label := d.end.Add(-time.Nanosecond).In(loc).Format("2006-01")
		i, ok := monthIdx[label]
		if !ok {
			i = len(tr.months)
			monthIdx[label] = i
			local := d.end.Add(-time.Nanosecond).In(loc)
			first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
			next := time.Date(local.Year(), local.Month()+1, 1, 0, 0, 0, 0, loc)
			tr.months = append(tr.months, truthMonth{label: label, full: !first.Before(from) && !next.After(to)})
		}
		tr.months[i].good += d.total - d.bad
		tr.months[i].total += d.total
	}

	// Policy states at every hour, integer thresholds of the default policy.
	days := map[string]bool{}
	for h := from.Add(time.Hour); !h.After(to); h = h.Add(time.Hour) {
		g, b := sum(windowStart(h), h)
		total := g + b
		allowed := total * o.num
		left := allowed - b*o.den // remaining × allowed
		if total > 0 {
			tr.remaining = append(tr.remaining, float64(left)/float64(allowed))
		} else {
			tr.remaining = append(tr.remaining, 1)
		}
		var st string
		switch {
		case total == 0 || 2*left >= allowed:
			st = "healthy"
		case 4*left >= allowed:
			st = "caution"
		case left >= 0:
			st = "at-risk"
		default:
			st = "frozen"
			days[h.Add(-time.Nanosecond).In(loc).Format("2006-01-02")] = true
		}
		tr.states[st] += 3600
	}
	tr.frozenDays = len(days)

	// Alerts at every 5 minutes.
	f1h, f6h, f1d, f3d := workbookFactors(window)
	above := func(at time.Time, w time.Duration, f factor) bool {
		g, b := sum(at.Add(-w), at)
		return g+b > 0 && b*o.den*f.td > f.tn*(g+b)*o.num
	}
	page := func(at time.Time) bool {
		return (above(at, time.Hour, f1h) && above(at, 5*time.Minute, f1h)) || (above(at, 6*time.Hour, f6h) && above(at, 30*time.Minute, f6h))
	}
	ticket := func(at time.Time) bool {
		return (above(at, 24*time.Hour, f1d) && above(at, 2*time.Hour, f1d)) || (above(at, 72*time.Hour, f3d) && above(at, 6*time.Hour, f3d))
	}
	monday := func(t time.Time) string {
		l := t.Add(-time.Nanosecond).In(loc)
		back := (int(l.Weekday()) + 6) % 7
		return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc).Format("2006-01-02")
	}
	prevP, prevT := page(from), ticket(from)
	for at := from.Add(5 * time.Minute); !at.After(to); at = at.Add(5 * time.Minute) {
		p, tk := page(at), ticket(at)
		w := tr.weekLoad[monday(at)]
		if p && !prevP {
			tr.pages++
			w[0]++
		}
		if tk && !prevT {
			tr.tickets++
			w[1]++
		}
		tr.weekLoad[monday(at)] = w
		prevP, prevT = p, tk
	}

	// Incidents: hot 5m buckets (burn above the 1h page factor), runs
	// joined when fewer than 6 quiet buckets lie between.
	var runs [][2]int // bucket index ranges [i, j)
	for i, d := range data {
		if !d.end.After(from) || d.end.After(to) {
			continue
		}
		hot := d.total > 0 && d.bad*o.den*f1h.td > f1h.tn*d.total*o.num
		if !hot {
			continue
		}
		if n := len(runs); n > 0 && i-runs[n-1][1] < 6 {
			runs[n-1][1] = i + 1
		} else {
			runs = append(runs, [2]int{i, i + 1})
		}
	}
	for _, r := range runs {
		inc := truthIncident{start: data[r[0]].end.Add(-5 * time.Minute), end: data[r[1]-1].end}
		for _, d := range data[r[0]:r[1]] {
			inc.bad += d.bad
			inc.total += d.total
		}
		h := inc.end.Truncate(time.Hour)
		if h.Before(inc.end) {
			h = h.Add(time.Hour)
		}
		if h.After(to) {
			h = to
		}
		ws := h.Add(-window)
		if calendar != nil {
			ws = windowStart(inc.end)
		}
		g, b := sum(ws, h)
		inc.share = float64(inc.bad*o.den) / float64((g+b)*o.num)
		tr.incidents = append(tr.incidents, inc)
	}
	return tr
}

func meetsTruth(good, total int64, o objective) bool { return (total-good)*o.den <= total*o.num }

func compareFigures(t *testing.T, name string, f Figures, tr truth, o objective) {
	t.Helper()
	if f.Events.Good != float64(tr.good) || f.Events.Total != float64(tr.total) {
		t.Errorf("%s: period events %+v, truth %d good of %d", name, f.Events, tr.good, tr.total)
	}
	if f.Met == nil || *f.Met != meetsTruth(tr.good, tr.total, o) {
		t.Errorf("%s: period met %v, truth %v", name, f.Met, meetsTruth(tr.good, tr.total, o))
	}
	if len(f.Months) != len(tr.months) {
		t.Fatalf("%s: %d months, truth %d", name, len(f.Months), len(tr.months))
	}
	for i, m := range tr.months {
		g := f.Months[i]
		if g.Label != m.label || g.Full != m.full || g.Events.Good != float64(m.good) || g.Events.Total != float64(m.total) {
			t.Errorf("%s: month %d = %s full %v %+v, truth %s full %v %d of %d", name, i, g.Label, g.Full, g.Events, m.label, m.full, m.good, m.total)
		}
		if g.Met == nil || *g.Met != meetsTruth(m.good, m.total, o) {
			t.Errorf("%s: month %s met %v, truth %v", name, m.label, g.Met, meetsTruth(m.good, m.total, o))
		}
		spent := float64((m.total-m.good)*o.den) / float64(m.total*o.num)
		if math.Abs(*g.BudgetSpent-spent) > 1e-12 {
			t.Errorf("%s: month %s spent %v, truth %v", name, m.label, *g.BudgetSpent, spent)
		}
	}
	if len(f.remaining) != len(tr.remaining) {
		t.Fatalf("%s: %d replayed hours, truth %d", name, len(f.remaining), len(tr.remaining))
	}
	for i, r := range tr.remaining {
		if f.remaining[i].Value != r {
			t.Fatalf("%s: remaining budget at hour %d (%s) = %v, truth %v", name, i, f.remaining[i].At, f.remaining[i].Value, r)
		}
	}
	for _, st := range f.States {
		if st.Seconds != tr.states[st.State] {
			t.Errorf("%s: %v s %s, truth %v", name, st.Seconds, st.State, tr.states[st.State])
		}
	}
	if f.FrozenDays != tr.frozenDays {
		t.Errorf("%s: %d frozen days, truth %d", name, f.FrozenDays, tr.frozenDays)
	}
	if f.OnCall == nil {
		t.Fatalf("%s: no on-call figures", name)
	}
	if f.OnCall.Pages != tr.pages || f.OnCall.Tickets != tr.tickets {
		t.Errorf("%s: %d pages %d tickets, truth %d and %d", name, f.OnCall.Pages, f.OnCall.Tickets, tr.pages, tr.tickets)
	}
	weeks := 100.0 / 7
	if math.Abs(f.OnCall.PagesPerWeek-float64(tr.pages)/weeks) > 1e-12 {
		t.Errorf("%s: %v pages a week, truth %v", name, f.OnCall.PagesPerWeek, float64(tr.pages)/weeks)
	}
	if want := float64(tr.pages+tr.tickets)/weeks > 5; f.OnCall.NeedsIntervention != want {
		t.Errorf("%s: intervention %v, truth %v", name, f.OnCall.NeedsIntervention, want)
	}
	for _, w := range f.OnCall.PerWeek {
		key := w.Start.In(time.UTC).In(w.Start.Location()).Format("2006-01-02")
		if got, want := [2]int{w.Pages, w.Tickets}, tr.weekLoad[key]; got != want {
			t.Errorf("%s: week of %s: %v, truth %v", name, key, got, want)
		}
	}
	if len(f.Incidents) != len(tr.incidents) {
		t.Fatalf("%s: %d incidents, truth %d: %+v", name, len(f.Incidents), len(tr.incidents), f.Incidents)
	}
	postmortems := 0
	for i, w := range tr.incidents {
		g := f.Incidents[i]
		if !g.Start.Equal(w.start) || !g.End.Equal(w.end) || g.Events.Bad() != float64(w.bad) || g.Events.Total != float64(w.total) {
			t.Errorf("%s: incident %d (%s, %s] %+v, truth (%s, %s] %d bad of %d", name, i, g.Start, g.End, g.Events, w.start, w.end, w.bad, w.total)
		}
		if math.Abs(g.BudgetConsumed-w.share) > 1e-12 {
			t.Errorf("%s: incident %d consumed %v, truth %v", name, i, g.BudgetConsumed, w.share)
		}
		if g.Postmortem != (w.share > 0.2) {
			t.Errorf("%s: incident %d postmortem %v at share %v", name, i, g.Postmortem, w.share)
		}
		if w.share > 0.2 {
			postmortems++
		}
	}
	if f.Postmortems != postmortems {
		t.Errorf("%s: %d postmortems, truth %d", name, f.Postmortems, postmortems)
	}
	// The suggestion and verdict, from the truth's full months.
	var full []truthMonth
	for _, m := range tr.months {
		if m.full && m.total > 0 {
			full = append(full, m)
		}
	}
	highest := -1
	for i, l := range ladder {
		all := true
		for _, m := range full {
			all = all && meetsTruth(m.good, m.total, l)
		}
		if all {
			highest = i
		}
	}
	switch {
	case highest > 0:
		if f.Suggested.Objective == nil || *f.Suggested.Objective != ladder[highest-1].pct {
			t.Errorf("%s: suggested %v, truth %v (highest met %v)", name, f.Suggested.Objective, ladder[highest-1].pct, ladder[highest].pct)
		}
	case highest == 0:
		if f.Suggested.Objective == nil || *f.Suggested.Objective != 90 {
			t.Errorf("%s: suggested %v, truth 90", name, f.Suggested.Objective)
		}
	default:
		if f.Suggested.Objective != nil {
			t.Errorf("%s: suggested %v, truth none", name, *f.Suggested.Objective)
		}
	}
	missed, byHalf := 0, 0
	for _, m := range full {
		bad := m.total - m.good
		if !meetsTruth(m.good, m.total, o) {
			missed++
		}
		if 2*bad*o.den < m.total*o.num {
			byHalf++
		}
	}
	want := Keep
	switch {
	case len(full) == 0:
		want = NoVerdict
	case byHalf == len(full):
		want = Tighten
	case 2*missed > len(full):
		want = Loosen
	}
	if f.Verdict.Kind != want {
		t.Errorf("%s: verdict %s, truth %s (%s)", name, f.Verdict.Kind, want, f.Verdict.Sentence)
	}
}

func TestReviewAgainstBruteForce(t *testing.T) {
	sc := newScenario(t)
	rv, err := Compute(sc.input("steady", "hard", "edge"))
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"steady", "hard", "edge"} {
		tr := bruteForce(sc.data[name], sc.from, sc.to, sc.loc, o999, 30*24*time.Hour)
		compareFigures(t, name, rv.SLOs[i].Actual, tr, o999)
	}

	// What the scenario was built to show, checked by hand as well.
	steady, hard, edge := rv.SLOs[0].Actual, rv.SLOs[1].Actual, rv.SLOs[2].Actual
	if steady.Verdict.Kind != Tighten || hard.Verdict.Kind != Loosen || edge.Verdict.Kind != Keep {
		t.Errorf("verdicts %s/%s/%s, want tighten/loosen/keep", steady.Verdict.Kind, hard.Verdict.Kind, edge.Verdict.Kind)
	}
	if len(steady.Incidents) != 2 || steady.Incidents[0].Duration() != 105*time.Minute || steady.Postmortems != 1 {
		t.Errorf("steady: incidents %+v, want A (merged, 1h 45m) and B (postmortem)", steady.Incidents)
	}
	if !edge.OnCall.NeedsIntervention || edge.OnCall.Pages < 100 {
		t.Errorf("edge: %d pages, intervention %v; want a page a day and intervention", edge.OnCall.Pages, edge.OnCall.NeedsIntervention)
	}
	if hard.FrozenDays < 99 || hard.Suggested.Objective == nil || *hard.Suggested.Objective != 99 {
		t.Errorf("hard: %d frozen days, suggested %v; want frozen throughout and 99%%", hard.FrozenDays, hard.Suggested.Objective)
	}
	// 3 full months in New York: March, April, May; February is partial.
	var labels []string
	for _, m := range edge.Months {
		labels = append(labels, fmt.Sprintf("%s/%v", m.Label, m.Full))
	}
	if fmt.Sprint(labels) != "[2024-02/false 2024-03/true 2024-04/true 2024-05/true]" {
		t.Errorf("months %v", labels)
	}

	// Portfolio, from the per-SLO months.
	p := rv.Portfolio
	if p.SLOs != 3 || p.FreezeDays != steady.FrozenDays+hard.FrozenDays+edge.FrozenDays {
		t.Errorf("portfolio %d SLOs, %d freeze days", p.SLOs, p.FreezeDays)
	}
	for _, pm := range p.Months {
		met, missed := 0, 0
		for _, f := range []Figures{steady, hard, edge} {
			for _, m := range f.Months {
				if m.Label == pm.Month && m.Met != nil {
					if *m.Met {
						met++
					} else {
						missed++
					}
				}
			}
		}
		if pm.Met != met || pm.Missed != missed || pm.Compliance == nil || *pm.Compliance != float64(met)/float64(met+missed) {
			t.Errorf("portfolio %s: %d met %d missed, truth %d %d", pm.Month, pm.Met, pm.Missed, met, missed)
		}
	}
	if p.WorstBurners[0].Name != "hard" || len(p.WorstBurners) != 3 {
		t.Errorf("worst burners %+v, want hard first", p.WorstBurners)
	}
}

// The burst at 01:00 UTC on 1 May belongs to April in New York and to May
// in UTC.
func TestReviewMonthBoundaryFollowsTheTimeZone(t *testing.T) {
	sc := newScenario(t)
	for _, loc := range []*time.Location{sc.loc, time.UTC, mustLoc(t, "Asia/Kolkata")} {
		in := sc.input("edge")
		in.Location = loc
		rv, err := Compute(in)
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		tr := bruteForce(sc.data["edge"], sc.from, sc.to, loc, o999, 30*24*time.Hour)
		compareFigures(t, "edge in "+loc.String(), rv.SLOs[0].Actual, tr, o999)
	}
}

// What-if: the same events under 99.5% and under a 7d window, each against
// its own brute force.
func TestReviewWhatIf(t *testing.T) {
	sc := newScenario(t)
	for _, tc := range []struct {
		w      WhatIf
		o      objective
		window time.Duration
	}{
		{WhatIf{Objective: 99.5}, o995, 30 * 24 * time.Hour},
		{WhatIf{Window: 7 * 24 * time.Hour}, o999, 7 * 24 * time.Hour},
		{WhatIf{Objective: 99.95, Window: 7 * 24 * time.Hour}, o9995, 7 * 24 * time.Hour},
	} {
		in := sc.input("hard", "steady")
		in.WhatIf = &tc.w
		rv, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"hard", "steady"} {
			r := rv.SLOs[i]
			if r.WhatIf == nil {
				t.Fatalf("%s: no what-if figures", name)
			}
			tr := bruteForce(sc.data[name], sc.from, sc.to, sc.loc, tc.o, tc.window)
			compareFigures(t, fmt.Sprintf("%s what-if %+v", name, tc.w), *r.WhatIf, tr, tc.o)
			// The actual figures stay those of 99.9% over 30d.
			if r.Actual.ObjectivePercent != 99.9 || r.Actual.Window != "30d" {
				t.Errorf("%s: actual became %v over %s", name, r.Actual.ObjectivePercent, r.Actual.Window)
			}
		}
		if tc.w.Objective == 99.5 && rv.SLOs[0].WhatIf.Verdict.Kind != Tighten {
			t.Errorf("hard at 99.5%%: verdict %s, want tighten (0.16%% errors spend a third of a 0.5%% budget)", rv.SLOs[0].WhatIf.Verdict.Kind)
		}
	}
}

// Exactly at the lines: a month exactly at the objective is met; a month
// that spent exactly half its budget did not beat it by more than half.
func TestVerdictBoundaries(t *testing.T) {
	month := func(label string, total, bad float64) Month {
		c := slo.Counts{Good: total - bad, Total: total}
		m := Month{Label: label, Full: true, Events: c}
		m.SLI, m.Met, m.BudgetSpent = judge(c, 1, 1000)
		return m
	}
	f := Figures{ObjectivePercent: 99.9}
	// 500 bad in 1,000,000 is exactly half of a 99.9% budget.
	f.Months = []Month{month("2024-03", 1e6, 499), month("2024-04", 1e6, 500)}
	if v := verdict(f, suggest(f.Months)); v.Kind != Keep {
		t.Errorf("a month at exactly half the budget: %s (%s), want keep", v.Kind, v.Sentence)
	}
	f.Months = []Month{month("2024-03", 1e6, 499), month("2024-04", 1e6, 499)}
	if v := verdict(f, suggest(f.Months)); v.Kind != Tighten {
		t.Errorf("every month under half the budget: %s, want tighten", v.Kind)
	}
	// 1,000 bad in 1,000,000 is exactly 99.9%: met, so 1 of 2 missed is
	// not "most", and 99.9% is the highest standard objective met.
	f.Months = []Month{month("2024-03", 1e6, 1000), month("2024-04", 1e6, 1001)}
	if !*f.Months[0].Met || *f.Months[1].Met {
		t.Fatalf("met %v %v, want exactly-at-objective met and one more bad missed", *f.Months[0].Met, *f.Months[1].Met)
	}
	if v := verdict(f, suggest(f.Months)); v.Kind != Keep {
		t.Errorf("1 of 2 months missed: %s, want keep", v.Kind)
	}
	f.Months = []Month{month("2024-03", 1e6, 1000), month("2024-04", 1e6, 1000)}
	sug := suggest(f.Months)
	if sug.HighestMet == nil || *sug.HighestMet != 99.9 || *sug.Objective != 99.5 {
		t.Errorf("suggestion %+v, want 99.9%% met and 99.5%% suggested", sug)
	}
	f.Months = []Month{month("2024-03", 1e6, 1001), month("2024-04", 1e6, 1001), month("2024-05", 1e6, 0)}
	if v := verdict(f, suggest(f.Months)); v.Kind != Loosen {
		t.Errorf("2 of 3 missed: %s, want loosen", v.Kind)
	}
	// Below 90% in one month: no suggestion; and a partial month alone
	// decides nothing.
	f.Months = []Month{month("2024-03", 1000, 101)}
	if sug := suggest(f.Months); sug.Objective != nil || sug.HighestMet != nil {
		t.Errorf("89.9%%: suggestion %+v, want none", sug)
	}
	f.Months = []Month{month("2024-03", 1000, 100)}
	if sug := suggest(f.Months); sug.Objective == nil || *sug.Objective != 90 {
		t.Errorf("exactly 90%%: suggestion %+v, want 90%% with no buffer step", sug)
	}
	partial := month("2024-03", 1e6, 0)
	partial.Full = false
	f.Months = []Month{partial}
	if v := verdict(f, suggest(f.Months)); v.Kind != NoVerdict {
		t.Errorf("only a partial month: %s, want none", v.Kind)
	}
}

// A calendar-month SLO in New York resets at local midnight of the 1st:
// "hard" is frozen most of each month but healthy again right after each
// reset, as the brute force over local months says.
func TestReviewCalendarWindowResetsAtLocalMonthStart(t *testing.T) {
	sc := newScenario(t)
	in := sc.input("hard", "steady")
	month, err := slo.CalendarWindow("month", sc.loc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in.SLOs {
		in.SLOs[i].SLO.Window = month
	}
	rv, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"hard", "steady"} {
		// Alert factors stay those of the SLO's nominal 30d window.
		tr := bruteForceWindow(sc.data[name], sc.from, sc.to, sc.loc, o999, 30*24*time.Hour, sc.loc)
		compareFigures(t, name+" calendar", rv.SLOs[i].Actual, tr, o999)
		if f := rv.SLOs[i].Actual; !f.Calendar || f.Window != "1M" {
			t.Errorf("%s: calendar %v window %q", name, f.Calendar, f.Window)
		}
	}
	// hard (0.16% errors, always over budget) is frozen from the first
	// hour of each month: every day of the period is a frozen day.
	if d := rv.SLOs[0].Actual.FrozenDays; d != 100 && d != 101 {
		t.Errorf("hard frozen on %d days, want every day of the period", d)
	}
}

// The SLO's own incident rule and its policy's postmortem share apply.
func TestReviewUsesTheConfiguredIncidentRule(t *testing.T) {
	sc := newScenario(t)
	in := sc.input("steady")
	in.SLOs[0].SLO.Incidents = slo.IncidentRule{BurnRate: 100, MergeGap: 30 * time.Minute}
	in.SLOs[0].Policy.PostmortemBudgetShare = 0.5
	rv, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	f := rv.SLOs[0].Actual
	// Incident A peaks at a burn of about 43 (below 100); B at about 278,
	// spending 31% of the window's budget (below 50%).
	if len(f.Incidents) != 1 || f.Incidents[0].PeakBurn < 100 || f.Postmortems != 0 {
		t.Errorf("incidents %+v, %d postmortems; want only B, without a postmortem", f.Incidents, f.Postmortems)
	}
}

// An SLO without any history: no figure is a judgement, and every output
// says so; one with data from the middle of the period is judged on what it
// covers.
func TestReviewWithoutData(t *testing.T) {
	sc := newScenario(t)
	in := sc.input("steady", "hard")
	in.SLOs[0].Hourly, in.SLOs[0].Fine = nil, nil
	// hard's data begins 40 days into the period.
	begin := sc.from.Add(40 * 24 * time.Hour)
	var hourly, fine []slo.Bucket
	for _, b := range in.SLOs[1].Hourly {
		if b.Start.Before(begin) {
			continue
		}
		hourly = append(hourly, b)
	}
	for _, b := range in.SLOs[1].Fine {
		if b.Start.Before(begin) {
			continue
		}
		fine = append(fine, b)
	}
	in.SLOs[1].Hourly, in.SLOs[1].Fine = hourly, fine
	rv, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	empty := rv.SLOs[0].Actual
	if empty.SLI != nil || empty.Verdict.Kind != NoVerdict || empty.Suggested.Objective != nil || empty.OnCall != nil || empty.Incidents != nil {
		t.Errorf("no data: %+v", empty)
	}
	if n := len(empty.States); empty.States[n-1].State != noDataState || empty.States[n-1].Seconds != 100*86400 {
		t.Errorf("no data: states %+v, want the whole period as no data", empty.States)
	}
	if !strings.Contains(strings.Join(empty.Notes, " "), "no data in the period") {
		t.Errorf("notes %v do not say there is no data", empty.Notes)
	}
	late := rv.SLOs[1].Actual
	if math.Abs(late.Coverage-0.6) > 1e-12 || late.States[len(late.States)-1].Seconds != 40*86400 {
		t.Errorf("data from day 40: coverage %v, states %+v; want 0.6 and 40d without data", late.Coverage, late.States)
	}
	notes := strings.Join(late.Notes, " ")
	if !strings.Contains(notes, "data covers 60.0% of the period") || !strings.Contains(notes, "partly covered 30d window") {
		t.Errorf("notes %q do not say what the late start means", notes)
	}
	// Data from 2 April, 00:00 New York time: April is not covered in
	// full, so only May decides.
	if late.Suggested.FullMonths != 1 || late.Months[2].Full || !late.Months[3].Full {
		t.Errorf("%d full months decide, want 1 (May)", late.Suggested.FullMonths)
	}
	for _, format := range []string{"table", "markdown", "html"} {
		if out := render(t, rv, format); !strings.Contains(out, "No verdict") || !strings.Contains(out, "no data in the period") {
			t.Errorf("%s output does not say the SLO has no data", format)
		}
	}
}

// A calendar-month SLO in Kolkata (+05:30): its months start at 18:30 UTC,
// inside an hourly bucket, and long before the 5-minute history begins. The
// hours the month boundaries cut come as 5-minute buckets of their own
// (Cuts), and every figure matches the brute force over 5-minute buckets,
// reviewed in Kolkata, in New York and in Kathmandu (+05:45).
func TestReviewCalendarWindowInAHalfHourZone(t *testing.T) {
	sc := newScenario(t)
	kolkata := mustLoc(t, "Asia/Kolkata")
	month, err := slo.CalendarWindow("month", kolkata)
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []*time.Location{kolkata, sc.loc, mustLoc(t, "Asia/Kathmandu")} {
		in := sc.input("hard", "steady")
		in.Location = zone
		for i := range in.SLOs {
			in.SLOs[i].SLO.Window = month
			// The 5-minute buckets of the hours 18:00-19:00 UTC only.
			for _, b := range toBuckets(sc.data[in.SLOs[i].SLO.Name], 1, time.Time{}) {
				if b.Start.UTC().Hour() == 18 {
					in.SLOs[i].Cuts = append(in.SLOs[i].Cuts, b)
				}
			}
		}
		rv, err := Compute(in)
		if err != nil {
			t.Fatalf("reviewed in %s: %v", zone, err)
		}
		for i, name := range []string{"hard", "steady"} {
			tr := bruteForceWindow(sc.data[name], sc.from, sc.to, zone, o999, 30*24*time.Hour, kolkata)
			compareFigures(t, name+" Kolkata month reviewed in "+zone.String(), rv.SLOs[i].Actual, tr, o999)
		}
	}
}
