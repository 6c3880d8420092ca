package slo_test

import (
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// The truth for replayed alerts: the SRE Workbook's conditions for a 30d
// window written out by hand (page: 1h and 5m above 14.4, or 6h and 30m
// above 6; ticket: 1d and 2h above 3, or 3d and 6h above 1), each window
// summed with a loop over 5m buckets, and "above" compared in integers
// (bad × 1000 × 5 > 72 × total for 14.4) so no rounding can decide.

type fiveMinute struct{ total, bad []int64 }

func (f fiveMinute) buckets(start time.Time) []slo.Bucket {
	out := make([]slo.Bucket, len(f.total))
	for i := range f.total {
		s := start.Add(time.Duration(i) * 5 * time.Minute)
		out[i] = slo.Bucket{Start: s, End: s.Add(5 * time.Minute),
			Counts: slo.Counts{Good: float64(f.total[i] - f.bad[i]), Total: float64(f.total[i])}}
	}
	return out
}

// above reports whether the window of n buckets ending at bucket k burns
// faster than factor num/den, for a 99.9% objective.
func (f fiveMinute) above(k, n int, num, den int64) bool {
	var bad, total int64
	for i := max(0, k-n+1); i <= k; i++ {
		bad += f.bad[i]
		total += f.total[i]
	}
	return total > 0 && bad*1000*den > num*total
}

func (f fiveMinute) page(k int) bool {
	return (f.above(k, 12, 72, 5) && f.above(k, 1, 72, 5)) || (f.above(k, 72, 6, 1) && f.above(k, 6, 6, 1))
}

func (f fiveMinute) ticket(k int) bool {
	return (f.above(k, 288, 3, 1) && f.above(k, 24, 3, 1)) || (f.above(k, 864, 1, 1) && f.above(k, 72, 1, 1))
}

func TestSimulateAlertsAgainstHandWrittenConditions(t *testing.T) {
	s := fcSLO(99.9, 30*24*time.Hour)
	start := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	const n = 6 * 288 // six days
	f := fiveMinute{total: make([]int64, n), bad: make([]int64, n)}
	for i := range f.total {
		f.total[i] = 499
	}
	set := func(from, to int, bad int64) {
		for i := from; i < to; i++ {
			f.bad[i] = bad
		}
	}
	set(300, 320, 20)   // a sharp burst: 4% errors for 100 minutes: pages
	set(330, 332, 30)   // a second spike 50 minutes later: a second page edge?
	set(900, 1000, 4)   // a slow leak of 0.8% for 8h: tickets, maybe a 6h page
	set(1400, 1430, 12) // another burst
	buckets := f.buckets(start)

	from := start.Add(24 * time.Hour) // review from day 2: steps before are history
	to := start.Add(n * 5 * time.Minute)
	steps, err := slo.SimulateAlerts(s, buckets, from, to, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	firstIdx := 288 - 1 // the bucket ending at from: the step before the period
	if len(steps) != n-firstIdx {
		t.Fatalf("%d steps, want %d (every 5m in the period plus the one before)", len(steps), n-firstIdx)
	}
	var wantPages, wantTickets int
	for j, st := range steps {
		k := firstIdx + j
		if !st.At.Equal(buckets[k].End) {
			t.Fatalf("step %d at %s, want %s", j, st.At, buckets[k].End)
		}
		if st.Page != f.page(k) || st.Ticket != f.ticket(k) {
			t.Errorf("at bucket %d (%s): page %v ticket %v, truth %v %v", k, st.At, st.Page, st.Ticket, f.page(k), f.ticket(k))
		}
		if j > 0 {
			if f.page(k) && !f.page(k-1) {
				wantPages++
			}
			if f.ticket(k) && !f.ticket(k-1) {
				wantTickets++
			}
		}
	}
	if wantPages < 2 || wantTickets < 1 {
		t.Fatalf("premise: the truth has %d page and %d ticket edges; want at least 2 and 1", wantPages, wantTickets)
	}
	if got := len(slo.RisingEdges(steps, from, "page")); got != wantPages {
		t.Errorf("%d page edges, truth %d", got, wantPages)
	}
	if got := len(slo.RisingEdges(steps, from, "ticket")); got != wantTickets {
		t.Errorf("%d ticket edges, truth %d", got, wantTickets)
	}
	spans := slo.AlertSpans(steps, "page")
	if len(spans) != wantPages {
		t.Errorf("%d page spans, want one per rising edge (%d)", len(spans), wantPages)
	}
	for _, sp := range spans {
		k := int(sp.End.Sub(start)/(5*time.Minute)) - 1
		if !f.page(k) || (k+1 < n && f.page(k+1)) {
			t.Errorf("page span %v does not end at the last paging step", sp)
		}
	}
}

// An alert already firing at the period's start was raised before it.
func TestRisingEdgesIgnoreAlertFiringBeforeThePeriod(t *testing.T) {
	at := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	steps := []slo.AlertStep{
		{At: at, Page: true},
		{At: at.Add(5 * time.Minute), Page: true},
		{At: at.Add(10 * time.Minute)},
		{At: at.Add(15 * time.Minute), Page: true},
	}
	if got := slo.RisingEdges(steps, at, "page"); len(got) != 1 || !got[0].Equal(at.Add(15*time.Minute)) {
		t.Errorf("edges %v, want only the one at +15m", got)
	}
	if got := slo.RisingEdges(steps, at.Add(-time.Minute), "page"); len(got) != 2 {
		t.Errorf("without a step before the period, the first firing step counts: %v", got)
	}
}
