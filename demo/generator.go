package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Sample is one value of a series at T (ms).
type Sample struct {
	T int64
	V float64
}

// Events are the good and total events of one SLO in the interval that ends
// at T (ms) and began at the previous generated instant.
type Events struct {
	T           int64
	Good, Total float64
}

// Record is everything the generator produced, kept when Options.Record is
// set: the truth the tests compare the TSDB and the daemon against.
type Record struct {
	// Samples by series, keyed by the series' labels as labels.String()
	// spells them ({__name__="x", a="b"}).
	Samples map[string][]Sample
	// Events by SLO name, for the counter-based SLOs. The time-slice SLO has
	// none: its truth is the lag gauge's samples.
	Events map[string][]Events
}

// generator advances every source instant by instant.
type generator struct {
	// start is the demo's start (ms): the story in traffic.go is told
	// relative to it, so the states hold whenever the demo runs.
	start   int64
	rng     *rand.Rand
	sources []source
	all     []*series
	last    int64 // the last generated instant; 0 before the first
	quiet   bool  // while true, events are not reported (the first instant)
	record  *Record
}

func newGenerator(start time.Time, seed uint64, record bool) *generator {
	g := &generator{
		start:   start.UnixMilli(),
		rng:     rand.New(rand.NewPCG(seed, seed^0x5105b0d6e7)),
		sources: []source{newAPISource(), newBatchSource(), newPipelineSource()},
	}
	for _, s := range g.sources {
		g.all = append(g.all, s.series()...)
	}
	if record {
		g.record = &Record{Samples: map[string][]Sample{}, Events: map[string][]Events{}}
	}
	return g
}

// step generates the values of every series at t (ms), which must be after
// the previous instant.
func (g *generator) step(t int64) error {
	if g.last != 0 && t <= g.last {
		return fmt.Errorf("generated instants must increase: %s is not after %s",
			time.UnixMilli(t).UTC().Format(time.RFC3339Nano), time.UnixMilli(g.last).UTC().Format(time.RFC3339Nano))
	}
	from := g.last
	// The first instant has no sample before it, so nothing can count the
	// events leading up to it: generate its values, report no events.
	g.quiet = from == 0
	if g.quiet {
		from = t - time.Minute.Milliseconds()
	}
	for _, s := range g.sources {
		s.advance(g, from, t)
	}
	g.last = t
	if g.record != nil {
		for _, s := range g.all {
			k := s.labels.String()
			g.record.Samples[k] = append(g.record.Samples[k], Sample{T: t, V: s.value})
		}
	}
	return nil
}

// event reports an SLO's events in the interval ending at t.
func (g *generator) event(slo string, t int64, good, total float64) {
	if g.quiet || g.record == nil {
		return
	}
	g.record.Events[slo] = append(g.record.Events[slo], Events{T: t, Good: good, Total: total})
}
