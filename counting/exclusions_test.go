package counting

import (
	"context"
	"fmt"
	"math/rand"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/promapi"
	"github.com/slobudget/slobudget/slo"
)

// excludedTruth counts, by brute force over the generated samples, the events
// revealed in (from, to] outside every span, and those inside each span (a
// sample inside two spans belongs to the first). It shares nothing with the
// counting under test but the rule itself.
func excludedTruth(cs []countergen.Counter, spans []Span, from, to int64) (kept float64, per []float64) {
	per = make([]float64, len(spans))
	for _, c := range cs {
		for i, s := range c.Samples {
			if s.T <= from || s.T > to {
				continue
			}
			owner := -1
			for j, sp := range spans {
				if s.T >= sp.From.UnixMilli() && s.T < sp.To.UnixMilli() {
					owner = j
					break
				}
			}
			if owner < 0 {
				kept += c.Events[i]
			} else {
				per[owner] += c.Events[i]
			}
		}
	}
	return kept, per
}

// TestExclusionsRemoveExactlyTheirSamples counts a week of counters with
// three exclusions whose edges lie off the evaluation grid and off the hour
// (one days back, inside hours the backend computes; one overlapping it; one
// in the recent raw hours), through the hourly path (Prometheus's own PromQL
// engine behind the HTTP client) and through raw reads. Every window's
// counts must equal the truth without the excluded samples, and Excluded
// must return exactly what each exclusion removed.
func TestExclusionsRemoveExactlyTheirSamples(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	end := int64(1_700_000_000_000)
	end -= end % step
	start := end - 9*day
	store := memory.New()
	var total, bad []countergen.Counter
	for inst := range 2 {
		tc := countergen.Generate(rng, start, end, 15_000, 40)
		bc := countergen.Generate(rng, start, end, 15_000, 3)
		total, bad = append(total, tc), append(bad, bc)
		tc.Store(store, "__name__", "total", "instance", fmt.Sprint(inst))
		bc.Store(store, "__name__", "bad", "instance", fmt.Sprint(inst))
	}
	ms := func(v int64) time.Time { return time.UnixMilli(v) }
	spans := []Span{
		{From: ms(end - 3*day + 12_345), To: ms(end - 3*day + 3*HourMs + 777)},
		{From: ms(end - 3*day + 2*HourMs + 1), To: ms(end - 3*day + 5*HourMs - 4_321)}, // overlaps the first
		{From: ms(end - 90*60_000 + 7_001), To: ms(end - 20*60_000 + 1)},
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	defer srv.Close()
	prom, err := backend.NewPrometheus(backend.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	window := 7 * 24 * time.Hour
	for name, src := range map[string]backend.Source{"hourly": prom, "raw": struct{ backend.Source }{store}} {
		c, err := New(eventsSLI("bad", "total"), Options{Resolution: time.Duration(step) * time.Millisecond,
			Windows: windowsOf(window), PrefetchAt: 20 * time.Minute, Exclusions: spans})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int64{end - HourMs, end - HourMs + step, end} {
			got := countAll(t, c, src, at, windowsOf(window))
			for w, g := range got {
				from := at - w.Milliseconds()
				keptTotal, perTotal := excludedTruth(total, spans, from, at)
				keptBad, perBad := excludedTruth(bad, spans, from, at)
				if want := (slo.Counts{Good: keptTotal - keptBad, Total: keptTotal}); g != want {
					t.Errorf("%s at %s, %s window: counted %+v, want %+v", name, ms(at).UTC(), w, g, want)
				}
				ex, err := c.Excluded(context.Background(), src, ms(from), ms(at))
				if err != nil {
					t.Fatal(err)
				}
				for i := range spans {
					want := slo.Counts{Good: perTotal[i] - perBad[i], Total: perTotal[i]}
					if ex[i] != want {
						t.Errorf("%s at %s, %s window, exclusion %d: excluded %+v, want %+v", name, ms(at).UTC(), w, i, ex[i], want)
					}
				}
			}
		}
		// The test means something only if each exclusion removed events
		// from the SLO window.
		ex, _ := c.Excluded(context.Background(), src, ms(end-window.Milliseconds()), ms(end))
		for i, e := range ex {
			if e.Total == 0 || e.Bad() == 0 {
				t.Errorf("%s: exclusion %d removed %+v: the data does not exercise it", name, i, e)
			}
		}
	}
}

// TestTimeSliceExclusion: a slice is excluded when its end lies in the span.
// Two hours of one-minute slices of a gauge, bad from minute 30 to 89; the
// exclusion [minute 40 + 1s, minute 70 + 1s) holds the slices ending at
// minutes 41 to 70. Counted by hand: 120 slices, 60 bad; 30 excluded, all bad.
func TestTimeSliceExclusion(t *testing.T) {
	start := CeilTo(minuteBase, HourMs) // the slices' grid
	var pts []backend.Sample
	for m := int64(0); m <= 120; m++ {
		v := 100.0
		if m >= 30 && m < 90 {
			v = 2000
		}
		// A sample 20 s into each minute: the slice ending at minute m+1.
		pts = append(pts, backend.Sample{T: start + m*60_000 + 20_000, V: v})
	}
	store := memory.New()
	store.Add(gaugeStream("lag", "a").Labels, pts...)
	sli := slo.SLI{TimeSlice: &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}}
	spans := []Span{{From: time.UnixMilli(start + 40*60_000 + 1_000), To: time.UnixMilli(start + 70*60_000 + 1_000)}}
	c, err := New(sli, Options{Resolution: time.Duration(step) * time.Millisecond, Windows: windowsOf(24 * time.Hour), PrefetchAt: -1, Exclusions: spans})
	if err != nil {
		t.Fatal(err)
	}
	at := start + 120*60_000
	ctx := context.Background()
	if err := c.Advance(ctx, store, time.UnixMilli(at)); err != nil {
		t.Fatal(err)
	}
	// The window (start, at] holds the slices ending at minutes 1 to 120:
	// the sample of minute m decides the slice ending at m+1; minutes 30
	// to 89 are bad, so slices ending 31 to 90. Excluded: ends 41 to 70.
	got, err := c.Count(ctx, store, time.UnixMilli(start), time.UnixMilli(at))
	if err != nil {
		t.Fatal(err)
	}
	if want := (slo.Counts{Good: 60, Total: 90}); got != want {
		t.Errorf("counted %+v, want %+v", got, want)
	}
	ex, err := c.Excluded(ctx, store, time.UnixMilli(start), time.UnixMilli(at))
	if err != nil {
		t.Fatal(err)
	}
	if want := (slo.Counts{Good: 0, Total: 30}); len(ex) != 1 || ex[0] != want {
		t.Errorf("excluded %+v, want [%+v]", ex, want)
	}
}

// TestKeptEdgeIsReadOnce: a fixed window start inside an hour (local
// midnight at +05:30) is read from the backend once, not at every cycle,
// and its counts stay exact.
func TestKeptEdgeIsReadOnce(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	end := int64(1_700_000_000_000)
	end -= end % step
	store := memory.New()
	tc := countergen.Generate(rng, end-3*day, end, 15_000, 20)
	tc.Store(store, "__name__", "total")
	// Half past an hour, and no window's edge hour (2d window, 3d burn
	// window) nor the hour after one.
	edge := FloorTo(end-36*HourMs, HourMs) + 30*60_000
	c := newCounter(t, eventsSLI("absent", "total"), 2*24*time.Hour, step)
	c.KeepEdge(time.UnixMilli(edge))
	ctx := context.Background()
	var reads []int
	for at := end - 10*step; at <= end; at += step {
		if err := c.Advance(ctx, store, time.UnixMilli(at)); err != nil {
			t.Fatal(err)
		}
		_, before := store.Reads()
		got, err := c.Count(ctx, store, time.UnixMilli(edge), time.UnixMilli(at))
		if err != nil {
			t.Fatal(err)
		}
		_, after := store.Reads()
		reads = append(reads, after-before)
		if want := countergen.In([]countergen.Counter{tc}, edge, at); got.Total != want {
			t.Fatalf("at %d: %v, want %v", at, got.Total, want)
		}
	}
	for i, n := range reads[1:] {
		if n != 0 {
			t.Errorf("count %d read %d samples again: the edge hour was not kept (reads %v)", i+1, n, reads)
		}
	}
}
