package slo_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestCheckHistory(t *testing.T) {
	h := hourly(fcAt, 3, func(int) (float64, float64) { return 10, 1 })
	if err := slo.CheckHistory(h); err != nil {
		t.Fatalf("valid history: %v", err)
	}
	gap := append([]slo.Bucket{}, h...)
	gap[2].Start = gap[2].Start.Add(time.Second)
	backwards := append([]slo.Bucket{}, h...)
	backwards[1].End = backwards[1].Start
	negative := append([]slo.Bucket{}, h...)
	negative[0].Total = -1
	for name, bad := range map[string][]slo.Bucket{"gap": gap, "empty span": backwards, "negative": negative} {
		if err := slo.CheckHistory(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestHistoryIndexSum(t *testing.T) {
	h := hourly(fcAt, 48, func(i int) (float64, float64) { return float64(i * 7), float64(i % 5) })
	x, err := slo.NewHistoryIndex(h)
	if err != nil {
		t.Fatal(err)
	}
	// Every pair of edges, against a loop.
	for i := 0; i <= len(h); i++ {
		for j := i; j <= len(h); j++ {
			from, to := h[0].Start.Add(time.Duration(i)*time.Hour), h[0].Start.Add(time.Duration(j)*time.Hour)
			var want slo.Counts
			for _, b := range h[i:j] {
				want.Good += b.Good
				want.Total += b.Total
			}
			got, err := x.Sum(from, to)
			if err != nil || got != want {
				t.Fatalf("Sum(%d, %d) = %+v, %v; want %+v", i, j, got, err, want)
			}
		}
	}
	// Outside the history counts nothing; inside a bucket is an error.
	all := slo.SumHistory(h)
	if got, _ := x.Sum(h[0].Start.Add(-100*time.Hour), h[47].End.Add(100*time.Hour)); got != all {
		t.Errorf("a range around the history = %+v, want all of it %+v", got, all)
	}
	if _, err := x.Sum(h[3].Start.Add(time.Minute), h[10].End); err == nil || !strings.Contains(err.Error(), "inside the history bucket") {
		t.Errorf("a cut bucket: err = %v", err)
	}
}

// A sample exactly at local midnight belongs to the day that ends there, as
// it belongs to the bucket that ends there.
func TestCalendarPeriods(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	midnight := time.Date(2024, 4, 1, 0, 0, 0, 0, berlin)
	tests := []struct {
		name       string
		p          slo.Periods
		at         time.Time
		start, end time.Time
	}{
		{"month, at midnight: March", slo.MonthPeriods(berlin), midnight,
			time.Date(2024, 3, 1, 0, 0, 0, 0, berlin), midnight},
		{"month, just after: April", slo.MonthPeriods(berlin), midnight.Add(time.Nanosecond),
			midnight, time.Date(2024, 5, 1, 0, 0, 0, 0, berlin)},
		// 31 March 2024 is a 23-hour day in Berlin.
		{"DST day", slo.DayPeriods(berlin), time.Date(2024, 3, 31, 12, 0, 0, 0, berlin),
			time.Date(2024, 3, 31, 0, 0, 0, 0, berlin), midnight},
		{"week from Monday", slo.WeekPeriods(time.UTC), time.Date(2024, 4, 4, 9, 0, 0, 0, time.UTC), // a Thursday
			time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 8, 0, 0, 0, 0, time.UTC)},
		{"quarter", slo.QuarterPeriods(time.UTC), time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC),
			time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"nil location is UTC", slo.MonthPeriods(nil), time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC),
			time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		got := tc.p(tc.at)
		if !got.Start.Equal(tc.start) || !got.End.Equal(tc.end) {
			t.Errorf("%s: (%s, %s], want (%s, %s]", tc.name, got.Start, got.End, tc.start, tc.end)
		}
	}
	if d := slo.DayPeriods(berlin)(time.Date(2024, 3, 31, 12, 0, 0, 0, berlin)); d.End.Sub(d.Start) != 23*time.Hour {
		t.Errorf("31 March in Berlin lasts %s, want 23h", d.End.Sub(d.Start))
	}
	got := slo.PeriodsBetween(slo.MonthPeriods(berlin), time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), midnight)
	if len(got) != 3 || !got[2].End.Equal(midnight) {
		t.Errorf("months between 15 Jan and 1 Apr: %v, want Jan, Feb, Mar", got)
	}
}

