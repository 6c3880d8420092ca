package slo

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Hourly buckets cannot be split at a local midnight that falls inside a
// clock hour: in Asia/Kolkata (+05:30), Australia/Adelaide (+09:30, +10:30
// in summer) or Asia/Kathmandu (+05:45) every day, week, month and quarter
// starts there. Rather than count such a history with 5m buckets throughout,
// the callers read finer buckets for just the hours a boundary cuts
// (CutBuckets) and splice them in (Refine) before Rebucket or a HistoryIndex
// sums across the boundary: about one hour a day, exact.

// boundariesInside returns the boundaries of the periods ps that fall
// strictly inside (b.Start, b.End), in no particular order.
func boundariesInside(b Bucket, ps []Periods) []time.Time {
	var out []time.Time
	for _, p := range ps {
		if p == nil {
			continue
		}
		// Walk the periods that end inside the bucket: each end is the next
		// period's start, a boundary.
		for t := b.Start; ; {
			end := p(t.Add(time.Nanosecond)).End
			if !end.Before(b.End) {
				break
			}
			out = append(out, end)
			t = end
		}
	}
	return out
}

// CutBuckets returns the buckets of h inside which a boundary of one of the
// periods ps falls (strictly after Start and before End), in order: the
// spans whose finer buckets Refine needs.
func CutBuckets(h []Bucket, ps ...Periods) []Bucket {
	var out []Bucket
	for _, b := range h {
		if len(boundariesInside(b, ps)) > 0 {
			out = append(out, b)
		}
	}
	return out
}

// Refine returns h with every bucket that a boundary of one of ps cuts
// replaced by the buckets of fine that tile it (fine buckets from its Start
// to its End, contiguous), so that every such boundary becomes a bucket
// edge. fine may hold buckets of other spans too, in any order; they are
// ignored. A cut bucket that fine does not tile, or tiles without an edge at
// the boundary, stays as it is: summing across that boundary then fails
// with the usual "cannot be split" error. The fine buckets of a bucket must
// add up to its counts (both are sums of the same integer counter
// increases, so exactly; an estimate's parts to rounding): a difference
// means the two were counted from different data, and is an error rather
// than a silently different total.
func Refine(h, fine []Bucket, ps ...Periods) ([]Bucket, error) {
	if err := CheckHistory(h); err != nil {
		return nil, err
	}
	sorted := append([]Bucket(nil), fine...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	var out []Bucket
	changed := false
	for i, b := range h {
		cuts := boundariesInside(b, ps)
		if len(cuts) == 0 {
			if changed {
				out = append(out, b)
			}
			continue
		}
		parts := tiling(sorted, b)
		if parts == nil || !edgesAt(parts, cuts) {
			if changed {
				out = append(out, b)
			}
			continue
		}
		if sum := SumHistory(parts); !sameCounts(sum, b.Counts) {
			return nil, fmt.Errorf("the finer buckets of history bucket (%s, %s] hold %g good of %g events, the bucket %g of %g: counted from different data",
				stamp(b.Start), stamp(b.End), sum.Good, sum.Total, b.Good, b.Total)
		}
		if !changed {
			out = append(make([]Bucket, 0, len(h)+len(parts)), h[:i]...)
			changed = true
		}
		out = append(out, parts...)
	}
	if !changed {
		return h, nil
	}
	return out, nil
}

// tiling returns the buckets of sorted (by Start) that cover b exactly and
// contiguously, or nil.
func tiling(sorted []Bucket, b Bucket) []Bucket {
	i := sort.Search(len(sorted), func(i int) bool { return !sorted[i].Start.Before(b.Start) })
	var parts []Bucket
	at := b.Start
	for ; i < len(sorted) && at.Before(b.End); i++ {
		f := sorted[i]
		if f.Start.After(at) {
			return nil // a gap
		}
		if !f.Start.Equal(at) || !f.End.After(f.Start) {
			continue // a duplicate or an empty bucket
		}
		if f.End.After(b.End) {
			return nil
		}
		parts = append(parts, f)
		at = f.End
	}
	if !at.Equal(b.End) || len(parts) < 2 {
		return nil
	}
	return parts
}

// edgesAt reports whether every instant of cuts is an edge between two of
// the contiguous parts.
func edgesAt(parts []Bucket, cuts []time.Time) bool {
	for _, c := range cuts {
		i := sort.Search(len(parts), func(i int) bool { return !parts[i].End.Before(c) })
		if i >= len(parts) || !parts[i].End.Equal(c) {
			return false
		}
	}
	return true
}

// SplitParts cuts bucket b at the boundaries of ps inside it, into
// contiguous spans (the edges of the finer buckets a caller reads for it).
func SplitParts(b Bucket, ps ...Periods) []Period {
	cuts := boundariesInside(b, ps)
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Before(cuts[j]) })
	var out []Period
	at := b.Start
	for _, c := range cuts {
		if c.After(at) {
			out = append(out, Period{Start: at, End: c})
			at = c
		}
	}
	return append(out, Period{Start: at, End: b.End})
}

// sameCounts compares counts to rounding: 1e-12 of the larger total, far
// below one event for any count under 10^12, so a count off by one event is
// a difference while an estimate's fractional parts may round.
func sameCounts(a, b Counts) bool {
	tol := 1e-12 * max(1, math.Abs(a.Total), math.Abs(b.Total))
	return math.Abs(a.Good-b.Good) <= tol && math.Abs(a.Total-b.Total) <= tol
}
