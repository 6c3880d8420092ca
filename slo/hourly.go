package slo

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/slobudget/slobudget/internal/compact"
)

// HourlyHistory is an SLO window's history as the engine keeps it between
// evaluations, for the forecast, the charts and the history API: contiguous
// buckets whose inner edges are the clock's full hours, the first from the
// window's start (or the data's) to the next full hour, the last from the
// last full hour to the evaluation instant. The full hours between them are
// kept as two columns of counts (16 bytes an hour; 8 when the counts are
// whole numbers below 2³², 4 below 2¹⁶: compact.Floats, exact either way) rather than
// []Bucket (64 bytes an hour): a daemon holds one per SLO, and while the
// old snapshot is served and the new one computed, two. The columns are
// never changed once made, so a history whose full hours are those of the
// previous evaluation's (same hours, same counts, to the bit) shares them
// (NewHourlyHistoryLike): within an hour, only the two edge buckets change.
//
// Better still, a history may refer to its counter's own hourly totals
// instead of copying them (NewHourlyHistoryLent): the full hours that are
// complete (LentHours) are read from the counter's columns, which never
// change again, and only the few recent full hours that may still change
// are copied (tail).
type HourlyHistory struct {
	Start, End  time.Time
	n           int
	first, last Counts    // buckets 0 and n−1 (last only when n > 1)
	innerStart  time.Time // start of bucket 1
	inner       *hourCols // buckets 1 to n−2 when copied; nil when n <= 2 or lent
	// lent holds buckets 1 to nLent, tail the inner buckets after them,
	// when the full hours are lent (inner is nil then).
	lent  *LentHours
	nLent int
	tail  []Counts
	// Cuts holds finer buckets of the hours a local day boundary of the
	// window's zone falls inside (a zone offset by half an hour from UTC),
	// which the charts splice in (Refine) to add up days and months; empty
	// where every local midnight is a full hour.
	Cuts []Bucket
}

type hourCols struct{ good, total compact.Floats }

// same reports whether the columns hold exactly the counts of bs.
func (c *hourCols) same(bs []Bucket) bool {
	if c.total.Len() != len(bs) {
		return false
	}
	for i, b := range bs {
		if math.Float64bits(c.good.At(i)) != math.Float64bits(b.Good) || math.Float64bits(c.total.At(i)) != math.Float64bits(b.Total) {
			return false
		}
	}
	return true
}

// NewHourlyHistory compacts buckets of that shape; it is an error when an
// inner edge is not a full hour or the buckets are not contiguous.
func NewHourlyHistory(h []Bucket) (*HourlyHistory, error) { return NewHourlyHistoryLike(h, nil) }

// NewHourlyHistoryLike is NewHourlyHistory sharing prev's full-hour columns
// when they hold exactly the same hours and counts (prev may be nil).
func NewHourlyHistoryLike(h []Bucket, prev *HourlyHistory) (*HourlyHistory, error) {
	if err := checkHourly(h); err != nil {
		return nil, err
	}
	out := &HourlyHistory{n: len(h)}
	if len(h) == 0 {
		return out, nil
	}
	out.Start, out.End = h[0].Start, h[len(h)-1].End
	out.first = h[0].Counts
	if len(h) > 1 {
		out.last = h[len(h)-1].Counts
	}
	if len(h) <= 2 {
		return out, nil
	}
	inner := h[1 : len(h)-1]
	out.innerStart = inner[0].Start
	if prev != nil && prev.inner != nil && prev.innerStart.Equal(out.innerStart) && prev.inner.same(inner) {
		out.inner = prev.inner
		return out, nil
	}
	c := &hourCols{}
	c.good.Grow(len(inner), 0)
	c.total.Grow(len(inner), 0)
	for i, b := range inner {
		c.good.Set(i, b.Good)
		c.total.Set(i, b.Total)
	}
	out.inner = c
	return out, nil
}

// checkHourly checks that h is a history whose inner edges are full hours.
func checkHourly(h []Bucket) error {
	if err := CheckHistory(h); err != nil {
		return err
	}
	for i := 1; i < len(h); i++ {
		if h[i].Start.Truncate(time.Hour) != h[i].Start {
			return fmt.Errorf("history bucket %d starts at %s, not on a full hour", i, stamp(h[i].Start))
		}
	}
	return nil
}

// at returns the counts of bucket i.
func (h *HourlyHistory) at(i int) Counts {
	switch {
	case i == 0:
		return h.first
	case i == h.n-1:
		return h.last
	case h.lent != nil:
		if j := i - 1; j < h.nLent {
			return h.lent.at(h.innerStart.UnixMilli() + int64(j+1)*hourMs)
		}
		return h.tail[i-1-h.nLent]
	default:
		return Counts{Good: h.inner.good.At(i - 1), Total: h.inner.total.At(i - 1)}
	}
}

const hourMs = int64(time.Hour / time.Millisecond)

