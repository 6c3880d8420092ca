package exporter

import (
	"sort"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

// feeder turns the raw samples of one selector into increments on one or
// more ledgers.
type feeder interface {
	// ingest processes samples up to and including upTo (ms). Samples may
	// overlap earlier calls; feeders skip what they have seen.
	ingest(m model.Matrix, upTo int64)
	// prune forgets per-series state older than before.
	prune(before int64)
	// fresh returns an empty feeder of the same kind writing to the given
	// ledgers (same count and order as this one's).
	fresh(out []*ledger) feeder
	// newest is the timestamp of the newest sample seen (0: none yet).
	newest() int64
}

// counterFeeder feeds one ledger with the summed, reset-corrected increments
// of every series a counter selector matches.
type counterFeeder struct {
	state *counterState
	out   *ledger
}

func newCounterFeeder(out *ledger) *counterFeeder {
	return &counterFeeder{state: newCounterState(), out: out}
}

func (f *counterFeeder) ingest(m model.Matrix, upTo int64) {
	for _, ss := range m {
		vals := ss.Values
		if n := len(vals); n > 0 && int64(vals[n-1].Timestamp) > upTo {
			vals = vals[:sort.Search(n, func(i int) bool { return int64(vals[i].Timestamp) > upTo })]
		}
		f.state.feed(ss.Metric.Fingerprint(), vals, f.out.add)
	}
}

func (f *counterFeeder) prune(before int64) { f.state.prune(before) }

func (f *counterFeeder) fresh(out []*ledger) feeder { return newCounterFeeder(out[0]) }

func (f *counterFeeder) newest() int64 { return f.state.latest() }

// timesliceFeeder counts time slices of a gauge: a slice (end-slice, end] has
// data when any series has a sample in it, and is good when, for every series
// with data, the last sample in the slice satisfies the condition. A slice is
// counted once it is complete (its end is at or before what has been read).
//
// A sample can reach Prometheus after its slice was counted (a slow scrape,
// remote-write delay). Counted slices are kept for keep ms, the span the
// engine reads again each cycle, and a late sample in that span re-decides
// its slice, as a late counter sample is still counted. Later than that, a
// sample is ignored.
type timesliceFeeder struct {
	op        string
	threshold float64
	slice     int64
	keep      int64
	good      *ledger
	total     *ledger
	slices    map[int64]*sliceAgg // keyed by slice end: pending and recently counted
	lastSeen  map[model.Fingerprint]int64
	doneUpTo  int64 // slices ending at or before this are complete
	horizon   int64 // slices ending before this are forgotten
}

type sliceAgg struct {
	last    map[model.Fingerprint]model.SamplePair
	counted bool // added to the ledgers
	good    bool // as added
}

func newTimesliceFeeder(ts *slo.TimeSliceSLI, good, total *ledger) *timesliceFeeder {
	return &timesliceFeeder{
		op: ts.Op, threshold: ts.Threshold, slice: ts.Slice.Milliseconds(),
		good: good, total: total,
		slices: map[int64]*sliceAgg{}, lastSeen: map[model.Fingerprint]int64{},
	}
}

func (f *timesliceFeeder) fresh(out []*ledger) feeder {
	c := newTimesliceFeeder(&slo.TimeSliceSLI{Op: f.op, Threshold: f.threshold}, out[0], out[1])
	c.slice, c.keep = f.slice, f.keep
	return c
}

func (f *timesliceFeeder) newest() int64 {
	var n int64
	for _, ts := range f.lastSeen {
		n = max(n, ts)
	}
	return n
}

func (f *timesliceFeeder) ingest(m model.Matrix, upTo int64) {
	for _, ss := range m {
		fp := ss.Metric.Fingerprint()
		for _, s := range ss.Values {
			ts := int64(s.Timestamp)
			if ts > upTo || ts <= f.lastSeen[fp] {
				continue
			}
			end := ceilTo(ts, f.slice)
			if end < f.horizon {
				continue // too late: its slice is settled
			}
			agg := f.slices[end]
			if agg == nil {
				agg = &sliceAgg{last: map[model.Fingerprint]model.SamplePair{}}
				f.slices[end] = agg
			}
			agg.last[fp] = s
			f.lastSeen[fp] = ts
		}
	}
	complete := upTo - upTo%f.slice
	for end, agg := range f.slices {
		if end > complete {
			continue
		}
		good := true
		for _, s := range agg.last {
			if !compare(f.op, float64(s.Value), f.threshold) {
				good = false
			}
		}
		switch {
		case !agg.counted:
			f.total.add(end, 1)
			if good {
				f.good.add(end, 1)
			}
		case good && !agg.good:
			f.good.add(end, 1)
		case !good && agg.good:
			f.good.add(end, -1)
		}
		agg.counted, agg.good = true, good
	}
	f.doneUpTo = max(f.doneUpTo, complete)
	f.horizon = max(f.horizon, min(complete, upTo-f.keep))
	for end := range f.slices {
		if end < f.horizon {
			delete(f.slices, end)
		}
	}
}

func (f *timesliceFeeder) prune(before int64) {
	for fp, ts := range f.lastSeen {
		if ts < before {
			delete(f.lastSeen, fp)
		}
	}
}

func compare(op string, v, threshold float64) bool {
	return (&slo.TimeSliceSLI{Op: op, Threshold: threshold}).Holds(v)
}
