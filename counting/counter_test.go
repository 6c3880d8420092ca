package counting

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/slo"
)

// TestCountsMatchBruteForce evaluates every 30 s over three hours, then in
// jumps, and requires every window's good and total counts to equal a brute
// force count over the generated samples (resets, gaps, jitter, three
// series per selector).
func TestCountsMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	end := int64(1_700_000_000_000)
	start := end - 9*day
	store := memory.New()
	var total, bad []countergen.Counter
	for inst := range 3 {
		tc := countergen.Generate(rng, start, end, 15_000, 50)
		bc := countergen.Generate(rng, start, end, 15_000, 2)
		total, bad = append(total, tc), append(bad, bc)
		tc.Store(store, "__name__", "total", "instance", fmt.Sprint(inst))
		bc.Store(store, "__name__", "bad", "instance", fmt.Sprint(inst))
	}
	window := 7 * 24 * time.Hour
	c := newCounter(t, eventsSLI("bad", "total"), window, step)
	first := end - 3*HourMs
	first -= first % step
	var ats []int64
	for at := first; at <= end-2*HourMs; at += step {
		ats = append(ats, at)
	}
	for at := end - 2*HourMs; at <= end; at += 7 * step {
		ats = append(ats, at-at%step)
	}
	for _, at := range ats {
		got := countAll(t, c, store, at, windowsOf(window))
		for w, g := range got {
			from := at - w.Milliseconds()
			want := slo.Counts{Total: countergen.In(total, from, at)}
			want.Good = want.Total - countergen.In(bad, from, at)
			if g != want {
				t.Fatalf("at %s window %s: %+v, want %+v", time.UnixMilli(at).UTC(), w, g, want)
			}
		}
	}
	// Steady state reads only new samples plus an hourly edge refill: far
	// fewer than the window holds.
	_, before := store.Reads()
	countAll(t, c, store, ats[len(ats)-1]+step, windowsOf(window))
	if _, after := store.Reads(); after-before > 100 {
		t.Errorf("one steady-state cycle read %d samples", after-before)
	}
}

func TestCounterFeederResetAndOverlap(t *testing.T) {
	s := NewStream(1)
	f := newCounterFeeder(s)
	sp := func(ts int64, v float64) backend.Sample { return backend.Sample{T: ts, V: v} }
	ls := labels.FromStrings("__name__", "x")
	f.feed(ls, []backend.Sample{sp(10, 100), sp(20, 105), sp(30, 3)})
	// Overlapping re-read: samples at 20 and 30 are skipped.
	f.feed(ls, []backend.Sample{sp(20, 105), sp(30, 3), sp(40, 10)})
	bs, _ := s.Detail(HourMs)
	want := []Bucket{{20, 5}, {30, 3}, {40, 7}}
	if fmt.Sprint(bs) != fmt.Sprint(want) {
		t.Fatalf("buckets %v, want %v (first sample is a baseline; a drop is a reset)", bs, want)
	}
}

