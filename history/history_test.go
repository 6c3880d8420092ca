package history

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

func availability(service string) *slo.SLO {
	return &slo.SLO{Name: service + "-availability", Objective: 99.9, Window: slo.Window{Text: "7d", Duration: 7 * 24 * time.Hour},
		SLI: slo.SLI{Events: &slo.EventsSLI{Errors: `requests_total{service="` + service + `",code="500"}`, Total: `requests_total{service="` + service + `"}`}}}
}

// TestDataThatStartsLateAndNoData: a service whose counters start inside
// the range gets buckets from there on only, holding every event; one whose
// selector matches nothing gets no buckets at all (no data, not zero traffic).
func TestDataThatStartsLateAndNoData(t *testing.T) {
	to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	born := to.Add(-50*time.Hour + 17*time.Minute + 20*time.Second)
	store := memory.New()
	var ok, bad []backend.Sample
	var wantTotal, wantBad float64
	for i, ts := 0, born; ts.Before(to); i, ts = i+1, ts.Add(30*time.Second) {
		ok = append(ok, backend.Sample{T: ts.UnixMilli(), V: float64(100 + 3*i)})
		bad = append(bad, backend.Sample{T: ts.UnixMilli(), V: float64(7 + i/10)})
		if i > 0 { // the first sample of each series is its baseline
			wantTotal += 3
			if i%10 == 0 {
				wantBad++
			}
		}
	}
	wantTotal += wantBad
	store.Add(labels.FromStrings("__name__", "requests_total", "service", "late", "code", "200"), ok...)
	store.Add(labels.FromStrings("__name__", "requests_total", "service", "late", "code", "500"), bad...)
	ctx := context.Background()
	r := ForReview(to.Add(-72*time.Hour), to, 7*24*time.Hour)
	h, err := Read(ctx, store, availability("late"), r)
	if err != nil {
		t.Fatal(err)
	}
	if !h.DataFrom.Equal(born.Truncate(time.Millisecond)) {
		t.Errorf("data from %s, want %s", h.DataFrom, born)
	}
	for name, bs := range map[string][]slo.Bucket{"hourly": h.Hourly, "fine": h.Fine} {
		if len(bs) == 0 {
			t.Fatalf("no %s buckets", name)
		}
		if want := born.Truncate(FineStep); !bs[0].Start.Equal(want) || !bs[len(bs)-1].End.Equal(to) {
			t.Errorf("%s buckets cover (%s, %s], want (%s, %s]", name, bs[0].Start, bs[len(bs)-1].End, want, to)
		}
		if err := slo.CheckHistory(bs); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if sum := slo.SumHistory(bs); sum.Total != wantTotal || sum.Bad() != wantBad {
			t.Errorf("%s buckets hold %+v, want %v bad of %v", name, sum, wantBad, wantTotal)
		}
	}
	none, err := Read(ctx, store, availability("absent"), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Hourly) != 0 || len(none.Fine) != 0 || !none.DataFrom.IsZero() {
		t.Errorf("a selector without series got %d hourly and %d fine buckets, data from %s", len(none.Hourly), len(none.Fine), none.DataFrom)
	}
	if _, err := Read(ctx, store, availability("late"), Range{HourlyFrom: to.Add(-time.Hour + time.Minute), To: to}); err == nil {
		t.Error("a range off the 5m grid was accepted")
	}
}

// TestCutsAtLocalMidnight: in Asia/Kolkata the months start at 18:30 UTC;
// the hourly buckets they cut before the fine range come back as 5m buckets
// (Cuts), and with them spliced in the hourly history sums exactly across
// each month start, against a brute force over the samples.
func TestCutsAtLocalMidnight(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	to := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	start := to.Add(-50 * 24 * time.Hour)
	store := memory.New()
	var ok, bad []backend.Sample
	type ev struct {
		t          time.Time
		total, bad float64
	}
	var events []ev
	for i, ts := 0, start.Add(7*time.Second); ts.Before(to); i, ts = i+1, ts.Add(30*time.Second) {
		ok = append(ok, backend.Sample{T: ts.UnixMilli(), V: float64(100 + 3*i)})
		bad = append(bad, backend.Sample{T: ts.UnixMilli(), V: float64(7 + i/7)})
		if i > 0 {
			b := float64(i/7 - (i-1)/7)
			events = append(events, ev{ts, 3 + b, b})
		}
	}
	store.Add(labels.FromStrings("__name__", "requests_total", "service", "in", "code", "200"), ok...)
	store.Add(labels.FromStrings("__name__", "requests_total", "service", "in", "code", "500"), bad...)
	r := ForReview(to.Add(-20*24*time.Hour), to, 30*24*time.Hour)
	months := slo.MonthPeriods(kolkata)
	r.Periods = []slo.Periods{months, nil}
	h, err := Read(context.Background(), store, availability("in"), r)
	if err != nil {
		t.Fatal(err)
	}
	// Months start 31 January and 28 February 18:30 UTC; only the first is
	// before the fine range (the last 23 days).
	if len(h.Cuts) != 12 || !h.Cuts[0].Start.Equal(time.Date(2026, 1, 31, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("cuts %+v, want the 5m buckets of 31 January 18:00-19:00 UTC", h.Cuts)
	}
	refined, err := slo.Refine(h.Hourly, append(h.Cuts, h.Fine...), months)
	if err != nil {
		t.Fatal(err)
	}
	x, err := slo.NewHistoryIndex(refined)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range slo.PeriodsBetween(months, h.Hourly[0].Start, to) {
		lo, hi := m.Start, m.End
		if lo.Before(h.Hourly[0].Start) {
			lo = h.Hourly[0].Start
		}
		if hi.After(to) {
			hi = to
		}
		got, err := x.Sum(lo, hi)
		if err != nil {
			t.Fatalf("month from %s: %v", m.Start, err)
		}
		var want slo.Counts
		for _, e := range events {
			if e.t.After(lo) && !e.t.After(hi) {
				want.Total += e.total
				want.Good += e.total - e.bad
			}
		}
		if got != want {
			t.Errorf("month (%s, %s]: %+v, truth %+v", lo, hi, got, want)
		}
	}
}
