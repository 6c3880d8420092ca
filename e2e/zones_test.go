package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/review"
)

// TestReviewCalendarMonthInKolkata: a calendar month in Asia/Kolkata
// (+05:30) starts at 18:30 UTC, inside an hour, weeks before the review's
// 5-minute history begins. `review --timezone=Asia/Kolkata` on a real
// Prometheus gives each local month's events and the time spent in each
// policy state (the window from the local month's start at every hour)
// exactly as the brute force over the samples says.
func TestReviewCalendarMonthInKolkata(t *testing.T) {
	d, prom, cfgPath := reviewFixture(t)
	bin := buildSlobudget(t)
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	yml, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	yml = bytes.ReplaceAll(yml, []byte("window: 28d"), []byte("window: {calendar: month, timezone: Asia/Kolkata}"))
	cfg := filepath.Join(t.TempDir(), "kolkata.yml")
	if err := os.WriteFile(cfg, yml, 0o644); err != nil {
		t.Fatal(err)
	}
	// 90 days to the end of March, and 30 days to 20 March: the first
	// hours of that period sit in a month that began 18 days before it.
	for _, c := range []struct {
		to    time.Time
		since time.Duration
	}{{synth.ReviewEnd, 90 * 24 * time.Hour}, {time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), 30 * 24 * time.Hour}} {
		checkKolkataReview(t, d, bin, prom.URL, cfg, kolkata, c.to.Add(-c.since), c.to)
	}
}

func checkKolkataReview(t *testing.T, d *synth.ReviewSet, bin, url, cfg string, kolkata *time.Location, from, to time.Time) {
	t.Helper()
	out := runCLIOK(t, bin, "review", "--config.file="+cfg, "--prometheus.url="+url, "--slo=checkout-availability",
		"--time="+to.Format(time.RFC3339), "--since="+fmt.Sprintf("%dd", int(to.Sub(from).Hours()/24)), "--format=json", "--timezone=Asia/Kolkata")
	var rv review.Review
	if err := json.Unmarshal(out, &rv); err != nil {
		t.Fatal(err)
	}
	if len(rv.SLOs) != 1 {
		t.Fatalf("review %+v", rv)
	}
	f := rv.SLOs[0].Actual
	tr := newReviewTruth(d, d.Service("checkout"))
	monthStart := func(t time.Time) time.Time {
		l := t.Add(-time.Nanosecond).In(kolkata)
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, kolkata)
	}
	var bounds []time.Time
	for m := monthStart(from.Add(time.Nanosecond)); m.Before(to); m = m.AddDate(0, 1, 0) {
		bounds = append(bounds, m)
	}
	if len(f.Months) != len(bounds) {
		t.Fatalf("%d months, want %d: %+v", len(f.Months), len(bounds), f.Months)
	}
	for i, m := range bounds {
		lo, hi := m, m.AddDate(0, 1, 0)
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		bad, total := tr.sum(lo, hi)
		got := f.Months[i]
		if got.Label != m.Format("2006-01") || got.Events.Total != total || got.Events.Bad() != bad {
			t.Errorf("month %s: %+v, truth (%s, %s] %v bad of %v", m.Format("2006-01"), got, lo, hi, bad, total)
		}
	}
	seconds := map[string]float64{}
	for at := from.Add(time.Hour); !at.After(to); at = at.Add(time.Hour) {
		bad, total := tr.sum(monthStart(at), at)
		remaining := 1.0
		if total > 0 {
			remaining = 1 - bad/(0.001*total)
		}
		state := defaultPolicyState(remaining)
		seconds[state] += 3600
	}
	for _, st := range f.States {
		if st.Seconds != seconds[st.State] {
			t.Errorf("%s: %v s, truth %v s (all %+v, truth %v)", st.State, st.Seconds, seconds[st.State], f.States, seconds)
		}
	}
	for _, n := range f.Notes {
		t.Logf("note: %s", n)
	}
}