// LentHours are an SLI's hourly counts as its counter keeps them, lent to
// window histories so that they need not copy them: the counts of the hour
// ending at h (Unix ms, a full hour at or before Until) are the signed sums
// of the terms' values for that hour, added up as the counter adds them
// (Total, then Good; Good is Total less the Bad terms when Good has none).
// Every column holds hours that never change again and is never written
// by anyone (counting.Stream.SealedTotals): the same LentHours may be read
// by any number of histories and goroutines.
type LentHours struct {
	Until              int64
	Total, Good, Bad   []HourTerm
	GoodIsTotalLessBad bool
}

// HourTerm is one column of hourly totals, the value at index i for the
// hour ending at Base + i hours (ms; hours outside the column are 0),
// counted with Sign (+1 or −1).
type HourTerm struct {
	Col  compact.Floats
	Base int64
	Sign float64
}

func (t *HourTerm) hour(h int64) float64 {
	if h < t.Base {
		return 0
	}
	i := (h - t.Base) / hourMs
	if i >= int64(t.Col.Len()) {
		return 0
	}
	return t.Col.At(int(i))
}

// at returns the counts of the hour ending at h (h ≤ Until), with the
// counter's arithmetic: each term's sum over the hour (0 + its total), times
// its sign, added to the side in order from 0.
func (l *LentHours) at(h int64) Counts {
	var c Counts
	var bad float64
	for _, side := range [...]struct {
		terms []HourTerm
		dst   *float64
	}{{l.Total, &c.Total}, {l.Good, &c.Good}, {l.Bad, &bad}} {
		for i := range side.terms {
			t := &side.terms[i]
			var v float64
			v += t.hour(h)
			*side.dst += t.Sign * v
		}
	}
	if l.GoodIsTotalLessBad {
		c.Good = c.Total - bad
	}
	return c
}

// NewHourlyHistoryLent is NewHourlyHistoryLike reading the full hours that
// lent covers (those ending at or before lent.Until) from lent instead of
// copying them, when lent holds exactly the counts of h for every one of
// them (to the bit: it is checked, hour by hour); the later full hours are
// copied. Otherwise, or with lent nil, it is NewHourlyHistoryLike(h, prev).
func NewHourlyHistoryLent(h []Bucket, lent *LentHours, prev *HourlyHistory) (*HourlyHistory, error) {
	if lent == nil || len(h) <= 2 {
		return NewHourlyHistoryLike(h, prev)
	}
	if err := checkHourly(h); err != nil {
		return nil, err
	}
	inner := h[1 : len(h)-1]
	nLent := 0
	for nLent < len(inner) && inner[nLent].End.UnixMilli() <= lent.Until {
		b := inner[nLent]
		got := lent.at(b.End.UnixMilli())
		if math.Float64bits(got.Good) != math.Float64bits(b.Good) || math.Float64bits(got.Total) != math.Float64bits(b.Total) {
			return NewHourlyHistoryLike(h, prev) // not what the counter counted: copy
		}
		nLent++
	}
	if nLent == 0 {
		return NewHourlyHistoryLike(h, prev)
	}
	hist := &HourlyHistory{n: len(h), Start: h[0].Start, End: h[len(h)-1].End, first: h[0].Counts, last: h[len(h)-1].Counts,
		innerStart: inner[0].Start, lent: lent, nLent: nLent}
	if rest := inner[nLent:]; len(rest) > 0 {
		hist.tail = make([]Counts, len(rest))
		for i, b := range rest {
			hist.tail[i] = b.Counts
		}
	}
	return hist, nil
}

// Lent is how many of the history's full hours it reads from a counter's
// LentHours rather than holding them itself (for tests and accounting).
func (h *HourlyHistory) Lent() int { return h.nLent }

// sharesHours reports whether h and o share their full-hour columns (tests).
func (h *HourlyHistory) sharesHours(o *HourlyHistory) bool {
	return h.inner != nil && h.inner == o.inner
}

// Buckets expands the history; nil for an empty or nil one.
func (h *HourlyHistory) Buckets() []Bucket {
	if h == nil || h.n == 0 {
		return nil
	}
	out := make([]Bucket, h.n)
	lo := h.Start
	for i := range h.n {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		if i == h.n-1 {
			hi = h.End
		}
		out[i] = Bucket{Start: lo, End: hi, Counts: h.at(i)}
		lo = hi
	}
	return out
}

// Since returns the buckets that end after t (all of them when t is before
// the start): the history from the bucket holding t on. The last bucket is
// always kept.
func (h *HourlyHistory) Since(t time.Time) []Bucket { return h.AppendSince(nil, t) }

// AppendSince appends Since(t) to dst, for a caller that reuses one buffer
// (the buckets are values: nothing of the history refers to dst).
func (h *HourlyHistory) AppendSince(dst []Bucket, t time.Time) []Bucket {
	if h == nil || h.n == 0 {
		return dst
	}
	lo, kept := h.Start, false
	for i := range h.n {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		if i == h.n-1 {
			hi = h.End
		}
		// Bucket ends only grow: the buckets left out are a prefix.
		if !kept && (i == h.n-1 || hi.After(t)) {
			dst, kept = slices.Grow(dst, h.n-i), true
		}
		if kept {
			dst = append(dst, Bucket{Start: lo, End: hi, Counts: h.at(i)})
		}
		lo = hi
	}
	return dst
}
