package e2e

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/history"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/review"
	"github.com/slobudget/slobudget/slo"
)

// The review data: four months of 1-minute counters (synth.ReviewSet) in
// TSDB blocks, served by one real Prometheus per test.
var (
	reviewOnce sync.Once
	reviewSet  *synth.ReviewSet
	reviewDir  string // blocks
	reviewCfg  string // config file
	reviewErr  error
)

func reviewFixture(t *testing.T) (*synth.ReviewSet, *promtest.Instance, string) {
	t.Helper()
	promtest.Require(t, promtest.Prometheus)
	reviewOnce.Do(func() {
		start := time.Now()
		reviewSet = synth.NewReviewSet()
		reviewDir = filepath.Join(workDir, "review-tsdb")
		reviewCfg = filepath.Join(workDir, "review-slos.yml")
		if reviewErr = reviewSet.WriteBlocks(reviewDir); reviewErr != nil {
			return
		}
		reviewErr = os.WriteFile(reviewCfg, reviewSet.ConfigYAML(), 0o644)
		t.Logf("review fixture: %s .. %s, written in %s", reviewSet.Start, reviewSet.End, time.Since(start).Round(time.Millisecond))
	})
	if reviewErr != nil {
		t.Fatalf("review fixture: %v", reviewErr)
	}
	dir := filepath.Join(t.TempDir(), "tsdb")
	if err := copyDir(reviewDir, dir); err != nil {
		t.Fatal(err)
	}
	return reviewSet, promtest.StartPrometheus(t, promtest.Options{DataDir: dir}), reviewCfg
}

// reviewTruth is an independent brute force over the generated events:
// prefix sums over the samples of one service.
type reviewTruth struct {
	d          *synth.ReviewSet
	bad, total []float64 // prefix sums: [k] = events of samples 0..k-1
}

func newReviewTruth(d *synth.ReviewSet, s *synth.ReviewService) *reviewTruth {
	tr := &reviewTruth{d: d, bad: make([]float64, len(s.Total)+1), total: make([]float64, len(s.Total)+1)}
	for i := range s.Total {
		tr.bad[i+1] = tr.bad[i] + float64(s.Errors[i])
		tr.total[i+1] = tr.total[i] + float64(s.Total[i])
	}
	return tr
}

// upTo is how many samples have timestamps at or before t.
func (tr *reviewTruth) upTo(t time.Time) int {
	if t.Before(tr.d.Start) {
		return 0
	}
	return min(int(t.Sub(tr.d.Start)/time.Minute)+1, len(tr.total)-1)
}

// sum is bad and total events in (from, to].
func (tr *reviewTruth) sum(from, to time.Time) (bad, total float64) {
	a, b := tr.upTo(from), tr.upTo(to)
	return tr.bad[b] - tr.bad[a], tr.total[b] - tr.total[a]
}

