package slo_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/forecastsim"
	"github.com/slobudget/slobudget/slo"
)

// The truth for forecasts is internal/forecastsim: a separate forward
// simulation with plain loops, here stepping one minute at a time. Because
// the truth only looks at minute ends, the forecast must fall inside the
// minute in which the truth first crosses.

var fcAt = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

const fcWindow = 30 * 24 * time.Hour

func fcSLO(objective float64, window time.Duration) *slo.SLO {
	return &slo.SLO{Name: "checkout", Service: "shop", Objective: objective,
		Window: slo.Window{Text: slo.WindowLabel(window), Duration: window}}
}

// hourly builds n contiguous hourly buckets ending at end; f gives the total
// and bad events of hour i (0 is the oldest).
func hourly(end time.Time, n int, f func(i int) (total, bad float64)) []slo.Bucket {
	out := make([]slo.Bucket, n)
	for i := range n {
		total, bad := f(i)
		s := end.Add(time.Duration(i-n) * time.Hour)
		out[i] = slo.Bucket{Start: s, End: s.Add(time.Hour), Counts: slo.Counts{Good: total - bad, Total: total}}
	}
	return out
}

type truthRun struct {
	// remaining[j] is the remaining budget of the window ending j+1 minutes
	// after the forecast instant; now is the remaining budget at the instant.
	remaining []float64
	now       float64
	run       forecastsim.Run
}

// simulateMinutes is the independent truth at a one-minute step. calStart,
// when non-zero, fixes the window's start (a calendar period); horizon is how
// far to look ahead.
func simulateMinutes(hist []slo.Bucket, lastHour slo.Counts, budget float64, window time.Duration,
	calStart time.Time, horizon time.Duration) truthRun {
	r := forecastsim.Simulate(hist, lastHour, budget, window, calStart, horizon, time.Minute)
	return truthRun{remaining: r.Remaining, now: r.Now, run: r}
}

// firstMinute returns the number of minutes until cond first holds, or -1.
func (r truthRun) firstMinute(cond func(float64) bool) int { return r.run.First(cond) }

// inMinute checks that a forecast of got seconds falls inside the truth's
// minute (minutes-1, minutes].
func inMinute(t *testing.T, what string, got float64, minutes int) {
	t.Helper()
	hi := float64(minutes) * 60
	if got <= hi-60-1e-6 || got > hi+1e-6 {
		t.Errorf("%s = %.1fs, the minute-by-minute truth crosses in minute %d (%.0fs, %.0fs]", what, got, minutes, hi-60, hi)
	}
}

func defaultPolicy() *slo.Policy { p := slo.DefaultPolicy(); return &p }

func forecast(t *testing.T, s *slo.SLO, in slo.ForecastInput) slo.Forecast {
	t.Helper()
	f, err := slo.ForecastBudget(s, defaultPolicy(), in)
	if err != nil {
		t.Fatalf("ForecastBudget: %v", err)
	}
	return f
}

// A 30d window with 1,000 requests an hour burning at 0.45: the budget never
// runs out, and settles near 1 − 0.45.
func TestForecastConstantBurnBelowOne(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	hist := hourly(fcAt, 720, func(int) (float64, float64) { return 1000, 0.45 })
	in := slo.ForecastInput{At: fcAt, History: hist, LastHour: slo.Counts{Good: 1000 - 0.45, Total: 1000}}
	f := forecast(t, s, in)
	if !math.IsInf(f.ExhaustionSeconds, 1) {
		t.Errorf("exhaustion = %v, want +Inf: a burn below 1 on a rolling window never runs out", f.ExhaustionSeconds)
	}
	if f.Settles == nil || math.Abs(*f.Settles-0.55) > 1e-9 {
		t.Errorf("settles = %v, want 0.55", f.Settles)
	}
	truth := simulateMinutes(hist, in.LastHour, 0.001, fcWindow, time.Time{}, fcWindow)
	if m := truth.firstMinute(func(r float64) bool { return r <= 0 }); m != -1 {
		t.Fatalf("truth runs out after %d minutes; the test's premise is wrong", m)
	}
	if last := truth.remaining[len(truth.remaining)-1]; math.Abs(last-*f.Settles) > 1e-9 {
		t.Errorf("truth settles at %v, forecast says %v", last, *f.Settles)
	}
	if math.Abs(f.Remaining-truth.now) > 1e-12 || math.Abs(f.Remaining-0.55) > 1e-12 {
		t.Errorf("remaining now = %v, truth %v, hand-computed 0.55", f.Remaining, truth.now)
	}
	// Healthy already: no recovery to speak of.
	if f.State != "healthy" || f.Recovery != nil {
		t.Errorf("state %q recovery %+v, want healthy and none", f.State, f.Recovery)
	}
}

