package engine

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/forecastsim"
	"github.com/slobudget/slobudget/slo"
)

const negotiationConfig = `
slos:
  - name: berlin
    service: shop
    objective: 99.9
    window: {calendar: month, timezone: Europe/Berlin}
    sli:
      events:
        errors: errors_total
        total: requests_total
  - name: rolling
    service: shop
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: errors_total
        total: requests_total
exclusions:
  - from: 2026-11-02T02:00:00+01:00
    to: 2026-11-02T04:00:00+01:00
    slos: [berlin, rolling]
    reason: DB migration
    approvedBy: Jane
  - from: 2026-10-10T00:00:00Z
    to: 2026-10-10T01:00:00Z
    slos: [rolling]
    reason: outside every window asked here
    approvedBy: Jane
`

// negotiationData: 100 requests a minute from 25 September 2026, with 5
// errors a minute from 01:00 to 03:30 UTC on 2 November (the exclusion
// covers 01:00 to 03:00 UTC of it) and 1 error a minute on 31 October
// 22:00-23:30 UTC, across Berlin's midnight into November (23:00 UTC).
func negotiationData() (*memory.Store, countergen.Counter, countergen.Counter) {
	start := mustTime("2026-09-25T00:00:00Z").UnixMilli()
	end := mustTime("2026-11-04T00:00:00Z").UnixMilli()
	in := func(ts int64, from, to string) bool {
		return ts > mustTime(from).UnixMilli() && ts <= mustTime(to).UnixMilli()
	}
	total := shaped(start, end, func(int64) float64 { return 100 })
	errs := shaped(start, end, func(ts int64) float64 {
		switch {
		case in(ts, "2026-11-02T01:00:00Z", "2026-11-02T03:30:00Z"):
			return 5
		case in(ts, "2026-10-31T22:00:00Z", "2026-10-31T23:30:00Z"):
			return 1
		}
		return 0
	})
	store := memory.New()
	total.Store(store, "__name__", "requests_total")
	errs.Store(store, "__name__", "errors_total")
	return store, total, errs
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// truthIn counts the events of samples stamped in (from, to] and outside
// [exFrom, exTo), by brute force; the same counts inside it.
func truthIn(c countergen.Counter, from, to time.Time, exFrom, exTo time.Time) (kept, excluded float64) {
	for i, s := range c.Samples {
		if s.T <= from.UnixMilli() || s.T > to.UnixMilli() {
			continue
		}
		if s.T >= exFrom.UnixMilli() && s.T < exTo.UnixMilli() {
			excluded += c.Events[i]
		} else {
			kept += c.Events[i]
		}
	}
	return kept, excluded
}

func evaluateOnce(t *testing.T, store *memory.Store, at time.Time) map[string]slo.Result {
	t.Helper()
	e, err := New(loadConfig(t, negotiationConfig), Options{Source: store, OneShot: true})
	if err != nil {
		t.Fatal(err)
	}
	if failed := e.EvaluateAt(context.Background(), at); failed != 0 {
		t.Fatalf("%d SLOs failed: %+v", failed, e.Results())
	}
	out := map[string]slo.Result{}
	for _, r := range e.Results() {
		out[r.Name] = r
	}
	return out
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestCalendarMonthResetsAtLocalMidnight evaluates a Europe/Berlin calendar
// month just before and just after Berlin's midnight into November (23:00
// UTC, after the clocks went back on 25 October): before, the window is
// October (from 22:00 UTC on 30 September, 31 days and an hour long); after,
// it holds only the minute since midnight.
func TestCalendarMonthResetsAtLocalMidnight(t *testing.T) {
	store, total, errs := negotiationData()
	never := mustTime("2000-01-01T00:00:00Z")
	for _, c := range []struct {
		at, start, end string
		seconds        float64
	}{
		{"2026-10-31T22:59:00Z", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z", 31*86400 + 3600},
		{"2026-10-31T23:00:00Z", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", 30 * 86400}, // reset: empty, full budget
		{"2026-10-31T23:01:00Z", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", 30 * 86400},
	} {
		at, start := mustTime(c.at), mustTime(c.start)
		r := evaluateOnce(t, store, at)["berlin"]
		if !r.PeriodStart.Equal(start) || !r.PeriodEnd.Equal(mustTime(c.end)) {
			t.Errorf("at %s: period [%s, %s), want [%s, %s)", c.at, r.PeriodStart, r.PeriodEnd, c.start, c.end)
		}
		tot, _ := truthIn(total, start, at, never, never)
		bad, _ := truthIn(errs, start, at, never, never)
		if want := (slo.Counts{Good: tot - bad, Total: tot}); r.Events != want {
			t.Errorf("at %s: events %+v, want %+v", c.at, r.Events, want)
		}
		if r.Window != "1M" || r.WindowSeconds != c.seconds || !closeTo(r.BudgetTotalSeconds, c.seconds*0.001) {
			t.Errorf("at %s: window %s of %vs, budget %vs; want 1M of %vs, budget %vs", c.at, r.Window, r.WindowSeconds, r.BudgetTotalSeconds, c.seconds, c.seconds*0.001)
		}
		remaining := 1.0
		if tot > 0 {
			remaining = 1 - (bad/tot)/0.001
		}
		if !closeTo(r.BudgetRemaining, remaining) || !closeTo(r.BudgetRemainingSeconds, remaining*c.seconds*0.001) {
			t.Errorf("at %s: remaining %v (%vs), want %v (%vs)", c.at, r.BudgetRemaining, r.BudgetRemainingSeconds, remaining, remaining*c.seconds*0.001)
		}
		if r.Coverage == nil || *r.Coverage != 1 {
			t.Errorf("at %s: coverage %v, want 1 (data since before the period)", c.at, deref(r.Coverage))
		}
		if r.Forecast == nil || !r.Forecast.Calendar || !r.Forecast.PeriodEnd.Equal(mustTime(c.end)) {
			t.Errorf("at %s: forecast %+v, want one to the period's end (notes %q)", c.at, r.Forecast, r.Notes)
		}
	}
}

// TestExclusionRemovesExactlyItsEvents: the exclusion removes the errors
// (and requests) of 01:00-03:00 UTC on 2 November from both SLOs, and the
// result lists it with its reason, approver and exactly those events; an
// exclusion outside the window is not listed.
func TestExclusionRemovesExactlyItsEvents(t *testing.T) {
	store, total, errs := negotiationData()
	at := mustTime("2026-11-03T00:00:00Z")
	exFrom, exTo := mustTime("2026-11-02T01:00:00Z"), mustTime("2026-11-02T03:00:00Z")
	results := evaluateOnce(t, store, at)
	for name, start := range map[string]time.Time{"berlin": mustTime("2026-10-31T23:00:00Z"), "rolling": at.Add(-7 * 24 * time.Hour)} {
		r := results[name]
		tot, exTot := truthIn(total, start, at, exFrom, exTo)
		bad, exBad := truthIn(errs, start, at, exFrom, exTo)
		// Samples every minute on the minute: 01:01 to 02:59 are inside.
		if exBad != 119*5 {
			t.Fatalf("test data: %v errors excluded, want 595", exBad)
		}
		if want := (slo.Counts{Good: tot - bad, Total: tot}); r.Events != want {
			t.Errorf("%s: events %+v, want %+v", name, r.Events, want)
		}
		if !closeTo(r.BudgetRemaining, 1-(bad/tot)/0.001) {
			t.Errorf("%s: remaining %v, want %v", name, r.BudgetRemaining, 1-(bad/tot)/0.001)
		}
		want := slo.ExcludedSpan{From: exFrom, To: exTo, Reason: "DB migration", ApprovedBy: "Jane", GoodEvents: exTot - exBad, BadEvents: exBad}
		if len(r.Exclusions) != 1 || r.Exclusions[0] != want {
			t.Errorf("%s: exclusions %+v, want [%+v]", name, r.Exclusions, want)
		}
	}
}

// TestCalendarChartsAtTheReset: the charts of a calendar window draw from
// its period, also at the reset instant (an empty window) and a minute on.
func TestCalendarChartsAtTheReset(t *testing.T) {
	store, _, _ := negotiationData()
	for _, at := range []string{"2026-10-31T23:00:00Z", "2026-10-31T23:01:00Z", "2026-11-03T00:00:00Z"} {
		e, err := New(loadConfig(t, negotiationConfig), Options{Source: store, OneShot: true})
		if err != nil {
			t.Fatal(err)
		}
		e.EvaluateAt(context.Background(), mustTime(at))
		r, _ := e.Result("berlin")
		d, err := e.ChartData(r)
		if err != nil {
			t.Errorf("at %s: %v", at, err)
			continue
		}
		if at == "2026-10-31T23:00:00Z" {
			continue // nothing of the period yet
		}
		// The days drawn are Berlin's days of the period: the first from
		// its midnight (23:00 UTC), whole (the window starts there).
		if len(d.Daily) == 0 || !d.Daily[0].Start.Equal(mustTime("2026-10-31T23:00:00Z")) || d.Daily[0].Partial && at == "2026-11-03T00:00:00Z" {
			t.Errorf("at %s: daily compliance %+v, want days from 2026-10-31T23:00:00Z", at, d.Daily)
		}
	}
}

// TestRewordedExclusionShowsAtOnce: a reload that changes only an
// exclusion's reason and approver keeps the counts and shows the new wording
// before the next evaluation; one that moves it clears the figures until
// the next evaluation counts afresh.
func TestRewordedExclusionShowsAtOnce(t *testing.T) {
	store, _, _ := negotiationData()
	at := mustTime("2026-11-03T00:00:00Z")
	e, err := New(loadConfig(t, negotiationConfig), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if failed := e.EvaluateAt(context.Background(), at); failed != 0 {
		t.Fatal("evaluation failed")
	}
	before, _ := e.Result("berlin")
	reworded := strings.Replace(strings.Replace(negotiationConfig, "reason: DB migration", "reason: DB migration (ticket OPS-7)", 1),
		"approvedBy: Jane\n", "approvedBy: Jane Doe\n", 1)
	if err := e.SetConfig(loadConfig(t, reworded)); err != nil {
		t.Fatal(err)
	}
	r, _ := e.Result("berlin")
	if len(r.Exclusions) != 1 || r.Exclusions[0].Reason != "DB migration (ticket OPS-7)" || r.Exclusions[0].ApprovedBy != "Jane Doe" ||
		r.Exclusions[0].BadEvents != before.Exclusions[0].BadEvents || r.Events != before.Events {
		t.Errorf("after rewording: %+v (events %+v), want the new words on the same counts %+v", r.Exclusions, r.Events, before.Events)
	}
	moved := strings.Replace(negotiationConfig, "to: 2026-11-02T04:00:00+01:00", "to: 2026-11-02T03:00:00+01:00", 1)
	if err := e.SetConfig(loadConfig(t, moved)); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Result("berlin"); r.HasNumbers() {
		t.Errorf("after moving the exclusion the old figures stay: %+v", r.Exclusions)
	}
}

// TestCalendarForecastMatchesSimulation: a Berlin month burning at 2 from 7
// November (an error every 5 minutes of 100 requests a minute) runs out
// about 2.5 days later, before the period ends; the forecast must agree with the independent
// simulation (internal/forecastsim) that fixes the window's start at the
// period's, both for the exhaustion and for what is left at the reset.
func TestCalendarForecastMatchesSimulation(t *testing.T) {
	start := mustTime("2026-10-20T00:00:00Z").UnixMilli()
	end := mustTime("2026-11-10T12:00:00Z").UnixMilli()
	burnFrom := mustTime("2026-11-07T00:00:00Z").UnixMilli()
	total := shaped(start, end, func(int64) float64 { return 100 })
	errs := shaped(start, end, func(ts int64) float64 {
		if ts > burnFrom && (ts-burnFrom)%(5*60_000) == 0 {
			return 1
		}
		return 0
	})
	store := memory.New()
	total.Store(store, "__name__", "requests_total")
	errs.Store(store, "__name__", "errors_total")
	cfg := strings.Split(negotiationConfig, "exclusions:")[0]
	at := time.UnixMilli(end)
	e, err := New(loadConfig(t, cfg), Options{Source: store, OneShot: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.EvaluateAt(context.Background(), at) != 0 {
		t.Fatalf("evaluation failed: %+v", e.Results())
	}
	r, _ := e.Result("berlin")
	periodStart, periodEnd := mustTime("2026-10-31T23:00:00Z"), mustTime("2026-11-30T23:00:00Z")
	counts := func(lo, hi time.Time) slo.Counts {
		tot := countergen.In([]countergen.Counter{total}, lo.UnixMilli(), hi.UnixMilli())
		bad := countergen.In([]countergen.Counter{errs}, lo.UnixMilli(), hi.UnixMilli())
		return slo.Counts{Good: tot - bad, Total: tot}
	}
	var hist []slo.Bucket
	for lo := periodStart; lo.Before(at); lo = lo.Add(time.Hour) {
		hist = append(hist, slo.Bucket{Start: lo, End: lo.Add(time.Hour), Counts: counts(lo, lo.Add(time.Hour))})
	}
	step := 30 * time.Second
	truth := forecastsim.Simulate(hist, counts(at.Add(-time.Hour), at), 0.001, 30*24*time.Hour, periodStart, periodEnd.Sub(at), step)
	if math.Abs(truth.Now-r.BudgetRemaining) > 1e-9 {
		t.Fatalf("remaining now %v, truth %v", r.BudgetRemaining, truth.Now)
	}
	steps := truth.First(func(v float64) bool { return v <= 0 })
	if steps < 0 {
		t.Fatal("the truth never runs out: the scenario lost its point")
	}
	if r.ExhaustionSeconds == nil || !truth.Contains(*r.ExhaustionSeconds, steps) {
		t.Errorf("exhaustion %v s, truth crosses 0 in step %d (of 30 s)", deref(r.ExhaustionSeconds), steps)
	}
	last := truth.Remaining[len(truth.Remaining)-1]
	if r.Forecast == nil || r.Forecast.EndRemaining == nil || math.Abs(*r.Forecast.EndRemaining-last) > 1e-9 {
		t.Errorf("left at the reset %v, truth %v", r.Forecast, last)
	}
	t.Logf("%.2f%% left, exhaustion in %v s (truth step %d), %.2f%% left at the reset", r.BudgetRemaining*100, deref(r.ExhaustionSeconds), steps, last*100)
}
