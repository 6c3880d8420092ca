package counting

import (
	"math"
	"slices"
	"sort"

	"github.com/slobudget/slobudget/backend"
)

// runGap is the longest silence inside one run of samples: it is also how
// far back a read looks for a series' previous sample (baselineLookback), so
// a sample within runGap before a window's start makes the window's counts
// complete from its start.
const runGap = HourMs

// cleanHourLead is what a completed hour computed by the backend (one with a
// difference for every series that had samples) guarantees about its
// samples: each series has one within the query lookback (5m) before the
// hour's end and one at or before the hour's start.
const cleanHourLead = 5 * 60_000

// sampleRuns records when a selector had samples, as runs: stretches in which
// consecutive samples of the selector (over all its series) are at most
// runGap apart. That is all data coverage and "no data" need to know, in a
// few bytes per run instead of a timestamp per sample.
//
// Runs are sorted and disjoint, and further than runGap apart.
type sampleRuns struct {
	runs []run
}

type run struct{ first, last int64 } // ms

// addSeries records the finite samples of a read. NaN (a staleness marker,
// or a broken exporter) and ±Inf are not data.
func (s *sampleRuns) addSeries(series []backend.Series) {
	for _, ser := range series {
		first, last := int64(-1), int64(-1)
		for _, p := range ser.Floats {
			if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
				continue
			}
			if first >= 0 && p.T-last > runGap {
				s.add(first, last)
				first = -1
			}
			if first < 0 {
				first = p.T
			}
			last = p.T
		}
		// A native histogram's samples are data when their count is.
		for _, h := range ser.Histograms {
			if h.H == nil || math.IsNaN(float64(h.H.Count)) || math.IsInf(float64(h.H.Count), 0) {
				continue
			}
			if first >= 0 && h.T-last > runGap {
				s.add(first, last)
				first = -1
			}
			if first < 0 {
				first = h.T
			}
			last = h.T
		}
		if first >= 0 {
			s.add(first, last)
		}
	}
}

// addCleanHour records a completed hour ending at h that the backend
// computed and that had samples: the hour is taken as sampled from its start
// to cleanHourLead before its end, the part its samples are known to span.
func (s *sampleRuns) addCleanHour(h int64) { s.add(h-HourMs, h-cleanHourLead) }

// add records samples spanning [first, last], merging runs that come within
// runGap of each other.
func (s *sampleRuns) add(first, last int64) {
	rs := s.runs
	// The first run that could merge: its last is at least first − runGap.
	i := sort.Search(len(rs), func(i int) bool { return rs[i].last >= first-runGap })
	j := i
	for j < len(rs) && rs[j].first <= last+runGap {
		first, last = min(first, rs[j].first), max(last, rs[j].last)
		j++
	}
	s.runs = slices.Replace(rs, i, j, run{first, last})
}

// prune forgets runs that ended before t.
func (s *sampleRuns) prune(t int64) {
	i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].last >= t })
	if i > 0 {
		s.runs = slices.Delete(s.runs, 0, i)
	}
}

// newest is the newest sample recorded, or -1.
func (s *sampleRuns) newest() int64 {
	if len(s.runs) == 0 {
		return -1
	}
	return s.runs[len(s.runs)-1].last
}

// coveredFrom returns where data coverage of the window (start, at] begins:
// start when a sample lies within runGap before start or at it (the counts
// are complete from the window's start), else the first sample inside the
// window; ok is false without any sample in (start, at].
func (s *sampleRuns) coveredFrom(start, at int64) (from int64, ok bool) {
	if s.newest() <= start {
		return 0, false
	}
	lookback := start - runGap
	for _, r := range s.runs {
		if r.last <= lookback {
			continue
		}
		if r.first <= start {
			// Samples no more than runGap apart run through (lookback,
			// start]: one of them lies in it.
			return start, true
		}
		return min(r.first, at), true
	}
	return 0, false
}