// alerts replays the Workbook's multiwindow conditions for a 28d, 99.9% SLO
// at every 5m step of (from, to] (and the step at from, which only says
// whether an alert was already firing), and counts rising edges.
func (tr *reviewTruth) alerts(from, to time.Time) (pages, tickets int) {
	const b = 0.001
	type pair struct {
		long   time.Duration
		factor float64 // fraction × 28d / long
	}
	page := []pair{{time.Hour, 0.02 * 28 * 24}, {6 * time.Hour, 0.05 * 28 * 24 / 6}}
	ticket := []pair{{24 * time.Hour, 0.10 * 28}, {72 * time.Hour, 0.10 * 28 / 3}}
	holds := func(at time.Time, ps []pair) bool {
		for _, p := range ps {
			ok := true
			for _, w := range []time.Duration{p.long, p.long / 12} {
				bad, total := tr.sum(at.Add(-w), at)
				if total == 0 || bad/total/b <= p.factor {
					ok = false
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	prevPage, prevTicket := holds(from, page), holds(from, ticket)
	for at := from.Add(5 * time.Minute); !at.After(to); at = at.Add(5 * time.Minute) {
		p, k := holds(at, page), holds(at, ticket)
		if p && !prevPage {
			pages++
		}
		if k && !prevTicket {
			tickets++
		}
		prevPage, prevTicket = p, k
	}
	return pages, tickets
}

// policyTime replays the default policy (healthy at 50% of the budget left
// or more, caution 25%, at-risk 0%, then frozen) at the end of every hour of
// (from, to], for the 28d window ending then. Frozen days are the local
// days (an hour ending at midnight belongs to the day it ends) on which the
// freeze held at the end of an hour.
func (tr *reviewTruth) policyTime(from, to time.Time, loc *time.Location) (map[string]float64, int) {
	seconds := map[string]float64{}
	days := map[string]bool{}
	for at := from.Add(time.Hour); !at.After(to); at = at.Add(time.Hour) {
		bad, total := tr.sum(at.Add(-28*24*time.Hour), at)
		remaining := 1.0
		if total > 0 {
			remaining = 1 - bad/(0.001*total)
		}
		state := defaultPolicyState(remaining)
		seconds[state] += 3600
		if state == "frozen" {
			days[at.Add(-time.Nanosecond).In(loc).Format("2006-01-02")] = true
		}
	}
	return seconds, len(days)
}

func sameRatio(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// TestHistoryReaderAgreesWithReport: `report --time=T` and the history
// reader's buckets over the window ending at T agree to the event, and both
// equal the generated truth; the 5m buckets do too, bucket by bucket.
func TestHistoryReaderAgreesWithReport(t *testing.T) {
	d, prom, cfgPath := reviewFixture(t)
	bin := buildSlobudget(t)
	cfg, err := slo.LoadFiles(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	src, err := backend.NewPrometheus(backend.Options{URL: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, at := range []time.Time{
		synth.ReviewEnd,
		time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC), // just after the merged incident
		time.Date(2026, 2, 1, 7, 0, 0, 0, time.UTC),   // a month edge inside the window
	} {
		reported := map[string]reportedSLO{}
		for _, r := range runReport(t, bin, cfgPath, prom.URL, at) {
			reported[r.Name] = r
		}
		for i := range cfg.SLOs {
			def := &cfg.SLOs[i]
			tr := newReviewTruth(d, d.Service(def.Service))
			from := at.Add(-def.Window.Duration)
			h, err := history.Read(ctx, src, def, history.Range{HourlyFrom: from, FineFrom: at.Add(-24 * time.Hour), To: at})
			if err != nil {
				t.Fatalf("%s at %s: %v", def.Name, at, err)
			}
			sum := slo.SumHistory(h.Hourly)
			bad, total := tr.sum(from, at)
			r := reported[def.Name]
			if r.Events == nil || r.Events.Total == nil || r.Events.Good == nil {
				t.Fatalf("%s at %s: report has no events: %+v", def.Name, at, r)
			}
			if sum.Total != *r.Events.Total || sum.Good != *r.Events.Good || sum.Total != total || sum.Bad() != bad {
				t.Errorf("%s at %s: reader %+v, report good %v total %v, truth bad %v total %v",
					def.Name, at, sum, *r.Events.Good, *r.Events.Total, bad, total)
			}
			if len(h.Hourly) != int(def.Window.Duration/time.Hour) {
				t.Errorf("%s at %s: %d hourly buckets, want %d", def.Name, at, len(h.Hourly), def.Window.Duration/time.Hour)
			}
			for _, b := range h.Hourly {
				if bad, total := tr.sum(b.Start, b.End); b.Total != total || b.Bad() != bad {
					t.Errorf("%s: hour (%s, %s] %+v, truth bad %v total %v", def.Name, b.Start, b.End, b.Counts, bad, total)
					break
				}
			}
			if len(h.Fine) != 24*12 {
				t.Errorf("%s at %s: %d 5m buckets, want %d", def.Name, at, len(h.Fine), 24*12)
			}
			for _, b := range h.Fine {
				if bad, total := tr.sum(b.Start, b.End); b.Total != total || b.Bad() != bad {
					t.Errorf("%s: 5m bucket (%s, %s] %+v, truth bad %v total %v", def.Name, b.Start, b.End, b.Counts, bad, total)
					break
				}
			}
		}
	}
}

// expectedReview is what synth.ReviewSet was built to produce.
var expectedReview = map[string]struct {
	suggested float64
	verdict   string
	missed    []string // months missing 99.9%
	frozen    bool     // frozen the whole period
}{
	"steady-availability":     {99.95, review.Tighten, nil, false},
	"struggling-availability": {99, review.Loosen, []string{"2026-01", "2026-02", "2026-03"}, true},
	"checkout-availability":   {99, review.Keep, []string{"2026-02"}, false},
}

// TestReviewMatchesTruth runs `slobudget review --format=json` on the real
// Prometheus and checks every figure with the generated truth: monthly
// compliance, incidents and the postmortem flag, on-call load, the suggested
// objective and verdict, time in the policy states, the portfolio, and the
// what-if under 99.5%.
func TestReviewMatchesTruth(t *testing.T) {
	d, prom, cfgPath := reviewFixture(t)
	bin := buildSlobudget(t)
	start := time.Now()
	out := runCLIOK(t, bin, "review", "--config.file="+cfgPath, "--prometheus.url="+prom.URL,
		"--time="+synth.ReviewEnd.Add(35*time.Minute).Format(time.RFC3339), // cut to the hour
		"--format=json", "--what-if.objective=99.5")
	t.Logf("review of %d SLOs over 90 days in %s", len(expectedReview), time.Since(start).Round(time.Millisecond))
	var rv review.Review
	if err := json.Unmarshal(out, &rv); err != nil {
		t.Fatalf("review JSON: %v\n%.2000s", err, out)
	}
	from, to := synth.ReviewEnd.AddDate(0, 0, -90), synth.ReviewEnd
	if !rv.From.Equal(from) || !rv.To.Equal(to) {
		t.Fatalf("period (%s, %s], want (%s, %s]", rv.From, rv.To, from, to)
	}
	if len(rv.SLOs) != len(expectedReview) {
		t.Fatalf("%d SLOs reviewed, want %d", len(rv.SLOs), len(expectedReview))
	}
	months := []struct {
		label    string
		from, to time.Time
	}{
		{"2026-01", from, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-02", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-03", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), to},
	}
	metPerMonth := map[string]int{}
	for _, r := range rv.SLOs {
		want, ok := expectedReview[r.Name]
		if !ok {
			t.Errorf("unexpected SLO %s", r.Name)
			continue
		}
		tr := newReviewTruth(d, d.Service(r.Service))
		f := r.Actual
		bad, total := tr.sum(from, to)
		if f.Events.Total != total || f.Events.Bad() != bad {
			t.Errorf("%s: period events %+v, truth bad %v total %v", r.Name, f.Events, bad, total)
		}
		if f.SLI == nil || !sameRatio(*f.SLI, 1-bad/total) {
			t.Errorf("%s: SLI %v, truth %v", r.Name, deref(f.SLI), 1-bad/total)
		}
		// Monthly compliance, from the truth's own counts.
		var missed []string
		highest := 0.0
		for _, o := range review.StandardObjectives {
			all := true
			for _, m := range months {
				mb, mt := tr.sum(m.from, m.to)
				if mb/mt > (100-o)/100 {
					all = false
				}
			}
			if all {
				highest = o
			}
		}
		if len(f.Months) != len(months) {
			t.Fatalf("%s: %d months, want %d: %+v", r.Name, len(f.Months), len(months), f.Months)
		}
		for i, m := range months {
			got := f.Months[i]
			mb, mt := tr.sum(m.from, m.to)
			met := mb/mt <= 0.001
			if !met {
				missed = append(missed, m.label)
			} else {
				metPerMonth[m.label]++
			}
			if got.Label != m.label || !got.Full || got.Events.Total != mt || got.Events.Bad() != mb ||
				got.Met == nil || *got.Met != met || got.BudgetSpent == nil || !sameRatio(*got.BudgetSpent, mb/mt/0.001) {
				t.Errorf("%s %s: %+v (met %v, spent %v), truth bad %v total %v met %v spent %v",
					r.Name, m.label, got, deref(got.Met), deref(got.BudgetSpent), mb, mt, met, mb/mt/0.001)
			}
		}
		if !equalStrings(missed, want.missed) {
			t.Errorf("%s: the truth misses %v, the data set was built to miss %v", r.Name, missed, want.missed)
		}
		// The suggestion is one standard step below the highest met.
		step := 0
		for i, o := range review.StandardObjectives {
			if o == highest {
				step = i
			}
		}
		if sug := review.StandardObjectives[max(step-1, 0)]; sug != want.suggested {
			t.Errorf("%s: the truth supports %v, the data set was built for %v", r.Name, sug, want.suggested)
		}
		if f.Suggested.Objective == nil || *f.Suggested.Objective != want.suggested || f.Suggested.HighestMet == nil || *f.Suggested.HighestMet != highest {
			t.Errorf("%s: suggested %v (highest met %v), want %v (%v)", r.Name, deref(f.Suggested.Objective), deref(f.Suggested.HighestMet), want.suggested, highest)
		}
		if f.Verdict.Kind != want.verdict || f.Verdict.Sentence == "" {
			t.Errorf("%s: verdict %+v, want %s", r.Name, f.Verdict, want.verdict)
		}
		// On-call load, replayed by brute force.
		pages, tickets := tr.alerts(from, to)
		if f.OnCall == nil || f.OnCall.Pages != pages || f.OnCall.Tickets != tickets ||
			!sameRatio(f.OnCall.PagesPerWeek, float64(pages)/(90.0/7)) || f.OnCall.NeedsIntervention != (float64(pages+tickets)/(90.0/7) > 5) {
			t.Errorf("%s: on-call %+v, truth %d pages and %d tickets", r.Name, f.OnCall, pages, tickets)
		}
		// Policy states, replayed by brute force: the default policy's state
		// for the 28d window's remaining budget at the end of every hour.
		wantSeconds, wantFrozen := tr.policyTime(from, to, time.UTC)
		for _, st := range f.States {
			if st.Seconds != wantSeconds[st.State] {
				t.Errorf("%s: %s for %vs, truth %vs", r.Name, st.State, st.Seconds, wantSeconds[st.State])
			}
		}
		if len(f.States) != 4 || f.FrozenDays != wantFrozen {
			t.Errorf("%s: states %+v, %d frozen days; truth %v, %d frozen days", r.Name, f.States, f.FrozenDays, wantSeconds, wantFrozen)
		}
		if want.frozen && wantFrozen != 90 {
			t.Errorf("%s: the truth has %d frozen days, the data set was built to be frozen all 90", r.Name, wantFrozen)
		}
		if r.Name == "steady-availability" && wantSeconds["healthy"] != to.Sub(from).Seconds() {
			t.Errorf("%s: the truth leaves the healthy state: %v", r.Name, wantSeconds)
		}
		t.Logf("%s: %d pages, %d tickets, %d incidents, %d frozen days, suggested %v, %s", r.Name, pages, tickets, len(f.Incidents),
			f.FrozenDays, deref(f.Suggested.Objective), f.Verdict.Sentence)
		checkIncidents(t, r.Name, d, tr, f.Incidents)
		if f.Postmortems != map[bool]int{true: 1, false: 0}[r.Name == "checkout-availability"] {
			t.Errorf("%s: %d postmortems", r.Name, f.Postmortems)
		}
		// What-if 99.5%: the same counts, judged against a budget five times larger.
		if r.WhatIf == nil || r.WhatIf.ObjectivePercent != 99.5 || len(r.WhatIf.Months) != len(months) {
			t.Fatalf("%s: what-if %+v", r.Name, r.WhatIf)
		}
		for i, m := range months {
			mb, mt := tr.sum(m.from, m.to)
			got := r.WhatIf.Months[i]
			if got.Events.Total != mt || got.Met == nil || *got.Met != (mb/mt <= 0.005) || !sameRatio(*got.BudgetSpent, mb/mt/0.005) {
				t.Errorf("%s what-if %s: %+v, truth bad %v total %v", r.Name, m.label, got, mb, mt)
			}
		}
	}
	// Portfolio compliance per month: the share of SLOs meeting 99.9%.
	if len(rv.Portfolio.Months) != len(months) {
		t.Fatalf("portfolio months %+v", rv.Portfolio.Months)
	}
	for i, m := range months {
		pm := rv.Portfolio.Months[i]
		want := float64(metPerMonth[m.label]) / 3
		if pm.Month != m.label || pm.Met != metPerMonth[m.label] || pm.Compliance == nil || !sameRatio(*pm.Compliance, want) {
			t.Errorf("portfolio %s: %+v (compliance %v), want %d met, %v", m.label, pm, deref(pm.Compliance), metPerMonth[m.label], want)
		}
	}
	freezeDays := 0
	for _, s := range d.Services {
		_, n := newReviewTruth(d, s).policyTime(from, to, time.UTC)
		freezeDays += n
	}
	if rv.Portfolio.FreezeDays != freezeDays {
		t.Errorf("portfolio freeze days %d, truth %d", rv.Portfolio.FreezeDays, freezeDays)
	}
}

// TestReviewMonthsInTimeZone: with --timezone=America/New_York the months
// run from local midnight to local midnight (05:00 UTC in winter, 04:00 after
// 8 March), so January and February are the full months of the period, and
// the parts before and after are partial; the frozen days are local days.
func TestReviewMonthsInTimeZone(t *testing.T) {
	d, prom, cfgPath := reviewFixture(t)
	bin := buildSlobudget(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	out := runCLIOK(t, bin, "review", "--config.file="+cfgPath, "--prometheus.url="+prom.URL, "--slo=checkout-availability",
		"--time="+synth.ReviewEnd.Format(time.RFC3339), "--format=json", "--timezone=America/New_York")
	var rv review.Review
	if err := json.Unmarshal(out, &rv); err != nil {
		t.Fatal(err)
	}
	from, to := synth.ReviewEnd.AddDate(0, 0, -90), synth.ReviewEnd
	local := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, ny) }
	months := []struct {
		label    string
		from, to time.Time
		full     bool
	}{
		{"2025-12", from, local(2026, 1), false},
		{"2026-01", local(2026, 1), local(2026, 2), true},
		{"2026-02", local(2026, 2), local(2026, 3), true},
		{"2026-03", local(2026, 3), to, false},
	}
	if len(rv.SLOs) != 1 || rv.Location != "America/New_York" {
		t.Fatalf("review %+v", rv)
	}
	f := rv.SLOs[0].Actual
	tr := newReviewTruth(d, d.Service("checkout"))
	if len(f.Months) != len(months) {
		t.Fatalf("%d months, want %d: %+v", len(f.Months), len(months), f.Months)
	}
	for i, m := range months {
		got := f.Months[i]
		bad, total := tr.sum(m.from, m.to)
		if got.Label != m.label || got.Full != m.full || got.Events.Total != total || got.Events.Bad() != bad ||
			got.Met == nil || *got.Met != (bad/total <= 0.001) {
			t.Errorf("%s: %+v, truth (%s, %s] bad %v total %v full %v", m.label, got, m.from, m.to, bad, total, m.full)
		}
	}
	if _, frozen := tr.policyTime(from, to, ny); f.FrozenDays != frozen {
		t.Errorf("%d frozen days, truth %d local days", f.FrozenDays, frozen)
	}
}

// checkIncidents compares the incidents with the bursts the data set placed:
// checkout's two 50% bursts 20 minutes apart merge into one incident that
// needs a postmortem; its 20% burst is a second, smaller one; the other
// services have none.
func checkIncidents(t *testing.T, name string, d *synth.ReviewSet, tr *reviewTruth, got []slo.Incident) {
	t.Helper()
	type want struct {
		start, end time.Time
		postmortem bool
	}
	var wants []want
	if name == "checkout-availability" {
		b := d.Service("checkout").Bursts
		wants = []want{{b[0].From, b[1].To, true}, {b[2].From, b[2].To, false}}
	}
	if len(got) != len(wants) {
		t.Errorf("%s: %d incidents, want %d: %+v", name, len(got), len(wants), got)
		return
	}
	for i, w := range wants {
		g := got[i]
		bad, total := tr.sum(w.start, w.end)
		// The share is of the 28d window ending at the first whole hour
		// after the incident.
		h := w.end.Truncate(time.Hour).Add(time.Hour)
		_, windowTotal := tr.sum(h.Add(-28*24*time.Hour), h)
		share := bad / (0.001 * windowTotal)
		if !g.Start.Equal(w.start) || !g.End.Equal(w.end) || g.Events.Total != total || g.Events.Bad() != bad ||
			!sameRatio(g.BudgetConsumed, share) || g.Postmortem != w.postmortem || (share > 0.2) != w.postmortem {
			t.Errorf("%s incident %d: %+v, want (%s, %s] bad %v total %v share %v postmortem %v",
				name, i, g, w.start, w.end, bad, total, share, w.postmortem)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReportWhatIf runs `report --what-if.objective=99.5 --what-if.window=7d`
// and checks both sides against the truth: the budget under 99.9% over 28d,
// and under 99.5% over 7d, with the freeze where the budget is overspent.
func TestReportWhatIf(t *testing.T) {
	d, prom, cfgPath := reviewFixture(t)
	bin := buildSlobudget(t)
	at := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	out := runCLIOK(t, bin, "report", "--config.file="+cfgPath, "--prometheus.url="+prom.URL, "--time="+at.Format(time.RFC3339),
		"--format=json", "--what-if.objective=99.5", "--what-if.window=7d")
	var got struct {
		SLOs   []slo.Result `json:"slos"`
		WhatIf struct {
			ObjectivePercent float64      `json:"objectivePercent"`
			Window           string       `json:"window"`
			SLOs             []slo.Result `json:"slos"`
		} `json:"whatIf"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("report JSON: %v\n%.2000s", err, out)
	}
	if got.WhatIf.ObjectivePercent != 99.5 || got.WhatIf.Window != "7d" || len(got.WhatIf.SLOs) != 3 || len(got.SLOs) != 3 {
		t.Fatalf("what-if %+v", got.WhatIf)
	}
	check := func(side string, r slo.Result, window time.Duration, budget float64) {
		tr := newReviewTruth(d, d.Service(r.Service))
		bad, total := tr.sum(at.Add(-window), at)
		remaining := 1 - bad/total/budget
		if r.Events.Total != total || r.Events.Bad() != bad || !sameRatio(r.BudgetRemaining, remaining) ||
			r.WindowSeconds != window.Seconds() || r.FeatureFreeze != (remaining < 0) {
			t.Errorf("%s %s: events %+v, remaining %v, freeze %v, window %vs; truth bad %v total %v remaining %v",
				side, r.Name, r.Events, r.BudgetRemaining, r.FeatureFreeze, r.WindowSeconds, bad, total, remaining)
		}
		if r.Forecast == nil {
			t.Errorf("%s %s: no forecast", side, r.Name)
		}
	}
	for _, r := range got.SLOs {
		check("actual", r, 28*24*time.Hour, 0.001)
	}
	for _, r := range got.WhatIf.SLOs {
		check("what-if", r, 7*24*time.Hour, 0.005)
	}
	table := string(runCLIOK(t, bin, "report", "--config.file="+cfgPath, "--prometheus.url="+prom.URL, "--time="+at.Format(time.RFC3339),
		"--what-if.objective=99.5", "--what-if.window=7d"))
	if !strings.Contains(table, "What-if: the same events under a 99.5% objective and a 7d rolling window") ||
		strings.Count(table, "what-if") != 3 {
		t.Errorf("the table has no what-if section:\n%s", table)
	}
}

// defaultPolicyState is the default policy's state for a remaining budget
// ratio, written from the policy's thresholds (healthy from 50%, caution from
// 25%, at-risk down to 0, frozen below), independently of slo's code.
func defaultPolicyState(remaining float64) string {
	switch {
	case remaining >= 0.5:
		return "healthy"
	case remaining >= 0.25:
		return "caution"
	case remaining >= 0:
		return "at-risk"
	}
	return "frozen"
}