// Hourly buckets re-bucketed into Berlin days, checked by a loop that
// assigns each hour to its local date by hand.
func TestRebucketDays(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	end := time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)
	h := hourly(end, 24*6, func(i int) (float64, float64) { return float64(10 + i), float64(i % 3) })
	days, err := slo.Rebucket(h, slo.DayPeriods(berlin))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]slo.Counts{}
	var order []string
	for _, b := range h {
		// The hour (Start, End] belongs to the local date of its last instant.
		key := b.End.Add(-time.Nanosecond).In(berlin).Format("2006-01-02")
		if _, ok := want[key]; !ok {
			order = append(order, key)
		}
		c := want[key]
		c.Good += b.Good
		c.Total += b.Total
		want[key] = c
	}
	if len(days) != len(order) {
		t.Fatalf("%d days, want %d", len(days), len(order))
	}
	for i, d := range days {
		key := d.End.Add(-time.Nanosecond).In(berlin).Format("2006-01-02")
		if key != order[i] || d.Counts != want[key] {
			t.Errorf("day %d %s = %+v, want %s %+v", i, key, d.Counts, order[i], want[order[i]])
		}
	}
	// Kolkata is UTC+5:30: hourly buckets cannot be split at its midnight,
	// 5m buckets can.
	kolkata := mustLoc(t, "Asia/Kolkata")
	if _, err := slo.Rebucket(h, slo.DayPeriods(kolkata)); err == nil || !strings.Contains(err.Error(), "straddles") {
		t.Errorf("hourly into Kolkata days: err = %v, want a straddle error", err)
	}
	var fine []slo.Bucket
	for _, b := range h {
		for k := range 12 {
			s := b.Start.Add(time.Duration(k) * 5 * time.Minute)
			fine = append(fine, slo.Bucket{Start: s, End: s.Add(5 * time.Minute), Counts: slo.Counts{Good: b.Good / 12, Total: b.Total / 12}})
		}
	}
	if _, err := slo.Rebucket(fine, slo.DayPeriods(kolkata)); err != nil {
		t.Errorf("5m into Kolkata days: %v", err)
	}
}

func TestBurnDown(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	h := hourly(fcAt, 720, func(i int) (float64, float64) {
		if i == 100 {
			return 1000, 300
		}
		return 1000, float64(i % 2) // counts are whole events
	})
	pts, err := slo.BurnDown(s, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 721 || pts[0].Value != 1 || !pts[0].At.Equal(h[0].Start) {
		t.Fatalf("%d points starting %+v, want 721 starting at 1 at the window's start", len(pts), pts[0])
	}
	allowed := 0.001 * 720000
	bad := 0.0
	for i, b := range h {
		bad += b.Bad()
		if want := 1 - bad/allowed; math.Abs(pts[i+1].Value-want) > 1e-12 {
			t.Fatalf("point %d = %v, want %v", i+1, pts[i+1].Value, want)
		}
	}
	// The last point is what Evaluate says remains.
	p := slo.DefaultPolicy()
	r, err := slo.Evaluate(s, &p, slo.Input{At: fcAt, Window: slo.SumHistory(h)})
	if err != nil {
		t.Fatal(err)
	}
	if pts[720].Value != r.BudgetRemaining {
		t.Errorf("last point %v, Evaluate says %v", pts[720].Value, r.BudgetRemaining)
	}
}

func TestPeriodCompliance(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	// Three days: day 1 at exactly the objective (met), day 2 one bad
	// event over (missed), day 3 idle (no SLI).
	h := hourly(time.Date(2024, 5, 4, 0, 0, 0, 0, time.UTC), 72, func(i int) (float64, float64) {
		switch {
		case i < 24:
			if i == 0 {
				return 1000, 24 // 24 bad in 24,000: exactly 99.9%
			}
			return 1000, 0
		case i < 48:
			if i == 24 {
				return 1000, 25
			}
			return 1000, 0
		}
		return 0, 0
	})
	days, err := slo.PeriodCompliance(s, h, slo.DayPeriods(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 {
		t.Fatalf("%d days, want 3", len(days))
	}
	if days[0].Met == nil || !*days[0].Met || *days[0].BudgetSpent != 1 {
		t.Errorf("day 1 exactly at the objective: met %v spent %v, want met and 100%%", days[0].Met, days[0].BudgetSpent)
	}
	if days[1].Met == nil || *days[1].Met || math.Abs(*days[1].SLI-(1-25.0/24000)) > 1e-15 {
		t.Errorf("day 2: met %v SLI %v, want missed at 1 − 25/24,000", days[1].Met, days[1].SLI)
	}
	if days[2].SLI != nil || days[2].Met != nil || days[2].Partial {
		t.Errorf("day 3 idle: %+v, want no SLI, not partial", days[2])
	}
	// A history starting mid-day makes that day partial.
	part, _ := slo.PeriodCompliance(s, h[5:], slo.DayPeriods(time.UTC))
	if !part[0].Partial || part[1].Partial {
		t.Errorf("partial first day: %v %v", part[0].Partial, part[1].Partial)
	}
}

func TestBurnRateSeries(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	h := hourly(fcAt, 30, func(i int) (float64, float64) {
		if i == 12 {
			return 0, 0
		}
		return float64(100 * (i + 1)), float64(i % 4)
	})
	pts, err := slo.BurnRateSeries(s, h, 6*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 25 {
		t.Fatalf("%d points, want 25 (every hour with 6h of history behind it)", len(pts))
	}
	for j, p := range pts {
		k := j + 5
		var bad, total float64
		for i := k - 5; i <= k; i++ {
			bad += h[i].Bad()
			total += h[i].Total
		}
		if want := bad / total / 0.001; !p.At.Equal(h[k].End) || math.Abs(p.Value-want) > 1e-12*want {
			t.Errorf("point %d at %s = %v, want %v at %s", j, p.At, p.Value, want, h[k].End)
		}
	}
}