// Half the budget spent at a steady burn of 0.5, then the last hour burns at 2:
// the remaining budget is 1 − (0.5 (W − τ) + 2τ)/W, which reaches 0 at
// τ = W/3 = 10 days (worked by hand), and the minute truth agrees.
func TestForecastBurnAboveOne(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	hist := hourly(fcAt, 720, func(int) (float64, float64) { return 1000, 0.5 })
	in := slo.ForecastInput{At: fcAt, History: hist, LastHour: slo.Counts{Good: 1000 - 2, Total: 1000}}
	f := forecast(t, s, in)
	if want := 10 * 86400.0; math.Abs(f.ExhaustionSeconds-want) > 1e-3 {
		t.Errorf("exhaustion = %v s, want %v (W/3)", f.ExhaustionSeconds, want)
	}
	truth := simulateMinutes(hist, in.LastHour, 0.001, fcWindow, time.Time{}, fcWindow)
	inMinute(t, "exhaustion", f.ExhaustionSeconds, truth.firstMinute(func(r float64) bool { return r <= 0 }))
	if f.Pace == nil || math.Abs(*f.Pace-2) > 1e-12 {
		t.Errorf("pace = %v, want 2", f.Pace)
	}
	// At exactly 50% left the SLO is healthy: nothing to recover.
	if f.State != "healthy" {
		t.Errorf("state = %q, want healthy (0.5 left meets the 0.50 threshold)", f.State)
	}
}

// Not on the hour: the window's trailing edge cuts the first bucket (a
// partial bucket of 20 minutes) and traffic varies by hour of the day, so the
// crossing falls between bucket edges.
func TestForecastPartialBucketsAndDailyTraffic(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	at := fcAt.Add(20 * time.Minute)
	full := hourly(fcAt, 720, func(i int) (float64, float64) {
		total := 600 + 400*math.Sin(float64(i%24)/24*2*math.Pi)
		return math.Round(total), math.Round(total) * 0.0006
	})
	// Cut the oldest bucket to its last 20 minutes and add a partial
	// 20-minute bucket at the leading edge: (at − W, at].
	hist := append([]slo.Bucket{}, full...)
	hist[0].Start = hist[0].End.Add(-20 * time.Minute)
	hist[0].Good, hist[0].Total = hist[0].Good/3, hist[0].Total/3
	hist = append(hist, slo.Bucket{Start: fcAt, End: at, Counts: slo.Counts{Good: 199.5, Total: 200}})
	lastHour := slo.Counts{Good: 1000 - 2.5, Total: 1000} // burn 2.5
	f := forecast(t, s, slo.ForecastInput{At: at, History: hist, LastHour: lastHour})
	truth := simulateMinutes(hist, lastHour, 0.001, fcWindow, time.Time{}, fcWindow)
	m := truth.firstMinute(func(r float64) bool { return r <= 0 })
	if m < 0 {
		t.Fatal("truth never runs out; the test's premise is wrong")
	}
	inMinute(t, "exhaustion", f.ExhaustionSeconds, m)
	if math.Abs(f.Remaining-truth.now) > 1e-12 {
		t.Errorf("remaining now = %v, truth %v", f.Remaining, truth.now)
	}
}

