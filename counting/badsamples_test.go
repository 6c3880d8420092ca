package counting

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

// truthSkippingBad counts a series' events in (from, to] by the bad-sample
// rule, written out plainly: a bad sample (NaN, ±Inf, negative) forgets the
// previous value, so the next good sample only sets a baseline.
func truthSkippingBad(samples []backend.Sample, from, to int64) float64 {
	var total float64
	var prev float64
	have := false
	for _, s := range samples {
		if math.IsNaN(s.V) || math.IsInf(s.V, 0) || s.V < 0 {
			have = false
			continue
		}
		if have && s.T > from && s.T <= to {
			if s.V >= prev {
				total += s.V - prev
			} else {
				total += s.V // a reset
			}
		}
		prev, have = s.V, true
	}
	return total
}

// TestBadSampleRule walks the cases the rule must get right, one series
// each, and checks the events counted and the bad samples recorded.
func TestBadSampleRule(t *testing.T) {
	staleNaN := math.Float64frombits(value.StaleNaN)
	for _, c := range []struct {
		name   string
		values []float64
		events float64 // events of the samples after the first
		bad    map[string]int
	}{
		{"NaN between two good samples", []float64{10, 20, math.NaN(), 35, 40}, 10 + 5, map[string]int{ReasonNaN: 1}},
		{"Inf then Inf: never Inf - Inf", []float64{10, math.Inf(1), math.Inf(1), 25, 30}, 5, map[string]int{ReasonInf: 2}},
		{"-Inf", []float64{10, math.Inf(-1), 12, 13}, 1, map[string]int{ReasonInf: 1}},
		{"a negative value", []float64{10, 20, -5, 3, 8}, 10 + 5, map[string]int{ReasonNegative: 1}},
		{"a staleness marker followed by a reset", []float64{100, 110, staleNaN, 3, 8}, 10 + 5, map[string]int{ReasonNaN: 1}},
		{"a reset without a bad sample", []float64{100, 110, 3, 8}, 10 + 3 + 5, nil},
		{"bad first sample", []float64{math.NaN(), 5, 9}, 4, map[string]int{ReasonNaN: 1}},
		{"only bad samples", []float64{math.NaN(), math.Inf(1), -1}, 0, map[string]int{ReasonNaN: 1, ReasonInf: 1, ReasonNegative: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := int64(1_700_000_000_000)
			base -= base % HourMs
			var samples []backend.Sample
			for i, v := range c.values {
				samples = append(samples, backend.Sample{T: base + int64(i+1)*15_000, V: v})
			}
			if got := truthSkippingBad(samples, base, base+HourMs); got != c.events {
				t.Fatalf("the test's own truth says %v, the case says %v", got, c.events)
			}
			s := NewStream(1000)
			f := newCounterFeeder(s)
			got := map[string]int{}
			f.bad = func(_ labels.Labels, _ int64, reason string) { got[reason]++ }
			ls := labels.FromStrings("__name__", "x")
			// Fed twice, overlapping: nothing counts or is recorded twice.
			f.feed(ls, samples[:3])
			f.feed(ls, samples)
			sum, _, _ := s.Sum(base, base+HourMs)
			if sum != c.events || math.IsNaN(sum) {
				t.Errorf("events %v, want %v", sum, c.events)
			}
			if fmt.Sprint(got) != fmt.Sprint(orEmpty(c.bad)) {
				t.Errorf("bad samples recorded %v, want %v", got, c.bad)
			}
			if cur := f.cursors[ls.Hash()]; cur.ts != samples[len(samples)-1].T {
				t.Errorf("read position %d, want past every sample (%d)", cur.ts, samples[len(samples)-1].T)
			}
		})
	}
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// TestBadSamplesThroughTheCounter blips NaN, +Inf and negative values into
// counters over days of history and the recent hours, and counts them the
// way serve does (start-up, every step, folded hours, edge reads): every
// window's counts equal the truth with the bad samples left out by the
// rule, the evaluation never fails, and each bad sample is recorded once.
func TestBadSamplesThroughTheCounter(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	end := int64(1_700_000_000_000)
	end -= end % step
	start := end - 3*day
	store := memory.New()
	series := map[string][][]backend.Sample{}
	badCount := 0
	for _, name := range []string{"total", "bad"} {
		for inst := range 2 {
			var ss []backend.Sample
			v := 100.0
			for ts := start + rng.Int63n(15_000); ts <= end; ts += 15_000 {
				if name == "bad" {
					v += float64(rng.Intn(3))
				} else {
					v += float64(rng.Intn(40))
				}
				smp := backend.Sample{T: ts, V: v}
				if rng.Intn(500) == 0 {
					v = 0 // a reset
				}
				if rng.Intn(300) == 0 {
					smp.V = []float64{math.NaN(), math.Inf(1), -5, math.Float64frombits(value.StaleNaN)}[rng.Intn(4)]
					badCount++
				}
				ss = append(ss, smp)
			}
			store.Add(labels.FromStrings("__name__", name, "instance", fmt.Sprint(inst)), ss...)
			series[name] = append(series[name], ss)
		}
	}
	truth := func(name string, from, to int64) float64 {
		var n float64
		for _, ss := range series[name] {
			n += truthSkippingBad(ss, from, to)
		}
		return n
	}
	window := 24 * time.Hour
	c := newCounter(t, eventsSLI("bad", "total"), window, step)
	recorded := 0
	for at := end - 2*HourMs; at <= end; at += 13 * step {
		got := countAll(t, c, store, at, windowsOf(window))
		for w, g := range got {
			from := at - w.Milliseconds()
			want := slo.Counts{Total: truth("total", from, at)}
			want.Good = want.Total - truth("bad", from, at)
			if g != want {
				t.Fatalf("at %s, %s window: %+v, want %+v", time.UnixMilli(at).UTC(), w, g, want)
			}
		}
		for _, n := range c.TakeBadSamples() {
			recorded += n
		}
	}
	// The counter reads 3 days (the longest window) plus an hour of
	// lookback; bad samples before that were never read.
	inRange := 0
	for _, name := range []string{"total", "bad"} {
		for _, ss := range series[name] {
			for _, s := range ss {
				if badReason(s.V) != "" && s.T > end-2*HourMs-3*day {
					inRange++
				}
			}
		}
	}
	if recorded != inRange || inRange == 0 {
		t.Errorf("%d bad samples recorded, %d read (of %d generated)", recorded, inRange, badCount)
	}
	notes := strings.Join(c.Notes(), "\n")
	if !strings.Contains(notes, "bad counter sample(s) skipped") || !strings.Contains(notes, "new baseline") {
		t.Errorf("notes %q do not name the bad samples", notes)
	}
}

func TestNaNGaugeIsABadSlice(t *testing.T) {
	end := int64(1_700_000_040_000)
	end -= end % 60_000
	store := memory.New()
	var vals []backend.Sample
	for i := int64(1); i <= 10; i++ {
		v := 5.0
		if i == 7 {
			v = math.NaN()
		}
		vals = append(vals, backend.Sample{T: end - 600_000 + i*60_000 - 30_000, V: v})
	}
	store.Add(labels.FromStrings("__name__", "lag"), vals...)
	sli := slo.SLI{TimeSlice: &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}}
	c := newCounter(t, sli, 24*time.Hour, step)
	got := countAll(t, c, store, end, []time.Duration{24 * time.Hour})
	if g := got[24*time.Hour]; g.Total != 10 || g.Good != 9 {
		t.Errorf("slices: %v good of %v, want 9 of 10 (a NaN lag does not satisfy lag < 900)", g.Good, g.Total)
	}
}