// Every window's lower edge enters its next hour at the full hour, for
// every SLO at once. The next edge hours are read ahead at a moment of the
// hour that differs per SLO, so no cycle carries all those reads, and the
// numbers stay exact across the full hour.
func TestEdgeReadsSpreadOverTheHour(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	end := int64(1_700_000_000_000)
	end -= end % HourMs
	store := memory.New()
	const n = 20
	window := 7 * 24 * time.Hour
	var counters []*Counter
	truths := map[int][2][]countergen.Counter{}
	for i := range n {
		var tc, bc []countergen.Counter
		for _, kind := range []string{"total", "bad"} {
			name := fmt.Sprintf("%s_%d", kind, i)
			g := countergen.Generate(rng, end-9*day, end+3*HourMs, 15_000, map[string]float64{"total": 30, "bad": 2}[kind])
			g.Store(store, "__name__", name)
			if kind == "total" {
				tc = append(tc, g)
			} else {
				bc = append(bc, g)
			}
		}
		truths[i] = [2][]countergen.Counter{tc, bc}
		// Prefetch moments spread over the hour, as the engine spreads them by name.
		c, err := New(eventsSLI(fmt.Sprintf("bad_%d", i), fmt.Sprintf("total_%d", i)), Options{
			Resolution: 30 * time.Second, Windows: windowsOf(window),
			PrefetchAt: time.Duration(5+i*50/n) * time.Minute,
		})
		if err != nil {
			t.Fatal(err)
		}
		counters = append(counters, c)
	}
	ctx := context.Background()
	start := end - 2*HourMs + 10*60_000
	for _, c := range counters {
		if err := c.Advance(ctx, store, time.UnixMilli(start)); err != nil {
			t.Fatal(err)
		}
	}
	maxQueries, boundary := 0, 0
	for at := start + step; at <= end+HourMs/2; at += step {
		before, _ := store.Reads()
		for i, c := range counters {
			got := countAll(t, c, store, at, []time.Duration{window, 24 * time.Hour})
			if want := countergen.In(truths[i][0], at-7*day, at); got[window].Total != want {
				t.Fatalf("slo %d at %d: window total %v, want %v", i, at, got[window].Total, want)
			}
			if want := countergen.In(truths[i][1], at-day, at); got[24*time.Hour].Bad() != want {
				t.Fatalf("slo %d at %d: 1d bad %v, want %v", i, at, got[24*time.Hour].Bad(), want)
			}
		}
		after, _ := store.Reads()
		got := after - before
		maxQueries = max(maxQueries, got)
		if at%HourMs == 0 {
			boundary = got
		}
	}
	// Each cycle reads the new samples of 2 selectors per SLO. Edge reads of
	// 4 windows × 2 selectors for all 20 SLOs in one cycle would add 160.
	if boundary > 2*n+8 || maxQueries > 2*n+3*8 {
		t.Errorf("queries per cycle: %d at the full hour, %d at most; want edge reads spread over the hour", boundary, maxQueries)
	}
	t.Logf("queries per cycle: %d at the full hour, at most %d (head reads alone: %d)", boundary, maxQueries, 2*n)
}

// laggingSource shows only samples at least lag older than now, like a
// Prometheus fed by remote write or federation minutes late.
type laggingSource struct {
	inner backend.Source
	lag   time.Duration
	now   *int64 // ms
}

func (l laggingSource) Samples(ctx context.Context, sel string, from, to time.Time) ([]backend.Series, error) {
	ss, err := l.inner.Samples(ctx, sel, from, to)
	if err != nil {
		return nil, err
	}
	visible := *l.now - l.lag.Milliseconds()
	var out []backend.Series
	for _, s := range ss {
		i := upToIndex(s.Floats, visible)
		if i > 0 {
			out = append(out, backend.Series{Labels: s.Labels, Floats: s.Floats[:i]})
		}
	}
	return out, nil
}

// Samples that arrive minutes after their timestamp must still be counted,
// at their own timestamps, once they arrive.
func TestLateSamplesAreCounted(t *testing.T) {
	const lag = 2 * time.Minute
	rng := rand.New(rand.NewSource(11))
	end := int64(1_700_000_000_000)
	end -= end % step
	store := memory.New()
	var total, bad []countergen.Counter
	for inst := range 2 {
		for _, kind := range []string{"total", "bad"} {
			g := countergen.Generate(rng, end-3*day, end, 15_000, map[string]float64{"total": 50, "bad": 3}[kind])
			store.Add(labels.FromStrings("__name__", kind, "instance", fmt.Sprint(inst)), g.Samples...)
			if kind == "total" {
				total = append(total, g)
			} else {
				bad = append(bad, g)
			}
		}
	}
	var now int64
	src := laggingSource{inner: store, lag: lag, now: &now}
	c := newCounter(t, eventsSLI("bad", "total"), 24*time.Hour, step)
	windows := []time.Duration{5 * time.Minute, time.Hour, 24 * time.Hour}
	for at := end - 2*HourMs; at <= end; at += step {
		now = at
		got := countAll(t, c, src, at, windows)
		visible := at - lag.Milliseconds()
		for _, w := range windows {
			from := at - w.Milliseconds()
			want := slo.Counts{Total: countergen.In(total, from, visible)}
			want.Good = want.Total - countergen.In(bad, from, visible)
			if got[w] != want {
				t.Fatalf("at %s with samples %s late: %s window %+v, want %+v", time.UnixMilli(at).UTC(), lag, w, got[w], want)
			}
		}
	}
}