// An incident 29 days ago spent most of the budget: the SLO is frozen now,
// and it climbs back once the incident leaves the window, though the last
// hour burns at 0.2. Exhaustion is 0 (already exhausted), recovery into
// at-risk falls inside the incident's hours leaving.
func TestForecastOldIncidentLeavesWindow(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	// 720 hours of 1,000 requests at burn 0.2 (0.2 bad an hour), except
	// hours 20..25 (29 days ago) with 200 bad each: 1,200 bad in the
	// incident against a budget of 720 → frozen.
	hist := hourly(fcAt, 720, func(i int) (float64, float64) {
		if i >= 20 && i < 26 {
			return 1000, 200
		}
		return 1000, 0.2
	})
	lastHour := slo.Counts{Good: 1000 - 0.2, Total: 1000}
	f := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: lastHour})
	if f.State != "frozen" || f.ExhaustionSeconds != 0 {
		t.Fatalf("state %q exhaustion %v, want frozen and 0", f.State, f.ExhaustionSeconds)
	}
	truth := simulateMinutes(hist, lastHour, 0.001, fcWindow, time.Time{}, fcWindow)
	if f.Recovery == nil || f.Recovery.State != "at-risk" || f.Recovery.From != "frozen" {
		t.Fatalf("recovery = %+v, want frozen → at-risk", f.Recovery)
	}
	m := truth.firstMinute(func(r float64) bool { return r >= 0 })
	inMinute(t, "recovery", f.Recovery.Seconds, m)
	// By hand: bad = 1,200 + 714 × 0.2 = 1,342.8 now; the incident hours
	// leave from 20h on, each 200 − 0.2 lighter (as 0.2-burn hours enter).
	// 0 is reached when bad ≤ 720: after 3 whole hours bad is 743.4, and the
	// 4th hour takes 23.4/199.8 of an hour: 20h + 3h + 7m 1.6s.
	want := (23 + 23.4/199.8) * 3600
	if math.Abs(f.Recovery.Seconds-want) > 1e-3 {
		t.Errorf("recovery = %v s, want %v", f.Recovery.Seconds, want)
	}
}

// Zero-traffic hours: the service is idle six hours a night. The same hour a
// day earlier had no traffic, so those new hours add nothing, while old
// hours keep leaving.
func TestForecastZeroTrafficHours(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	night := func(i int) bool { return i%24 < 6 }
	hist := hourly(fcAt, 720, func(i int) (float64, float64) {
		if night(i) {
			return 0, 0
		}
		return 1200, 0.3
	})
	for _, tc := range []struct {
		name     string
		lastHour slo.Counts
	}{
		{"burning at 4", slo.Counts{Good: 1200 - 4.8, Total: 1200}},
		{"burning at 0.9", slo.Counts{Good: 1200 - 1.08, Total: 1200}},
		{"no traffic in the last hour", slo.Counts{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: tc.lastHour})
			truth := simulateMinutes(hist, tc.lastHour, 0.001, fcWindow, time.Time{}, fcWindow)
			m := truth.firstMinute(func(r float64) bool { return r <= 0 })
			if m < 0 {
				if !math.IsInf(f.ExhaustionSeconds, 1) {
					t.Errorf("exhaustion = %v, truth never runs out", f.ExhaustionSeconds)
				}
			} else {
				inMinute(t, "exhaustion", f.ExhaustionSeconds, m)
			}
			if tc.lastHour.Total == 0 {
				if f.Pace != nil || f.Settles != nil {
					t.Errorf("pace %v settles %v, want none without traffic in the last hour", f.Pace, f.Settles)
				}
				// Only old events leave: the window drains to nothing.
				if last := truth.remaining[len(truth.remaining)-1]; last != 1 {
					t.Errorf("truth ends at %v, want an emptied window (1)", last)
				}
			}
		})
	}
}

// Less than a day of data (a service that started 6 hours ago): the hours
// before the history take its mean traffic.
func TestForecastShortHistory(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	hist := hourly(fcAt, 6, func(i int) (float64, float64) { return float64(100 * (i + 1)), float64(i) * 0.1 })
	lastHour := slo.Counts{Good: 600 - 1.8, Total: 600} // burn 3
	f := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: lastHour})
	truth := simulateMinutes(hist, lastHour, 0.001, fcWindow, time.Time{}, fcWindow)
	inMinute(t, "exhaustion", f.ExhaustionSeconds, truth.firstMinute(func(r float64) bool { return r <= 0 }))
}

