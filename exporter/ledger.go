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
// Recent increments (the fine region, the last few hours) are kept in
// buckets of res milliseconds; evaluation instants and window lengths are
// multiples of res, so windows start and end on bucket edges and sums are
// exact. Older increments are kept as hourly totals: a completed hour never
// changes, so it is computed once. A window whose lower edge cuts an old
// hour needs that hour at full resolution: an edge copy, taken from the fine
// region before it is folded, or read again from Prometheus.
type ledger struct {
	res      int64
	fine     []increment // sorted by ts, all ts > fineFrom
	fineFrom int64       // hour-aligned; older increments live in coarse
	coarse   map[int64]float64
	edges    map[int64][]increment // hour end -> that hour's increments
}

type increment struct {
	ts int64 // bucket end, ms
	v  float64
}

func newLedger(resMs int64) *ledger {
	return &ledger{res: resMs, coarse: map[int64]float64{}, edges: map[int64][]increment{}, fineFrom: -1 << 62}
}

func ceilTo(ts, res int64) int64 {
	q := ts / res
	if ts%res != 0 && ts > 0 {
		q++
	}
	return q * res
}

func floorTo(ts, res int64) int64 { return ts - ts%res }

// add records v events revealed by a sample at ts (ms). Increments in hours
// already folded are dropped: those hours are complete (samples arriving
// hours late are not counted).
func (l *ledger) add(ts int64, v float64) {
	if v == 0 {
		return
	}
	b := ceilTo(ts, l.res)
	if b <= l.fineFrom {
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

// sealHistory declares every hour ending at or before cut complete: the
// caller has set their hourly totals (setHour) and fine increments start after cut.
func (l *ledger) sealHistory(cut int64) {
	if cut > l.fineFrom {
		l.fineFrom = cut
	}
}

func (l *ledger) setHour(end int64, v float64) { l.coarse[end] = v }

// setHoursFrom replaces the hourly totals (nil clears them).
func (l *ledger) setHoursFrom(hours map[int64]float64) {
	l.coarse = map[int64]float64{}
	for h, v := range hours {
		l.coarse[h] = v
	}
}

// compact folds fine increments at or before keepFrom (rounded down to an
// hour) into hourly totals, and drops everything at or before dropBefore.
func (l *ledger) compact(keepFrom, dropBefore int64) {
	cut := floorTo(keepFrom, hourMs)
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
}

// captureEdge keeps the hour ending at end at full resolution while the
// fine region still holds it, saving a query once it is folded.
func (l *ledger) captureEdge(end int64) {
	if _, ok := l.edges[end]; ok || end-hourMs < l.fineFrom || end%hourMs != 0 {
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
	l.edges[end] = incs
}

func (l *ledger) setEdge(end int64, incs []increment) { l.edges[end] = incs }

// retainEdges forgets edge hours not in keep.
func (l *ledger) retainEdges(keep map[int64]bool) {
	for end := range l.edges {
		if !keep[end] {
			delete(l.edges, end)
		}
	}
}

// sum returns the events in (from, to]. When from cuts a folded hour whose
// full-resolution increments are not at hand, ok is false and needEdge names
// the end of that hour: supply it with setEdge and ask again.
func (l *ledger) sum(from, to int64) (total float64, needEdge int64, ok bool) {
	for i := sort.Search(len(l.fine), func(i int) bool { return l.fine[i].ts > from }); i < len(l.fine) && l.fine[i].ts <= to; i++ {
		total += l.fine[i].v
	}
	if from >= l.fineFrom {
		return total, 0, true
	}
	upper := min(l.fineFrom, to)
	partialEnd := ceilTo(from, hourMs)
	for h := partialEnd + hourMs; h <= upper; h += hourMs {
		total += l.coarse[h]
	}
	if from%hourMs == 0 {
		return total, 0, true // no hour is cut
	}
	incs, ok := l.edges[partialEnd]
	if !ok {
		return 0, partialEnd, false
	}
	for _, inc := range incs {
		if inc.ts > from && inc.ts <= min(partialEnd, upper) {
			total += inc.v
		}
	}
	return total, 0, true
}
