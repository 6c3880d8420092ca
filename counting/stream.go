package counting

import (
	"sort"

	"github.com/slobudget/slobudget/internal/compact"
)

// HourMs is an hour in milliseconds, the unit completed history is kept in.
const HourMs = int64(3600 * 1000)

// Bucket is the events of one evaluation step: those revealed by samples in
// (End − resolution, End].
type Bucket struct {
	End int64 // ms
	V   float64
}

// Stream keeps the events of one stream (one selector, or the good or total
// slices of a gauge) as per-hour totals, each attributed to the timestamp of
// the sample that revealed it.
//
// The protocol is small. Add records events as they are read. Recent hours
// ("open": after the seal) also keep their per-step buckets, because windows
// start and end inside them. Seal declares hours complete: a completed hour
// never changes, so only its total stays, except for the hours that window
// edges cut, whose buckets stay too (Fold's keep). Sum answers "events in
// (from, to]"; when from cuts a completed hour whose buckets are not at hand,
// it says which one (missing), and the caller supplies its buckets with
// SetDetail, read again from the backend.
type Stream struct {
	res    int64
	sealed int64 // hours ending at or before this are complete

	// base is the end of the hour in totals[0]; totals[i] is the hour
	// ending at base + i hours. Hours outside are zero. Whole counts take
	// 2 bytes an hour below 65,536, 4 below 2³² (compact.Floats), exactly.
	base   int64
	totals compact.Floats
	detail map[int64]hourDetail // hour end -> its buckets
	// lent is set once SealedTotals lent the complete hours' totals out:
	// from then on they are never written in place again (SetHour copies
	// the column first).
	lent bool
}

// hourDetail is the buckets of one hour, sorted by End, in 6 to 12 bytes a bucket
// rather than a Bucket's 16: steps[i] is bucket i's End as a count of
// resolutions after the hour's start (1 to HourMs/res), vals holds the
// events (compact.Floats: whole counts in 2 or 4 bytes, exactly).
type hourDetail struct {
	steps []uint32
	vals  compact.Floats
}

// add adds v to the bucket of step k, inserting it if missing.
func (d *hourDetail) add(k uint32, v float64) {
	n := len(d.steps)
	if n == 0 || d.steps[n-1] < k {
		d.steps = append(d.steps, k)
		d.vals.Grow(1, 0)
		d.vals.Set(n, v)
		return
	}
	i := sort.Search(n, func(i int) bool { return d.steps[i] >= k })
	if d.steps[i] == k {
		d.vals.Set(i, d.vals.At(i)+v)
		return
	}
	d.steps = append(d.steps, 0)
	copy(d.steps[i+1:], d.steps[i:])
	d.steps[i] = k
	d.vals.Insert(i, v)
}

// step is the step of a bucket ending at end in the hour ending at h.
func (s *Stream) step(h, end int64) uint32 { return uint32((end - (h - HourMs)) / s.res) }

// bytes is the memory the hour's buckets take (capacities), for tests.
func (d *hourDetail) bytes() int { return 4*cap(d.steps) + d.vals.Bytes() }

// NewStream returns an empty stream with buckets of res milliseconds (the
// evaluation interval; it divides an hour).
func NewStream(resMs int64) *Stream {
	return &Stream{res: resMs, sealed: -1 << 62, detail: map[int64]hourDetail{}}
}

// CeilTo rounds ts up to a multiple of res.
func CeilTo(ts, res int64) int64 {
	q := ts / res
	if ts%res != 0 && ts > 0 {
		q++
	}
	return q * res
}

// FloorTo rounds ts down to a multiple of res (ts >= 0).
func FloorTo(ts, res int64) int64 { return ts - ts%res }

// Add records v events revealed by a sample at ts (ms). Events in complete
// hours are dropped: samples that arrive after their hour was sealed (hours
// late) are not counted.
func (s *Stream) Add(ts int64, v float64) {
	if v == 0 {
		return
	}
	b := CeilTo(ts, s.res)
	h := CeilTo(b, HourMs)
	if h <= s.sealed {
		return
	}
	i := s.slot(h)
	s.totals.Set(i, s.totals.At(i)+v)
	d := s.detail[h]
	d.add(s.step(h, b), v)
	s.detail[h] = d
}

// slot returns the index of the total of the hour ending at h, growing the
// column as needed.
func (s *Stream) slot(h int64) int {
	if s.totals.Len() == 0 {
		s.base = h
		s.totals.Grow(1, 0)
	}
	if h < s.base {
		s.totals.Prepend(int((s.base - h) / HourMs))
		s.base = h
	}
	i := int((h - s.base) / HourMs)
	if n := s.totals.Len(); i >= n {
		s.totals.Grow(i+1-n, 0)
	}
	return i
}

// Hour returns the total of the hour ending at h.
func (s *Stream) Hour(h int64) float64 {
	i := (h - s.base) / HourMs
	if s.totals.Len() == 0 || h < s.base || i >= int64(s.totals.Len()) {
		return 0
	}
	return s.totals.At(int(i))
}