// A calendar month: events never leave, the budget resets at the month's end.
func TestForecastCalendarMonth(t *testing.T) {
	s := fcSLO(99.9, fcWindow) // the window length is unused for a calendar period
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	month := slo.MonthPeriods(loc)(fcAt)
	// History from a day before the month began, so the profile is known.
	n := int(fcAt.Sub(month.Start)/time.Hour) + 24
	hist := hourly(fcAt, n, func(i int) (float64, float64) { return 500 + float64(i%24)*10, 0.3 })
	for _, tc := range []struct {
		name        string
		lastHour    slo.Counts
		runsOut     bool
		wantRecover string
	}{
		{"burning at 3 runs out before the reset", slo.Counts{Good: 1000 - 3, Total: 1000}, true, ""},
		{"burning at 0.8 lasts the month", slo.Counts{Good: 1000 - 0.8, Total: 1000}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slo.ForecastInput{At: fcAt, History: hist, LastHour: tc.lastHour, Calendar: month}
			f := forecast(t, s, in)
			horizon := month.End.Sub(fcAt)
			truth := simulateMinutes(hist, tc.lastHour, 0.001, 0, month.Start, horizon)
			if math.Abs(f.Remaining-truth.now) > 1e-12 {
				t.Errorf("remaining now = %v, truth %v", f.Remaining, truth.now)
			}
			m := truth.firstMinute(func(r float64) bool { return r <= 0 })
			if (m >= 0) != tc.runsOut {
				t.Fatalf("truth runs out: %v, want %v", m >= 0, tc.runsOut)
			}
			if tc.runsOut {
				inMinute(t, "exhaustion", f.ExhaustionSeconds, m)
			} else if !math.IsInf(f.ExhaustionSeconds, 1) {
				t.Errorf("exhaustion = %v, want +Inf (lasts until the reset)", f.ExhaustionSeconds)
			}
			if !f.Calendar || !f.PeriodEnd.Equal(month.End) || f.EndRemaining == nil {
				t.Fatalf("calendar %v period end %v end remaining %v", f.Calendar, f.PeriodEnd, f.EndRemaining)
			}
			if last := truth.remaining[len(truth.remaining)-1]; math.Abs(last-*f.EndRemaining) > 1e-9 {
				t.Errorf("remaining at the period's end = %v, truth %v", *f.EndRemaining, last)
			}
		})
	}
}

// A frozen calendar SLO burning hard never climbs back by the pace; the
// reset at the period's end lifts the freeze.
func TestForecastCalendarRecoveryAtReset(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	month := slo.MonthPeriods(time.UTC)(fcAt)
	n := int(fcAt.Sub(month.Start) / time.Hour)
	hist := hourly(fcAt, n, func(int) (float64, float64) { return 1000, 2 })
	f := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: slo.Counts{Good: 998, Total: 1000}, Calendar: month})
	if f.State != "frozen" || f.Recovery == nil || !f.Recovery.AtReset {
		t.Fatalf("state %q recovery %+v, want frozen lifting at the reset", f.State, f.Recovery)
	}
	if want := month.End.Sub(fcAt).Seconds(); f.Recovery.Seconds != want {
		t.Errorf("recovery = %v s, want %v (the month's end)", f.Recovery.Seconds, want)
	}
}

