package slo

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/internal/compact"
)

// HourlyHistory is an SLO window's history as the engine keeps it between
// evaluations, for the forecast, the charts and the history API: contiguous
// buckets whose inner edges are the clock's full hours, the first from the
// window's start (or the data's) to the next full hour, the last from the
// last full hour to the evaluation instant. Kept as two columns of counts
// (16 bytes an hour, 8 when the counts are whole numbers below 2³²:
// compact.Floats, exact either way) rather than []Bucket (64 bytes an hour):
// a daemon holds one per SLO.
type HourlyHistory struct {
	Start, End  time.Time
	good, total compact.Floats
}

// NewHourlyHistory compacts buckets of that shape; it is an error when an
// inner edge is not a full hour or the buckets are not contiguous.
func NewHourlyHistory(h []Bucket) (*HourlyHistory, error) {
	if err := CheckHistory(h); err != nil {
		return nil, err
	}
	out := &HourlyHistory{}
	out.good.Grow(len(h), 0)
	out.total.Grow(len(h), 0)
	for i, b := range h {
		if i > 0 && b.Start.Truncate(time.Hour) != b.Start {
			return nil, fmt.Errorf("history bucket %d starts at %s, not on a full hour", i, stamp(b.Start))
		}
		out.good.Set(i, b.Good)
		out.total.Set(i, b.Total)
	}
	if len(h) > 0 {
		out.Start, out.End = h[0].Start, h[len(h)-1].End
	}
	return out, nil
}

// Buckets expands the history; nil for an empty or nil one.
func (h *HourlyHistory) Buckets() []Bucket {
	if h == nil || h.total.Len() == 0 {
		return nil
	}
	n := h.total.Len()
	out := make([]Bucket, n)
	lo := h.Start
	for i := range n {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		if i == n-1 {
			hi = h.End
		}
		out[i] = Bucket{Start: lo, End: hi, Counts: Counts{Good: h.good.At(i), Total: h.total.At(i)}}
		lo = hi
	}
	return out
}

// Since returns the buckets that end after t (all of them when t is before
// the start): the history from the bucket holding t on.
func (h *HourlyHistory) Since(t time.Time) []Bucket {
	bs := h.Buckets()
	for len(bs) > 1 && !bs[0].End.After(t) {
		bs = bs[1:]
	}
	return bs
}