// SetHour sets the total of a completed hour (from history). A column
// whose complete hours were lent out (SealedTotals) is copied first.
func (s *Stream) SetHour(h int64, v float64) {
	if s.lent {
		s.totals, s.lent = s.totals.Clone(), false
	}
	s.totals.Set(s.slot(h), v)
}

// SealedTotals lends out the totals of the complete hours, for a window
// history to refer to instead of copying them: col's value i is the total
// of the hour ending at base + i hours (Hour's value), for every hour of
// the column ending at or before Sealed(); hours outside col hold no
// events. The stream never writes those values again: events of a complete
// hour are dropped (Add), every other write goes after them or into new
// memory (compact.Floats.Prefix), and SetHour copies a lent column first.
// So col stays what it is now while the stream goes on, and may be read
// concurrently with it.
func (s *Stream) SealedTotals() (col compact.Floats, base int64) {
	n := 0
	if s.totals.Len() > 0 && s.sealed >= s.base {
		n = int(min((s.sealed-s.base)/HourMs+1, int64(s.totals.Len())))
	}
	s.lent = true
	return s.totals.Prefix(n), s.base
}

// Seal declares every hour ending at or before cut complete.
func (s *Stream) Seal(cut int64) { s.sealed = max(s.sealed, cut) }

// Sealed returns the end of the last complete hour.
func (s *Stream) Sealed() int64 { return s.sealed }

// NeedsDetail reports whether a window edge in the hour ending at h would
// have to read the hour again: it is complete, has events, and its buckets
// are not kept.
func (s *Stream) NeedsDetail(h int64) bool {
	_, ok := s.detail[h]
	return !ok && h <= s.sealed && s.Hour(h) != 0
}

// SetDetail supplies the buckets of a complete hour, read again for a
// window edge: buckets of that hour (ends in (h − 1h, h]), sorted by End.
func (s *Stream) SetDetail(h int64, bs []Bucket) {
	if h > s.sealed {
		return
	}
	d := hourDetail{steps: make([]uint32, len(bs))}
	d.vals.Grow(len(bs), 0)
	for i, b := range bs {
		d.steps[i] = s.step(h, b.End)
		d.vals.Set(i, b.V)
	}
	s.detail[h] = d
}

// Detail returns the buckets of the hour ending at h, if kept.
func (s *Stream) Detail(h int64) ([]Bucket, bool) {
	d, ok := s.detail[h]
	if !ok {
		return nil, false
	}
	bs := make([]Bucket, len(d.steps))
	for i, k := range d.steps {
		bs[i] = Bucket{End: h - HourMs + int64(k)*s.res, V: d.vals.At(i)}
	}
	return bs, true
}

// Fold seals the hours ending at or before cut, keeps the buckets only of
// open hours and of the complete hours keep names (window edges), and
// forgets everything in hours ending at or before dropBefore.
func (s *Stream) Fold(cut int64, keep map[int64]bool, dropBefore int64) {
	s.Seal(cut)
	for h := range s.detail {
		if h <= dropBefore || (h <= s.sealed && !keep[h]) {
			delete(s.detail, h)
		}
	}
	if n := s.totals.Len(); n > 0 && s.base <= dropBefore {
		k := min(int((dropBefore-s.base)/HourMs)+1, n)
		s.totals.DropFront(k) // copies once the column has slid far enough
		s.base += int64(k) * HourMs
	}
}

// Sum returns the events in (from, to] (multiples of the resolution). When
// from or to cuts a complete hour whose buckets are not kept, ok is false
// and missing names that hour's end: supply it with SetDetail and ask again.
func (s *Stream) Sum(from, to int64) (total float64, missing int64, ok bool) {
	for h := CeilTo(from+1, HourMs); h-HourMs < to; h += HourMs {
		lo, hi := h-HourMs, h
		if lo >= from && hi <= to {
			total += s.Hour(h)
			continue
		}
		d, kept := s.detail[h]
		if !kept {
			if s.Hour(h) == 0 {
				// No events in the hour, so none in any part of it (an open
				// hour with events always has its buckets).
				continue
			}
			return 0, h, false
		}
		// Steps after the cut from and up to the cut to; from and to are
		// multiples of the resolution.
		klo, khi := s.step(h, max(lo, from)), s.step(h, min(hi, to))
		for i := sort.Search(len(d.steps), func(i int) bool { return d.steps[i] > klo }); i < len(d.steps) && d.steps[i] <= khi; i++ {
			total += d.vals.At(i)
		}
	}
	return total, 0, true
}

// bytes is the memory the stream's counts take (capacities, not the map's
// own overhead): for tests that pin the layout.
func (s *Stream) bytes() (totals, detail int) {
	for _, d := range s.detail {
		detail += d.bytes()
	}
	return s.totals.Bytes(), detail
}