// At-risk on a rolling window and burning below 1: it climbs back into
// caution as the heavier old hours leave; burning above 1 it never does.
func TestForecastRecoveryAtRisk(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	// 0.85 burn over the window: 15% left, at-risk.
	hist := hourly(fcAt, 720, func(int) (float64, float64) { return 1000, 0.85 })
	slow := slo.Counts{Good: 1000 - 0.1, Total: 1000}
	f := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: slow})
	if f.State != "at-risk" || f.Recovery == nil || f.Recovery.State != "caution" {
		t.Fatalf("state %q recovery %+v, want at-risk → caution", f.State, f.Recovery)
	}
	// By hand: remaining(τ) = 1 − (0.85 (W−τ) + 0.1 τ)/W = 0.25 at
	// τ = 0.1 W / 0.75 = 4d.
	if want := 4 * 86400.0; math.Abs(f.Recovery.Seconds-want) > 1e-3 {
		t.Errorf("recovery = %v s, want %v", f.Recovery.Seconds, want)
	}
	truth := simulateMinutes(hist, slow, 0.001, fcWindow, time.Time{}, fcWindow)
	inMinute(t, "recovery", f.Recovery.Seconds, truth.firstMinute(func(r float64) bool { return r >= 0.25 }))

	fast := slo.Counts{Good: 1000 - 0.9, Total: 1000} // settles at 10%: never caution
	f = forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: fast})
	if f.Recovery != nil {
		t.Errorf("recovery = %+v, want none: at 0.9 the budget settles at 10%%", f.Recovery)
	}
}

