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
type HourlyHistory struct {
	Start, End  time.Time
	n           int
	first, last Counts    // buckets 0 and n−1 (last only when n > 1)
	innerStart  time.Time // start of bucket 1
	inner       *hourCols // buckets 1 to n−2; nil when n <= 2
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
	if err := CheckHistory(h); err != nil {
		return nil, err
	}
	for i := 1; i < len(h); i++ {
		if h[i].Start.Truncate(time.Hour) != h[i].Start {
			return nil, fmt.Errorf("history bucket %d starts at %s, not on a full hour", i, stamp(h[i].Start))
		}
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

// at returns the counts of bucket i.
func (h *HourlyHistory) at(i int) Counts {
	switch {
	case i == 0:
		return h.first
	case i == h.n-1:
		return h.last
	default:
		return Counts{Good: h.inner.good.At(i - 1), Total: h.inner.total.At(i - 1)}
	}
}

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
