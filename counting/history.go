package counting

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// Coverage says what data the total selector (a time-slice SLI's gauge) had
// in a window ending at the instant of the last Advance.
type Coverage struct {
	// Sampled is false when no series of the selector had a sample in the
	// window: no data, which is not zero traffic.
	Sampled bool
	// From is where the data's coverage of the window begins: the window's
	// start when a sample lies at it or up to an hour before it (the counts
	// are complete from the start), otherwise the first sample inside the
	// window. Zero when not Sampled.
	From time.Time
	// Selector is the selector asked, as the counter queries it.
	Selector string
}

// Coverage reports the data of the window (at − w, at], at the last instant.
//
// Samples are known exactly where they were read raw (the recent hours, and
// every hour the backend could not compute); an hour the backend computed,
// with samples, counts as sampled from its start to five minutes before its
// end, which is what its query guarantees. The first hour of a selector's
// data and the hour after its last sample are never such hours, so where the
// data begins and ends is exact.
func (c *Counter) Coverage(w time.Duration) Coverage {
	u := c.units[0]
	cov := Coverage{Selector: u.selector}
	from, ok := u.seen.coveredFrom(c.at-w.Milliseconds(), c.at)
	if ok {
		cov.Sampled, cov.From = true, time.UnixMilli(from).UTC()
	}
	return cov
}

// Hours returns the counts of (from, at], at the instant of the last
// Advance, as contiguous buckets whose inner edges are the clock's full
// hours: the first bucket runs from from to the next full hour, the last
// from the last full hour to at. Their sum is exactly Count(from, at). from
// is a multiple of the resolution at most the longest window before at; it
// may read the hour from cuts from the backend, as Count does.
func (c *Counter) Hours(ctx context.Context, src backend.Source, from time.Time) ([]slo.Bucket, error) {
	return c.AppendHours(ctx, src, from, nil)
}

// AppendHours is Hours appending the buckets to dst, for a caller that
// reuses one buffer across evaluations (nothing kept refers to it).
func (c *Counter) AppendHours(ctx context.Context, src backend.Source, from time.Time, dst []slo.Bucket) ([]slo.Bucket, error) {
	lo, at := from.UnixMilli(), c.at
	out := slices.Grow(dst, int(max((at-lo)/HourMs+2, 0)))
	for lo < at {
		hi := min(CeilTo(lo+1, HourMs), at)
		counts, err := c.Count(ctx, src, time.UnixMilli(lo), time.UnixMilli(hi))
		if err != nil {
			return nil, err
		}
		out = append(out, slo.Bucket{Start: time.UnixMilli(lo).UTC(), End: time.UnixMilli(hi).UTC(), Counts: counts})
		lo = hi
	}
	return out, nil
}

// LentHours lends the counter's hourly totals of the complete hours to
// window histories (slo.NewHourlyHistoryLent), so that they refer to them
// instead of copying them: the hours ending at or before Until are complete
// in every stream the counts add up (Settled), and their totals are never
// written again (Stream.SealedTotals). Each call lends the columns as they
// are now; the counter goes on without touching them.
func (c *Counter) LentHours() *slo.LentHours {
	l := &slo.LentHours{Until: int64(math.MaxInt64), GoodIsTotalLessBad: c.good == nil}
	all := make([]slo.HourTerm, 0, len(c.total)+len(c.good)+len(c.bad)) // one allocation for the three sides
	lend := func(side terms) []slo.HourTerm {
		from := len(all)
		for _, t := range side {
			col, base := t.s.SealedTotals()
			all = append(all, slo.HourTerm{Col: col, Base: base, Sign: t.sign})
			l.Until = min(l.Until, t.s.Sealed())
		}
		return all[from:len(all):len(all)]
	}
	l.Total, l.Good, l.Bad = lend(c.total), lend(c.good), lend(c.bad)
	return l
}

// Settled returns the end of the last complete hour at the last Advance: the
// counts of the hours ending at or before it never change again (samples
// arriving later for them are dropped), so what was computed from them can
// be kept. Before any hour is complete it is far in the past.
func (c *Counter) Settled() time.Time {
	sealed := int64(math.MaxInt64)
	for _, u := range c.units {
		for _, s := range u.streams {
			sealed = min(sealed, s.Sealed())
		}
	}
	return time.UnixMilli(max(sealed, 0)).UTC()
}