func TestForecastBadInput(t *testing.T) {
	s := fcSLO(99.9, fcWindow)
	hist := hourly(fcAt, 24, func(int) (float64, float64) { return 10, 0 })
	gap := append([]slo.Bucket{}, hist...)
	gap[5].Start = gap[5].Start.Add(time.Minute)
	for name, in := range map[string]slo.ForecastInput{
		"empty history":       {At: fcAt},
		"history ends early":  {At: fcAt.Add(time.Hour), History: hist},
		"gap in the history":  {At: fcAt, History: gap},
		"bad last hour":       {At: fcAt, History: hist, LastHour: slo.Counts{Good: 2, Total: 1}},
		"period misses At":    {At: fcAt, History: hist, Calendar: slo.Period{Start: fcAt.Add(time.Hour), End: fcAt.Add(2 * time.Hour)}},
		"good above total":    {At: fcAt, History: append(hist[:23:23], slo.Bucket{Start: hist[23].Start, End: hist[23].End, Counts: slo.Counts{Good: 5, Total: 4}})},
		"non-finite in a bin": {At: fcAt, History: append(hist[:23:23], slo.Bucket{Start: hist[23].Start, End: hist[23].End, Counts: slo.Counts{Good: math.NaN(), Total: 4}})},
	} {
		if _, err := slo.ForecastBudget(s, defaultPolicy(), in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// A calendar SLO window gives the period itself: the engine's Window.Period.
// At exactly the period's first instant the window is empty: an untouched
// budget, whatever the last month spent.
func TestForecastCalendarFromTheSLOWindow(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	w, err := slo.CalendarWindow("month", loc)
	if err != nil {
		t.Fatal(err)
	}
	s := fcSLO(99.9, fcWindow)
	s.Window = w
	month := slo.MonthPeriods(loc)(fcAt)
	hist := hourly(fcAt, int(fcAt.Sub(month.Start)/time.Hour)+24, func(int) (float64, float64) { return 1000, 3 })
	last := slo.Counts{Good: 997, Total: 1000}
	derived := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: last})
	explicit := forecast(t, s, slo.ForecastInput{At: fcAt, History: hist, LastHour: last, Calendar: month})
	if !derived.Calendar || !derived.PeriodEnd.Equal(month.End) || derived.Remaining != explicit.Remaining ||
		derived.Recovery == nil || *derived.Recovery != *explicit.Recovery {
		t.Errorf("derived %+v, explicit %+v", derived, explicit)
	}
	start := month.Start
	hist = hourly(start, 48, func(int) (float64, float64) { return 1000, 3 })
	f := forecast(t, s, slo.ForecastInput{At: start, History: hist, LastHour: last})
	if f.Remaining != 1 || f.State != "healthy" || !f.PeriodEnd.Equal(slo.MonthPeriods(loc)(start.Add(time.Second)).End) {
		t.Errorf("at the period's first instant: remaining %v state %s period end %s, want an untouched new month", f.Remaining, f.State, f.PeriodEnd)
	}
}

func TestForecastJSON(t *testing.T) {
	f := slo.Forecast{At: fcAt, ExhaustionSeconds: math.Inf(1), State: "healthy"}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"exhaustionSeconds":null`) {
		t.Errorf("never runs out: %s, want exhaustionSeconds null", b)
	}
	f.ExhaustionSeconds = 3600
	b, _ = json.Marshal(f)
	if !strings.Contains(string(b), `"exhaustionSeconds":3600`) || strings.Count(string(b), "exhaustionSeconds") != 1 {
		t.Errorf("an hour: %s", b)
	}
}

// forecastBits spells every figure of a forecast by its bits.
func forecastBits(f slo.Forecast) string {
	p := func(x *float64) string {
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("%x", math.Float64bits(*x))
	}
	rec := "nil"
	if f.Recovery != nil {
		rec = fmt.Sprintf("%s/%s/%x/%v", f.Recovery.From, f.Recovery.State, math.Float64bits(f.Recovery.Seconds), f.Recovery.AtReset)
	}
	return fmt.Sprintf("%s %x %s %v %s %x %s %v %s %s %s %s", f.At, math.Float64bits(f.Remaining), f.State, f.Freeze, p(f.Pace),
		math.Float64bits(f.ExhaustionSeconds), p(f.Settles), f.Calendar, f.PeriodEnd, p(f.EndRemaining), f.NextBetter, rec)
}

// TestForecastScratchReuse: one scratch serving forecasts of every size in
// turn (long, short, calendar, quiet) gives each the figures, to the bit, of
// a forecast in fresh buffers, and a forecast it made keeps them after the
// scratch serves the next.
func TestForecastScratchReuse(t *testing.T) {
	p := defaultPolicy()
	burning := func(i int) (float64, float64) { return float64(500 + i%24*20), float64(i % 5) }
	incident := func(i int) (float64, float64) {
		if i == 100 {
			return 1000, 400
		}
		return 1000, 0
	}
	at := fcAt.Add(17*time.Minute + 30*time.Second)
	cases := []struct {
		s  *slo.SLO
		in slo.ForecastInput
	}{
		{fcSLO(99.9, fcWindow), slo.ForecastInput{At: fcAt, History: hourly(fcAt, 721, burning), LastHour: slo.Counts{Good: 990, Total: 1000}}},
		{fcSLO(99.9, fcWindow), slo.ForecastInput{At: fcAt, History: hourly(fcAt, 5, burning), LastHour: slo.Counts{Good: 999, Total: 1000}}},
		{fcSLO(99, 7*24*time.Hour), slo.ForecastInput{At: fcAt, History: hourly(fcAt, 200, incident), LastHour: slo.Counts{Good: 1000, Total: 1000}}},
		{fcSLO(99.9, fcWindow), slo.ForecastInput{At: at, History: engineShaped(at.Add(-fcWindow), at, incident), LastHour: slo.Counts{}}},
		{fcSLO(99.9, fcWindow), slo.ForecastInput{At: fcAt, History: hourly(fcAt, 300, incident), LastHour: slo.Counts{Good: 995, Total: 1000},
			Calendar: slo.Period{Start: fcAt.Add(-300 * time.Hour), End: fcAt.Add(20 * 24 * time.Hour)}}},
		{fcSLO(99.9, fcWindow), slo.ForecastInput{At: fcAt, History: hourly(fcAt, 1, burning), LastHour: slo.Counts{Good: 990, Total: 1000}}},
	}
	var sc slo.ForecastScratch
	var kept []slo.Forecast
	var want []string
	for round := range 2 {
		for i, c := range cases {
			fresh, err := slo.ForecastBudget(c.s, p, c.in)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			got, err := slo.ForecastBudgetWith(c.s, p, c.in, &sc)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			if g, w := forecastBits(got), forecastBits(fresh); g != w {
				t.Errorf("round %d case %d: with a used scratch\n%s\nwant\n%s", round, i, g, w)
			}
			if round == 0 {
				kept, want = append(kept, got), append(want, forecastBits(fresh))
			}
		}
	}
	for i, f := range kept {
		if g := forecastBits(f); g != want[i] {
			t.Errorf("case %d changed after the scratch served others:\n%s\nwant\n%s", i, g, want[i])
		}
	}
}
