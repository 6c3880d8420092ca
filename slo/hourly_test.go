package slo_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// engineShaped builds buckets as the engine publishes them: from an instant
// inside an hour to the next full hour, full hours, and the last full hour
// to at (inside an hour).
func engineShaped(from, at time.Time, f func(i int) (total, bad float64)) []slo.Bucket {
	var out []slo.Bucket
	for lo, i := from, 0; lo.Before(at); i++ {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		if hi.After(at) {
			hi = at
		}
		total, bad := f(i)
		out = append(out, slo.Bucket{Start: lo, End: hi, Counts: slo.Counts{Good: total - bad, Total: total}})
		lo = hi
	}
	return out
}

func TestHourlyHistoryRoundTrip(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 20, 30, 0, time.UTC)
	from := at.Add(-30 * 24 * time.Hour)
	bs := engineShaped(from, at, func(i int) (float64, float64) { return float64(100 + i), float64(i % 7) })
	h, err := slo.NewHourlyHistory(bs)
	if err != nil {
		t.Fatal(err)
	}
	back := h.Buckets()
	if len(back) != len(bs) || len(bs) != 721 {
		t.Fatalf("%d buckets back from %d, want 721", len(back), len(bs))
	}
	for i := range bs {
		if back[i] != bs[i] {
			t.Fatalf("bucket %d: %+v, want %+v", i, back[i], bs[i])
		}
	}
	since := h.Since(at.Add(-90 * time.Minute))
	if len(since) != 3 || !since[0].Start.Equal(at.Truncate(time.Hour).Add(-2*time.Hour)) {
		t.Errorf("since 90 minutes ago: %d buckets from %s, want 3 from 10:00", len(since), since[0].Start)
	}
	if _, err := slo.NewHourlyHistory([]slo.Bucket{{Start: at.Add(-time.Hour), End: at.Add(-30 * time.Minute)}, {Start: at.Add(-30 * time.Minute), End: at}}); err == nil {
		t.Error("an inner edge off the hour was accepted")
	}
}

// TestBurnRateSeriesEngineShaped: on the engine's history the burn rates are
// drawn at every full hour whose window lies inside the history, and the
// point at the instant itself (its window starts inside a bucket) is left
// out instead of failing the whole chart.
func TestBurnRateSeriesEngineShaped(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 20, 30, 0, time.UTC)
	s := fcSLO(99.9, 30*24*time.Hour)
	bs := engineShaped(at.Add(-30*24*time.Hour), at, func(i int) (float64, float64) { return 1000, float64(i % 3) })
	pts, err := slo.BurnRateSeries(s, bs, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// 721 buckets: the first ends at 13:00 thirty days ago, whose hour
	// starts before the history; the last ends at the instant.
	if len(pts) != 719 || !pts[len(pts)-1].At.Equal(at.Truncate(time.Hour)) {
		t.Fatalf("%d points ending %s, want 719 ending at 12:00", len(pts), pts[len(pts)-1].At)
	}
	// The burn rate of the hour ending at 12:00: bucket 719 (bad 719 % 3 = 2).
	if want := 2.0 / 1000 / 0.001; pts[len(pts)-1].Value < want*(1-1e-12) || pts[len(pts)-1].Value > want*(1+1e-12) {
		t.Errorf("last point %v, want %v", pts[len(pts)-1].Value, want)
	}
	p := slo.DefaultPolicy()
	if _, err := slo.ChartSeries(s, &p, slo.ChartInput{Window: bs, PageSpans: []slo.Period{}}); err != nil {
		t.Errorf("chart series of the engine's history: %v", err)
	}
}

// TestForecastJSONRoundTrip: +Inf exhaustion is null in JSON and +Inf again
// when read back; a finite one survives as written.
func TestForecastJSONRoundTrip(t *testing.T) {
	settles := 0.5
	for _, e := range []float64{math.Inf(1), 3600, 0} {
		in := slo.Forecast{ExhaustionSeconds: e, Settles: &settles, State: "caution", NextBetter: "healthy",
			Recovery: &slo.Recovery{From: "caution", State: "healthy", Seconds: 7200}}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out slo.Forecast
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		if out.ExhaustionSeconds != e || out.Recovery == nil || out.Recovery.Seconds != 7200 || *out.Settles != 0.5 || out.State != "caution" {
			t.Errorf("%v round-tripped through %s as %+v", e, b, out)
		}
	}
}

// TestHourlyHistoryAppendSince: AppendSince appends to what dst holds
// exactly the buckets of the expanded history from the one holding t on
// (the last one always), and Since is the same.
func TestHourlyHistoryAppendSince(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 20, 30, 0, time.UTC)
	from := at.Add(-72 * time.Hour).Add(-7 * time.Minute)
	h, err := slo.NewHourlyHistory(engineShaped(from, at, func(i int) (float64, float64) { return float64(100 + i), float64(i % 3) }))
	if err != nil {
		t.Fatal(err)
	}
	all := h.Buckets()
	marker := slo.Bucket{Start: from.Add(-time.Hour), End: from, Counts: slo.Counts{Good: 1, Total: 2}}
	buf := make([]slo.Bucket, 0, 4)
	for _, cut := range []time.Time{from.Add(-time.Hour), from, from.Add(time.Minute), all[1].End, all[10].End.Add(-time.Second), at.Add(-time.Minute), at, at.Add(time.Hour)} {
		want := all
		for len(want) > 1 && !want[0].End.After(cut) {
			want = want[1:]
		}
		buf = h.AppendSince(append(buf[:0], marker), cut)
		if len(buf) != len(want)+1 || buf[0] != marker {
			t.Fatalf("since %s: %d buckets after the marker %v, want %d", cut, len(buf)-1, buf[0], len(want))
		}
		for i, b := range want {
			if g := buf[i+1]; !g.Start.Equal(b.Start) || !g.End.Equal(b.End) || g.Counts != b.Counts {
				t.Fatalf("since %s: bucket %d is %v, want %v", cut, i, g, b)
			}
		}
		if got := h.Since(cut); len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Fatalf("Since(%s): %d buckets, want %d", cut, len(got), len(want))
		}
	}
	var empty *slo.HourlyHistory
	if got := empty.AppendSince(buf[:1], at); len(got) != 1 {
		t.Errorf("a nil history appended %d buckets", len(got)-1)
	}
}
