package slo

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Bucket holds the events whose sample timestamps lie in (Start, End]: the
// half-open convention of a Prometheus range ending at End, so that a sample
// exactly on an edge belongs to one bucket only, the earlier one.
//
// A history is a []Bucket in time order and contiguous (each bucket starts
// where the previous one ends). Every consumer (forecasts, incidents, the
// review, the charts) reads this one type. The engine produces hourly buckets
// over the SLO window (the first may be partial, cut by the window's trailing
// edge, and the last partial, cut by the evaluation instant) and finer buckets
// (the evaluation step or 5m) for recent hours; the history reader produces
// hourly and 5m buckets over long ranges.
//
// A bucket with Total 0 had no traffic. A history that begins later than the
// range asked for had no data before its first bucket (coverage).
type Bucket struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Counts
}

// Span returns the bucket's length.
func (b Bucket) Span() time.Duration { return b.End.Sub(b.Start) }

// CheckHistory reports the first problem that makes a history unusable: a
// bucket that is empty or runs backwards, one that does not start where the
// previous one ended, or counts that are not finite, negative or have more
// good than total events.
func CheckHistory(h []Bucket) error {
	for i, b := range h {
		if !b.End.After(b.Start) {
			return fmt.Errorf("history bucket %d (%s, %s]: end is not after start", i, stamp(b.Start), stamp(b.End))
		}
		if i > 0 && !b.Start.Equal(h[i-1].End) {
			return fmt.Errorf("history bucket %d starts at %s but bucket %d ended at %s: buckets must be contiguous",
				i, stamp(b.Start), i-1, stamp(h[i-1].End))
		}
		// The label is spelled only on error: this runs for every bucket
		// of every history on every evaluation.
		if err := checkCounts("the bucket", b.Counts); err != nil {
			return fmt.Errorf("history bucket %d (%s, %s]: %w", i, stamp(b.Start), stamp(b.End), err)
		}
	}
	return nil
}

// SumHistory adds up the counts of every bucket.
func SumHistory(h []Bucket) Counts {
	var c Counts
	for _, b := range h {
		c.Good += b.Good
		c.Total += b.Total
	}
	return c
}

// HistoryIndex answers exact range sums over a history in O(log n) with
// prefix sums. Counts are sums of integer counter increases, so prefix sums
// and their differences are exact below 2^53 events.
type HistoryIndex struct {
	edges []time.Time // len(buckets)+1 edges
	nanos []int64     // the edges as Unix nanoseconds, for the search
	good  []float64   // good[i] = events of buckets before edge i
	total []float64
}

// NewHistoryIndex checks the history and indexes it.
func NewHistoryIndex(h []Bucket) (*HistoryIndex, error) {
	x := &HistoryIndex{}
	if err := x.reset(h); err != nil {
		return nil, err
	}
	return x, nil
}

// reset checks h and indexes it in x's buffers (grown as needed), as
// NewHistoryIndex does in new ones.
func (x *HistoryIndex) reset(h []Bucket) error {
	if err := CheckHistory(h); err != nil {
		return err
	}
	n := len(h) + 1
	x.edges = slices.Grow(x.edges[:0], n)
	x.good = append(slices.Grow(x.good[:0], n), 0)
	x.total = append(slices.Grow(x.total[:0], n), 0)
	x.nanos = x.nanos[:0]
	if len(h) == 0 {
		return nil
	}
	x.nanos = slices.Grow(x.nanos, n)
	x.edges = append(x.edges, h[0].Start)
	x.nanos = append(x.nanos, h[0].Start.UnixNano())
	for i, b := range h {
		x.edges = append(x.edges, b.End)
		x.nanos = append(x.nanos, b.End.UnixNano())
		x.good = append(x.good, x.good[i]+b.Good)
		x.total = append(x.total, x.total[i]+b.Total)
	}
	return nil
}

// Empty reports whether the history has no buckets.
func (x *HistoryIndex) Empty() bool { return len(x.edges) == 0 }

// Start returns where the history begins (zero when empty).
func (x *HistoryIndex) Start() time.Time {
	if x.Empty() {
		return time.Time{}
	}
	return x.edges[0]
}

// End returns where the history ends (zero when empty).
func (x *HistoryIndex) End() time.Time {
	if x.Empty() {
		return time.Time{}
	}
	return x.edges[len(x.edges)-1]
}

// Sum returns the events in (from, to]. The parts of the range outside the
// history hold no known events and add nothing (compare with Start and End for
// coverage). An edge of the range that falls strictly inside a bucket is an
// error: its events cannot be split exactly.
func (x *HistoryIndex) Sum(from, to time.Time) (Counts, error) {
	if x.Empty() || !to.After(from) {
		return Counts{}, nil
	}
	i, err := x.edgeIndex(from)
	if err != nil {
		return Counts{}, err
	}
	j, err := x.edgeIndex(to)
	if err != nil {
		return Counts{}, err
	}
	return Counts{Good: x.good[j] - x.good[i], Total: x.total[j] - x.total[i]}, nil
}

// edgeIndex returns the prefix index of t, clamped to the history's extent.
func (x *HistoryIndex) edgeIndex(t time.Time) (int, error) {
	n := len(x.nanos)
	v := t.UnixNano()
	if v <= x.nanos[0] {
		return 0, nil
	}
	if v >= x.nanos[n-1] {
		return n - 1, nil
	}
	// The first edge at or after t.
	lo, hi := 1, n-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.nanos[mid] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	k := lo
	if x.nanos[k] != v {
		return 0, fmt.Errorf("%s falls inside the history bucket (%s, %s]: it cannot be split exactly",
			stamp(t), stamp(x.edges[k-1]), stamp(x.edges[k]))
	}
	return k, nil
}

