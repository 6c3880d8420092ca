package exporter

import (
	"sort"
)

const hourMs = int64(3600 * 1000)

// ledger keeps the events of one stream (one selector) as reset-corrected
// increments attributed to the timestamp of the sample that revealed them.
// The sum over (from, to] is the exact number of events whose sample falls in
// that interval.
//
// Recent increments (the fine region) are kept in buckets of res
// milliseconds; evaluation instants and window lengths are multiples of res,
// so every short window starts and ends on a bucket edge and sums are exact.
// Older increments are folded into hourly buckets: a completed hour never
// changes, so it is computed once and kept. The SLO window's lower edge moves
// through those hours; for the one hour it currently cuts, an edge copy keeps
// that hour's increments at full resolution (fetched again from Prometheus
// when the edge moves into the next hour).
type ledger struct {
	res      int64
	fine     []increment // sorted by ts, ts > fineFrom
	fineFrom int64       // hour-aligned; increments at or before it live in coarse
	coarse   map[int64]float64
	edge     *edgeHour
}

type increment struct {
	ts int64 // bucket end, ms
	v  float64
}

// edgeHour holds the increments of the hour (end-1h, end] at full resolution.
type edgeHour struct {
	end  int64
	incs []increment
}

func newLedger(resMs int64) *ledger {
	return &ledger{res: resMs, coarse: map[int64]float64{}, fineFrom: -1 << 62}
}

func ceilTo(ts, res int64) int64 {
	q := ts / res
	if ts%res != 0 && ts > 0 {
		q++
	}
	return q * res
}

// add records v events revealed by a sample at ts (ms).
func (l *ledger) add(ts int64, v float64) {
	if v == 0 {
		return
	}
	b := ceilTo(ts, l.res)
	if b <= l.fineFrom {
		l.coarse[ceilTo(b, hourMs)] += v
		if l.edge != nil && ceilTo(b, hourMs) == l.edge.end {
			l.edge.incs = insertIncrement(l.edge.incs, b, v)
		}
		return
	}
	l.fine = insertIncrement(l.fine, b, v)
}

func insertIncrement(s []increment, ts int64, v float64) []increment {
	n := len(s)
	if n == 0 || s[n-1].ts < ts {
		return append(s, increment{ts, v})
	}
	if s[n-1].ts == ts {
		s[n-1].v += v
		return s
	}
	i := sort.Search(n, func(i int) bool { return s[i].ts >= ts })
	if i < n && s[i].ts == ts {
		s[i].v += v
		return s
	}
	s = append(s, increment{})
	copy(s[i+1:], s[i:])
	s[i] = increment{ts, v}
	return s
}

// compact folds fine increments at or before keepFrom (rounded down to an
// hour) into hourly buckets, and drops everything at or before dropBefore.
func (l *ledger) compact(keepFrom, dropBefore int64) {
	cut := keepFrom - keepFrom%hourMs
	if cut > l.fineFrom {
		i := sort.Search(len(l.fine), func(i int) bool { return l.fine[i].ts > cut })
		for _, inc := range l.fine[:i] {
			l.coarse[ceilTo(inc.ts, hourMs)] += inc.v
		}
		l.fine = append(l.fine[:0:0], l.fine[i:]...)
		l.fineFrom = cut
	}
	for h := range l.coarse {
		if h <= dropBefore {
			delete(l.coarse, h)
		}
	}
	if l.edge != nil && l.edge.end <= dropBefore {
		l.edge = nil
	}
}

// sum returns the events in (from, to]. When from cuts an hour that only
// exists in coarse form, ok is false and needEdge names the end of the hour
// whose full-resolution increments must be supplied with setEdge first.
func (l *ledger) sum(from, to int64) (total float64, needEdge int64, ok bool) {
	for i := sort.Search(len(l.fine), func(i int) bool { return l.fine[i].ts > from }); i < len(l.fine) && l.fine[i].ts <= to; i++ {
		total += l.fine[i].v
	}
	if from >= l.fineFrom {
		return total, 0, true
	}
	upper := min(l.fineFrom, to)
	// Whole hours in (from, upper].
	firstWhole := ceilTo(from, hourMs) + hourMs // end of the first hour starting at or after from
	for h := firstWhole; h <= upper; h += hourMs {
		total += l.coarse[h]
	}
	if from%hourMs != 0 {
		partialEnd := ceilTo(from, hourMs)
		if l.edge == nil || l.edge.end != partialEnd {
			return 0, partialEnd, false
		}
		for _, inc := range l.edge.incs {
			if inc.ts > from && inc.ts <= min(partialEnd, upper) {
				total += inc.v
			}
		}
	}
	return total, 0, true
}

func (l *ledger) setEdge(end int64, incs []increment) {
	l.edge = &edgeHour{end: end, incs: incs}
}

// keepEdgeFromFine copies the hour ending at end from the fine region into
// the edge copy before compaction folds it, saving a query.
func (l *ledger) keepEdgeFromFine(end int64) {
	if (l.edge != nil && l.edge.end == end) || end-hourMs < l.fineFrom {
		return
	}
	var incs []increment
	lo := sort.Search(len(l.fine), func(i int) bool { return l.fine[i].ts > end-hourMs })
	for _, inc := range l.fine[lo:] {
		if inc.ts > end {
			break
		}
		incs = append(incs, inc)
	}
	l.setEdge(end, incs)
}
