package counting

import (
	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
)

// cursor remembers the last sample seen of one counter series, so the next
// sample's increment can be computed without reading older data again.
type cursor struct {
	ts int64 // ms: the read position; samples at or before it are skipped
	v  float64
	// run is false after a bad sample: the series has no baseline, and its
	// next good sample starts one.
	run bool
}

// counterFeeder feeds one stream with the summed, reset-corrected increments
// of every series a counter selector matches.
//
// A drop in value is a counter reset: the counter restarted from zero, so
// the new value is the number of events since the reset. A series' first
// sample is its baseline (the same rule Prometheus's increase() applies):
// its value is not counted.
//
// A bad sample (NaN, including a staleness marker as VictoriaMetrics returns
// them; +Inf or -Inf; a negative value) ends the series' current run: it
// counts nothing, the read position moves past it, and the next good sample
// is a new baseline. So no arithmetic ever touches it (no Inf - Inf), and the
// events between the last good sample before it and the first after it are
// not counted: nothing says what the counter really did there.
type counterFeeder struct {
	out     *Stream
	cursors map[uint64]cursor // by label hash
	// bad, when set, records bad samples after recordAfter (ms); re-reads
	// of hours already counted leave it nil.
	bad         func(series labels.Labels, t int64, reason string)
	recordAfter int64
	// excl are the agreed exclusions; an increment revealed by a sample
	// inside excl[i] goes to exOut[i] instead of out.
	excl  []exclusionSpan
	exOut []*Stream
}

func newCounterFeeder(out *Stream) *counterFeeder {
	return &counterFeeder{out: out, cursors: map[uint64]cursor{}}
}

func (f *counterFeeder) ingest(series []backend.Series, upTo int64) {
	for _, s := range series {
		f.feed(s.Labels, s.Floats[:upToIndex(s.Floats, upTo)])
	}
}

// feed processes the samples of one series in time order. Samples at or
// before the series' cursor were seen before and are skipped, so
// overlapping reads never double count.
func (f *counterFeeder) feed(series labels.Labels, samples []backend.Sample) {
	id := series.Hash()
	cur, seen := f.cursors[id]
	for _, s := range samples {
		if seen && s.T <= cur.ts {
			continue
		}
		if reason := badReason(s.V); reason != "" {
			if f.bad != nil && s.T > f.recordAfter {
				f.bad(series, s.T, reason)
			}
			cur, seen = cursor{ts: s.T}, true
			continue
		}
		if cur.run {
			inc := s.V - cur.v
			if s.V < cur.v {
				inc = s.V
			}
			f.target(s.T).Add(s.T, inc)
		}
		cur, seen = cursor{ts: s.T, v: s.V, run: true}, true
	}
	if seen {
		f.cursors[id] = cur
	}
}

func (f *counterFeeder) prune(before int64) {
	for id, cur := range f.cursors {
		if cur.ts < before {
			delete(f.cursors, id)
		}
	}
}

// target is the stream an increment revealed at ts goes to.
func (f *counterFeeder) target(ts int64) *Stream {
	if i := excludedIndex(f.excl, ts); i >= 0 {
		return f.exOut[i]
	}
	return f.out
}

// fresh keeps the exclusions: out has the same shape as the unit's streams
// (the counted stream, then one per exclusion).
func (f *counterFeeder) fresh(out []*Stream) feeder {
	n := newCounterFeeder(out[0])
	n.excl, n.exOut = f.excl, out[1:]
	return n
}

// newest returns the newest sample timestamp over all series, or 0.
func (f *counterFeeder) newest() int64 {
	var t int64
	for _, cur := range f.cursors {
		t = max(t, cur.ts)
	}
	return t
}
