package counting

import (
	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// timesliceFeeder counts time slices of a gauge: a slice (end-slice, end] has
// data when any series has a sample in it, and is good when, for every series
// with data, the last sample in the slice satisfies the condition. A slice is
// counted once it is complete (its end is at or before what has been read).
//
// A sample can reach the backend after its slice was counted (a slow scrape,
// remote-write delay). Counted slices are kept for keep ms, the span the
// counter reads again each cycle, and a late sample in that span re-decides
// its slice, as a late counter sample is still counted. Later than that, a
// sample is ignored.
type timesliceFeeder struct {
	cond     *slo.TimeSliceSLI
	slice    int64
	keep     int64
	good     *Stream
	total    *Stream
	slices   map[int64]*sliceAgg // keyed by slice end: pending and recently counted
	lastSeen map[uint64]int64
	horizon  int64 // slices ending before this are forgotten
	// excl are the agreed exclusions: a slice whose end lies in excl[i]
	// is counted on exGood[i] and exTotal[i] instead.
	excl            []exclusionSpan
	exGood, exTotal []*Stream
}

// targets are the streams the slice ending at end is counted on.
func (f *timesliceFeeder) targets(end int64) (good, total *Stream) {
	if i := excludedIndex(f.excl, end); i >= 0 {
		return f.exGood[i], f.exTotal[i]
	}
	return f.good, f.total
}

type sliceAgg struct {
	last    map[uint64]float64 // each series' last value in the slice
	counted bool               // added to the streams
	good    bool               // as added
}

func newTimesliceFeeder(ts *slo.TimeSliceSLI, good, total *Stream) *timesliceFeeder {
	return &timesliceFeeder{
		cond: ts, slice: ts.Slice.Milliseconds(), good: good, total: total,
		slices: map[int64]*sliceAgg{}, lastSeen: map[uint64]int64{},
	}
}

func (f *timesliceFeeder) fresh(out []*Stream) feeder {
	c := newTimesliceFeeder(f.cond, out[0], out[1])
	c.keep = f.keep
	c.excl = f.excl
	for i := range f.excl {
		c.exGood = append(c.exGood, out[2+2*i])
		c.exTotal = append(c.exTotal, out[3+2*i])
	}
	return c
}

func (f *timesliceFeeder) newest() int64 {
	var n int64
	for _, ts := range f.lastSeen {
		n = max(n, ts)
	}
	return n
}

func (f *timesliceFeeder) ingest(series []backend.Series, upTo int64) {
	for _, ss := range series {
		id := ss.Labels.Hash()
		for _, s := range ss.Floats {
			if s.T > upTo || s.T <= f.lastSeen[id] {
				continue
			}
			end := CeilTo(s.T, f.slice)
			if end < f.horizon {
				continue // too late: its slice is settled
			}
			agg := f.slices[end]
			if agg == nil {
				agg = &sliceAgg{last: map[uint64]float64{}}
				f.slices[end] = agg
			}
			agg.last[id] = s.V
			f.lastSeen[id] = s.T
		}
	}
	complete := upTo - upTo%f.slice
	for end, agg := range f.slices {
		if end > complete {
			continue
		}
		good := true
		for _, v := range agg.last {
			if !f.cond.Holds(v) {
				good = false
			}
		}
		goodOut, totalOut := f.targets(end)
		switch {
		case !agg.counted:
			totalOut.Add(end, 1)
			if good {
				goodOut.Add(end, 1)
			}
		case good && !agg.good:
			goodOut.Add(end, 1)
		case !good && agg.good:
			goodOut.Add(end, -1)
		}
		agg.counted, agg.good = true, good
	}
	f.horizon = max(f.horizon, min(complete, upTo-f.keep))
	for end := range f.slices {
		if end < f.horizon {
			delete(f.slices, end)
		}
	}
}

func (f *timesliceFeeder) prune(before int64) {
	for id, ts := range f.lastSeen {
		if ts < before {
			delete(f.lastSeen, id)
		}
	}
}
