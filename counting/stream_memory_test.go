package counting

import "testing"

// A stream folded every evaluation for a week, 30-day window, 30 s steps and
// a sample every 15 s, keeps: whole counts below 2¹⁶ at 2 bytes an hour, the hours of
// the data only (plus append's slack), and buckets only for the open hours
// (the edge hours Fold is told to keep lost theirs when they were sealed:
// the Counter reads those again), at 8 bytes a bucket.
// The numbers are the layout's, counted, not timed or measured from the
// runtime.
func TestStreamMemoryStaysBoundedOverAWeek(t *testing.T) {
	const res = int64(30_000)
	s := NewStream(res)
	start := int64(1_700_000_000_000) / HourMs * HourMs
	span := 30 * 24 * HourMs
	week := 7 * 24 * HourMs
	for at := start + res; at <= start+week; at += res {
		// Two samples per step, each revealing 3 events.
		s.Add(at-res/2, 3)
		s.Add(at, 3)
		// As Counter.Advance: the edges of a 6h and a 1d window (two hours
		// each), the open hours after the 3h fine span.
		keep := map[int64]bool{}
		for _, w := range []int64{6 * HourMs, 24 * HourMs} {
			e := CeilTo(at-w, HourMs)
			keep[e], keep[e+HourMs] = true, true
		}
		s.Fold(FloorTo(at-fineSpan, HourMs), keep, at-span-2*HourMs)
	}
	totals, detail := s.bytes()
	hours := int(week / HourMs)
	t.Logf("%d hours: totals %d bytes, %d hours of buckets in %d bytes", hours, totals, len(s.detail), detail)
	if s.totals.Wide() {
		t.Fatalf("whole counts were widened to float64")
	}
	// append's growth leaves at most a quarter more than the length at
	// this size, plus the smaller doublings' rounding.
	if totals > 2*(hours+hours/4+64) {
		t.Fatalf("hourly totals of %d hours take %d bytes, want about %d", hours, totals, 2*hours)
	}
	if got, want := len(s.detail), 4; got > want {
		t.Fatalf("%d hours keep buckets, want at most %d (the open hours after the 3h fine span)", got, want)
	}
	// 120 buckets an hour, 8 bytes each, capacity at most 128.
	if detail > len(s.detail)*128*8 {
		t.Fatalf("buckets of %d hours take %d bytes, want at most %d", len(s.detail), detail, len(s.detail)*128*8)
	}
	// The counts are still right: a day's worth, and one cut inside an open hour.
	if got, _, ok := s.Sum(start+week-24*HourMs, start+week); !ok || got != 24*120*6 {
		t.Fatalf("last day: %v (ok %v), want %d", got, ok, 24*120*6)
	}
	if got, _, ok := s.Sum(start+week-90*60_000, start+week); !ok || got != 180*6 {
		t.Fatalf("last 90 minutes: %v (ok %v), want %d", got, ok, 180*6)
	}
}