// isEdge reports whether t is one of the history's bucket edges.
func (x *HistoryIndex) isEdge(t time.Time) bool {
	v := t.UnixNano()
	i := sort.Search(len(x.nanos), func(i int) bool { return x.nanos[i] >= v })
	return i < len(x.nanos) && x.nanos[i] == v
}

// windowCursor sums a window of fixed length w ending at bucket edges that
// only move forward (a sliding window): its start keeps its place, so each
// sum costs a step or two instead of a search.
type windowCursor struct {
	x *HistoryIndex
	w int64
	j int
}

func (x *HistoryIndex) cursor(w time.Duration) *windowCursor {
	return &windowCursor{x: x, w: int64(w)}
}

// at returns the events in (edge i − w, edge i]; as with Sum, a window start
// before the history counts the part covered, and one inside a bucket is an
// error.
func (c *windowCursor) at(i int) (Counts, error) {
	x := c.x
	from := x.nanos[i] - c.w
	if from > x.nanos[0] {
		for c.j < i && x.nanos[c.j] < from {
			c.j++
		}
		if x.nanos[c.j] != from {
			return Counts{}, fmt.Errorf("%s falls inside the history bucket (%s, %s]: it cannot be split exactly",
				stamp(time.Unix(0, from).UTC()), stamp(x.edges[c.j-1]), stamp(x.edges[c.j]))
		}
	}
	return Counts{Good: x.good[i] - x.good[c.j], Total: x.total[i] - x.total[c.j]}, nil
}

// Period is a span (Start, End] of time, with the same convention as Bucket.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Contains reports whether t lies in (Start, End].
func (p Period) Contains(t time.Time) bool { return t.After(p.Start) && !t.After(p.End) }

// Periods returns the calendar period (Start, End] that contains t.
type Periods func(t time.Time) Period

// The calendar periods of a time zone. A period runs from one local midnight
// (exclusive, as bucket starts are) to the next boundary (inclusive), so a
// sample stamped exactly at midnight belongs to the day that ends there. Days
// are 23 or 25 hours long across daylight-saving changes. Weeks start on
// Monday (ISO 8601); quarters in January, April, July and October.
func DayPeriods(loc *time.Location) Periods     { return calendar(loc, startOfDay, 0, 0, 1) }
func WeekPeriods(loc *time.Location) Periods    { return calendar(loc, startOfWeek, 0, 0, 7) }
func MonthPeriods(loc *time.Location) Periods   { return calendar(loc, startOfMonth, 0, 1, 0) }
func QuarterPeriods(loc *time.Location) Periods { return calendar(loc, startOfQuarter, 0, 3, 0) }

func calendar(loc *time.Location, floor func(time.Time) time.Time, years, months, days int) Periods {
	if loc == nil {
		loc = time.UTC
	}
	return func(t time.Time) Period {
		// The period containing t ends at or after t: floor the instant just
		// before t, so that t on a boundary falls in the earlier period.
		start := floor(t.Add(-time.Nanosecond).In(loc))
		// Step the local date at noon (which every day has), then floor: the
		// end is the next local midnight even across a daylight-saving
		// change, and even where midnight itself is skipped.
		y, m, d := start.Date()
		end := floor(time.Date(y+years, m+time.Month(months), d+days, 12, 0, 0, 0, loc))
		return Period{Start: start, End: end}
	}
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func startOfWeek(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, t.Location())
}

func startOfMonth(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
}

func startOfQuarter(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, t.Location())
}

// CalendarPeriods returns the periods of a calendar window, with the bucket
// convention above, or nil for a rolling window. (Window.Period answers the
// engine's question, which period an evaluation instant is in; both put a
// sample stamped at midnight in the period that ends there.)
func (w Window) CalendarPeriods() Periods {
	switch w.Calendar {
	case "week":
		return WeekPeriods(w.Location)
	case "month":
		return MonthPeriods(w.Location)
	case "quarter":
		return QuarterPeriods(w.Location)
	}
	return nil
}

// PeriodsBetween lists the periods that overlap (from, to], in order.
func PeriodsBetween(p Periods, from, to time.Time) []Period {
	var out []Period
	for t := from; t.Before(to); {
		cur := p(t.Add(time.Nanosecond))
		out = append(out, cur)
		t = cur.End
	}
	return out
}

// Rebucket adds hourly (or finer) buckets up into calendar periods: one bucket
// per period the history touches, in order, holding the events of the history
// inside the period. A period only partly covered by the history gets the
// part covered (its Start or End differs from the period's; compare with the
// Periods function to tell a partial period). A bucket that straddles a period
// boundary is an error: in a time zone offset by half an hour from UTC, hourly
// buckets cannot be split at local midnight; splice finer buckets in for the
// hours a boundary cuts first (CutBuckets, Refine).
func Rebucket(h []Bucket, p Periods) ([]Bucket, error) {
	if err := CheckHistory(h); err != nil {
		return nil, err
	}
	var out []Bucket
	for _, b := range h {
		per := p(b.End)
		if b.Start.Before(per.Start) {
			return nil, fmt.Errorf("history bucket (%s, %s] straddles the period boundary %s: refine it with finer buckets (slo.Refine)",
				stamp(b.Start), stamp(b.End), stamp(per.Start))
		}
		if n := len(out); n > 0 && out[n-1].End.After(per.Start) {
			out[n-1].End = b.End
			out[n-1].Good += b.Good
			out[n-1].Total += b.Total
			continue
		}
		out = append(out, b)
	}
	return out, nil
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }
