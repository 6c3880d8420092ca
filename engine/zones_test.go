package engine

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/slo"
)

// Calendar windows in zones whose midnight is not a full UTC hour: Kolkata
// (+05:30), Adelaide (+09:30, +10:30 from 4 October 2026) and Kathmandu
// (+05:45). Every local day of the window starts inside a clock hour.
const zonesConfig = `
slos:
  - name: kolkata
    service: shop
    objective: 99.9
    window: {calendar: month, timezone: Asia/Kolkata}
    sli: {events: {errors: errors_total, total: requests_total}}
  - name: adelaide
    service: shop
    objective: 99.9
    window: {calendar: month, timezone: Australia/Adelaide}
    sli: {events: {errors: errors_total, total: requests_total}}
  - name: kathmandu-week
    service: shop
    objective: 99.9
    window: {calendar: week, timezone: Asia/Kathmandu}
    sli: {events: {errors: errors_total, total: requests_total}}
  - name: kolkata-quarter
    service: shop
    objective: 99.9
    window: {calendar: quarter, timezone: Asia/Kolkata}
    sli: {events: {errors: errors_total, total: requests_total}}
`

// zonesData: jittered scrapes every 15 s with resets and gaps (countergen),
// from 20 September to 19 November 2026.
func zonesData() (*memory.Store, countergen.Counter, countergen.Counter) {
	rng := rand.New(rand.NewSource(7))
	start, end := mustTime("2026-09-20T00:00:00Z").UnixMilli(), mustTime("2026-11-19T00:00:00Z").UnixMilli()
	total := countergen.Generate(rng, start, end, 15_000, 40)
	errs := countergen.Generate(rng, start, end, 15_000, 0.2)
	store := memory.New()
	total.Store(store, "__name__", "requests_total")
	errs.Store(store, "__name__", "errors_total")
	return store, total, errs
}

// truthDays adds up the events of every sample in (from, to] per local day
// of loc, by brute force: the local date of the instant just before the
// sample (a sample at midnight belongs to the day that ends there).
func truthDays(c countergen.Counter, from, to time.Time, loc *time.Location) map[string]float64 {
	out := map[string]float64{}
	for i, s := range c.Samples {
		if s.T <= from.UnixMilli() || s.T > to.UnixMilli() {
			continue
		}
		day := time.UnixMilli(s.T).Add(-time.Nanosecond).In(loc).Format("2006-01-02")
		out[day] += c.Events[i]
	}
	return out
}

func checkZoneCharts(t *testing.T, e *Engine, name string, at time.Time, total, errs countergen.Counter) {
	t.Helper()
	r, ok := e.Result(name)
	if !ok || !r.HasNumbers() {
		t.Fatalf("%s at %s: no numbers: %+v", name, at, r)
	}
	d, err := e.ChartData(r)
	if err != nil {
		t.Fatalf("%s at %s: %v", name, at, err)
	}
	def := e.Config().SLOs[0]
	for _, s := range e.Config().SLOs {
		if s.Name == name {
			def = s
		}
	}
	loc := def.Window.Location
	tot := truthDays(total, r.PeriodStart, at, loc)
	bad := truthDays(errs, r.PeriodStart, at, loc)
	if len(d.Daily) != len(tot) {
		t.Fatalf("%s at %s: %d days drawn, truth %d", name, at, len(d.Daily), len(tot))
	}
	var all slo.Counts
	for _, day := range d.Daily {
		label := day.Start.In(loc).Format("2006-01-02")
		l := day.Start.In(loc)
		if l.Hour() != 0 || l.Minute() != 0 {
			t.Errorf("%s: day %s starts at %s local, not midnight", name, label, l)
		}
		want := slo.Counts{Good: tot[label] - bad[label], Total: tot[label]}
		if day.Events != want {
			t.Errorf("%s at %s: day %s events %+v, truth %+v", name, at, label, day.Events, want)
		}
		all.Good, all.Total = all.Good+want.Good, all.Total+want.Total
	}
	if r.Events != all {
		t.Errorf("%s at %s: window events %+v, the days' truth %+v", name, at, r.Events, all)
	}
	// The month chart adds the same window up per local month.
	var months slo.Counts
	for _, m := range d.Monthly {
		months.Good, months.Total = months.Good+m.Events.Good, months.Total+m.Events.Total
		if l := m.Start.In(loc); l.Day() != 1 || l.Hour() != 0 || l.Minute() != 0 {
			t.Errorf("%s: month starting %s local", name, l)
		}
	}
	if months != all {
		t.Errorf("%s at %s: months add up to %+v, truth %+v", name, at, months, all)
	}
}

// TestChartsInHalfHourZones: the daily and monthly compliance the status
// page and the history API draw is exact per local day, one-shot (report)
// and in a daemon evaluating over hours, whose complete cut hours are kept
// rather than read again.
func TestChartsInHalfHourZones(t *testing.T) {
	store, total, errs := zonesData()
	names := []string{"kolkata", "adelaide", "kathmandu-week", "kolkata-quarter"}
	// Mid-October (Adelaide just changed to +10:30 on 4 October: a 23-hour
	// day), and just past Kolkata's midnight, inside the hour it cuts.
	for _, at := range []string{"2026-10-20T07:00:00Z", "2026-11-17T18:41:30Z"} {
		e, err := New(loadConfig(t, zonesConfig), Options{Source: store, OneShot: true})
		if err != nil {
			t.Fatal(err)
		}
		if failed := e.EvaluateAt(context.Background(), mustTime(at)); failed != 0 {
			t.Fatalf("at %s: %d SLOs failed: %+v", at, failed, e.Results())
		}
		for _, n := range names {
			checkZoneCharts(t, e, n, mustTime(at), total, errs)
		}
	}
	e, err := New(loadConfig(t, zonesConfig), Options{Source: store})
	if err != nil {
		t.Fatal(err)
	}
	for at := mustTime("2026-11-17T16:00:00Z"); !at.After(mustTime("2026-11-17T23:00:00Z")); at = at.Add(37*time.Minute + 30*time.Second) {
		if failed := e.EvaluateAt(context.Background(), at); failed != 0 {
			t.Fatalf("at %s: %d SLOs failed: %+v", at, failed, e.Results())
		}
		for _, n := range names {
			checkZoneCharts(t, e, n, at, total, errs)
		}
	}
}

// An estimate's hour is split by time: its counts are one ratio's weighted
// seconds, even over the hour; the parts add up to the hour.
func TestEvenPartsOfAnEstimate(t *testing.T) {
	b := slo.Bucket{Start: mustTime("2026-11-17T18:00:00Z"), End: mustTime("2026-11-17T19:00:00Z"), Counts: slo.Counts{Good: 3599.1, Total: 3600}}
	parts := evenParts(b, slo.SplitParts(b, slo.DayPeriods(mustLoc(t, "Asia/Kolkata"))))
	if len(parts) != 2 || !parts[0].End.Equal(mustTime("2026-11-17T18:30:00Z")) || parts[0].Total != 1800 || parts[1].Total != 1800 {
		t.Fatalf("parts %+v, want two halves at 18:30", parts)
	}
	if sum := slo.SumHistory(parts); !closeTo(sum.Good, b.Good) || sum.Total != b.Total {
		t.Errorf("parts add up to %+v, the hour %+v", sum, b.Counts)
	}
	if _, err := slo.Refine([]slo.Bucket{b}, parts, slo.DayPeriods(mustLoc(t, "Asia/Kolkata"))); err != nil {
		t.Error(err)
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
