// Package countergen generates raw counter series with resets, scrape gaps
// and jittered scrapes for unit tests, and keeps, next to every sample, the
// events it revealed, so tests can count the truth by brute force with code
// that shares nothing with the counting under test.
package countergen

import (
	"math/rand"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
)

// Counter is one generated counter series with the events each sample
// revealed.
type Counter struct {
	Samples []backend.Sample
	// Events[i] is what Samples[i] revealed; Events[0] is the baseline, 0.
	Events []float64
}

// Generate makes a counter sampled about every scrape ms with ±1 s jitter,
// with rare resets and scrape gaps, starting at start and ending at end (ms).
// Events per sample are uniform in [0, 2·rate].
func Generate(rng *rand.Rand, start, end, scrape int64, rate float64) Counter {
	var c Counter
	value := float64(rng.Intn(1000) + 1)
	t := start + rng.Int63n(scrape)
	first := true
	for t <= end {
		ev := 0.0
		if !first {
			ev = float64(rng.Intn(int(rate*2) + 1))
			if rng.Intn(2000) == 0 { // a reset right after the previous sample
				value = 0
			}
			value += ev
		}
		if !first && rng.Intn(3000) == 0 { // a scrape gap: events keep counting, no samples
			gapEnd := t + scrape*int64(5+rng.Intn(50))
			for t < gapEnd && t <= end {
				e := float64(rng.Intn(int(rate*2) + 1))
				value += e
				ev += e
				t += scrape
			}
		}
		c.Samples = append(c.Samples, backend.Sample{T: t, V: value})
		c.Events = append(c.Events, ev)
		first = false
		t += scrape + rng.Int63n(2000) - 1000
	}
	return c
}

// Steady makes a counter with a sample every step ms in [start, end] that
// counts perStep events at every sample after the first, starting at 10.
func Steady(start, end, step int64, perStep float64) Counter {
	var c Counter
	v := 10.0
	for ts := start; ts <= end; ts += step {
		ev := 0.0
		if len(c.Samples) > 0 {
			ev = perStep
		}
		v += ev
		c.Samples = append(c.Samples, backend.Sample{T: ts, V: v})
		c.Events = append(c.Events, ev)
	}
	return c
}

// In counts the events of cs revealed by samples in (from, to].
func In(cs []Counter, from, to int64) float64 {
	var n float64
	for _, c := range cs {
		for i, s := range c.Samples {
			if s.T > from && s.T <= to {
				n += c.Events[i]
			}
		}
	}
	return n
}

// Adder is what a counter is stored into (a memory.Store).
type Adder interface {
	Add(lbls labels.Labels, samples ...backend.Sample)
}

// Store adds the counter's samples under the given labels.
func (c Counter) Store(a Adder, lbls ...string) {
	a.Add(labels.FromStrings(lbls...), c.Samples...)
}
