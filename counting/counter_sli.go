package counting

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// Options configure a Counter.
type Options struct {
	// Resolution is the evaluation interval: every instant Advance is called
	// at, and every window edge, is a multiple of it. One millisecond for a
	// one-shot evaluation at any instant.
	Resolution time.Duration
	// Windows are the window lengths counted at each instant (the SLO
	// window and the burn windows): their edge hours are kept and read
	// ahead, and the longest decides how much history is read and kept.
	Windows []time.Duration
	// PrefetchAt is the moment of the hour (past the full hour) from which
	// the next edge hours are read ahead; it should differ between SLOs so
	// their reads spread over the hour. Negative: never read ahead (one
	// evaluation needs no next edge hours).
	PrefetchAt time.Duration
	// Exclusions are the agreed exclusions that apply to the SLI: their
	// events are counted by Excluded, not by Count or Hours.
	Exclusions []Span
}

// Counter counts one SLI's good and total events exactly, over any window
// that ends at the latest instant it advanced to. It is not safe for
// concurrent use; one evaluation at a time uses it.
type Counter struct {
	units      []*unit // units[0] reads the total (or the time-slice gauge)
	good       *Stream // nil when the SLI counts bad events
	bad        *Stream // nil when the SLI counts good events
	total      *Stream
	res        int64
	windows    []int64
	span       int64
	prefetchAt int64
	at         int64
	window     int64 // the first of Options.Windows: how long notes about bad samples stay
	badLog     badSampleLog
	excl       []exclusionSpan
	// excluded holds each exclusion's streams, in Options.Exclusions order.
	excluded []excludedStreams
	// fixedEdge is a window start that does not move with the instant (a
	// calendar period's), whose hour's buckets are kept; 0: none.
	fixedEdge int64
}

// New builds a Counter for a validated SLI.
func New(sli slo.SLI, o Options) (*Counter, error) {
	if o.Resolution <= 0 || HourMs%o.Resolution.Milliseconds() != 0 {
		return nil, fmt.Errorf("counting resolution %s must divide an hour", o.Resolution)
	}
	if len(o.Windows) == 0 {
		return nil, fmt.Errorf("counting needs at least one window")
	}
	res := o.Resolution.Milliseconds()
	c := &Counter{res: res, prefetchAt: o.PrefetchAt.Milliseconds(), excl: toSpans(o.Exclusions)}
	c.excluded = make([]excludedStreams, len(c.excl))
	if o.PrefetchAt < 0 {
		c.prefetchAt = HourMs // never reached
	}
	for _, w := range o.Windows {
		c.windows = append(c.windows, w.Milliseconds())
	}
	c.span = slices.Max(c.windows)
	c.window = c.windows[0]
	switch sli.Kind() {
	case slo.KindEvents, slo.KindLatency:
		goodSel, badSel, totalSel := sli.CounterSelectors()
		c.total = NewStream(res)
		c.addCounter(totalSel, c.total, func(x *excludedStreams) **Stream { return &x.total })
		if goodSel != "" {
			c.good = NewStream(res)
			c.addCounter(goodSel, c.good, func(x *excludedStreams) **Stream { return &x.good })
		} else {
			c.bad = NewStream(res)
			c.addCounter(badSel, c.bad, func(x *excludedStreams) **Stream { return &x.bad })
		}
	case slo.KindTimeSlice:
		c.good, c.total = NewStream(res), NewStream(res)
		f := newTimesliceFeeder(sli.TimeSlice, c.good, c.total)
		f.keep = 2 * res // what catchUp reads again each cycle
		f.excl = c.excl
		streams := []*Stream{c.good, c.total}
		for i := range c.excl {
			g, t := NewStream(res), NewStream(res)
			c.excluded[i].good, c.excluded[i].total = g, t
			f.exGood, f.exTotal = append(f.exGood, g), append(f.exTotal, t)
			streams = append(streams, g, t)
		}
		c.units = append(c.units, &unit{selector: sli.TimeSlice.Query, streams: streams, feeder: f, excl: c.excl})
	default:
		return nil, fmt.Errorf("no SLI")
	}
	// Coverage and "no data" are about the total (or the gauge) alone.
	c.units[0].seen = &sampleRuns{}
	return c, nil
}

// addCounter adds a unit reading a counter selector into s, and into one
// stream per exclusion (slot says which of excludedStreams it is).
func (c *Counter) addCounter(selector string, s *Stream, slot func(*excludedStreams) **Stream) {
	f := newCounterFeeder(s)
	f.excl = c.excl
	streams := []*Stream{s}
	for i := range c.excl {
		x := NewStream(c.res)
		*slot(&c.excluded[i]) = x
		f.exOut = append(f.exOut, x)
		streams = append(streams, x)
	}
	u := &unit{selector: selector, streams: streams, feeder: f, counter: true, excl: c.excl}
	u.record = func(series labels.Labels, t int64, reason string) { c.badLog.record(selector, series, t, reason) }
	c.units = append(c.units, u)
}

// TakeBadSamples returns how many bad counter samples, by reason, were read
// since the last call (for slobudget_bad_samples_total).
func (c *Counter) TakeBadSamples() map[string]int { return c.badLog.take() }

// Advance reads everything new up to at (a multiple of the resolution) and
// folds what became complete. On error nothing is lost: what was read stays,
// and the next call continues from there.
func (c *Counter) Advance(ctx context.Context, src backend.Source, at time.Time) error {
	atMs := at.UnixMilli()
	if atMs%c.res != 0 {
		return fmt.Errorf("instant %s is not on the %s evaluation grid", at.UTC().Format(time.RFC3339Nano), model.Duration(time.Duration(c.res)*time.Millisecond))
	}
	for _, u := range c.units {
		if err := u.catchUp(ctx, src, atMs, c.span, c.res); err != nil {
			return err
		}
	}
	c.at = atMs
	// Edge hours: the hour each window's lower edge cuts now, and the one it
	// cuts next. Every window edge crosses into its next hour at the same
	// instant for every SLO; reading the next ones ahead, at a moment of the
	// hour that differs per SLO, spreads those reads over the hour instead
	// of piling them all into the cycle after the full hour.
	keep := map[int64]bool{}
	var next []int64
	for _, w := range c.windows {
		e := CeilTo(atMs-w, HourMs)
		keep[e], keep[e+HourMs] = true, true
		next = append(next, e+HourMs)
	}
	if c.fixedEdge != 0 {
		keep[CeilTo(c.fixedEdge, HourMs)] = true
	}
	cut := FloorTo(atMs-fineSpan, HourMs)
	drop := atMs - c.span - 2*HourMs
	for _, u := range c.units {
		for _, s := range u.streams {
			s.Fold(cut, keep, drop)
		}
		u.feeder.prune(drop)
		if u.seen != nil {
			u.seen.prune(drop)
		}
	}
	if atMs%HourMs >= c.prefetchAt {
		for _, end := range next {
			if err := c.readEdge(ctx, src, end); err != nil {
				return err
			}
		}
	}
	return nil
}

// Count returns the good and total events in (from, to]; to is the instant
// of the last Advance, from a multiple of the resolution at most the longest
// window before it. It may read the hour from cuts from the backend.
func (c *Counter) Count(ctx context.Context, src backend.Source, from, to time.Time) (slo.Counts, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	var counts slo.Counts
	var bad float64
	for _, pair := range []struct {
		s   *Stream
		dst *float64
	}{{c.total, &counts.Total}, {c.good, &counts.Good}, {c.bad, &bad}} {
		if pair.s == nil {
			continue
		}
		v, err := c.sum(ctx, src, pair.s, lo, hi)
		if err != nil {
			return slo.Counts{}, err
		}
		*pair.dst = v
	}
	if c.good == nil {
		counts.Good = counts.Total - bad
	}
	return counts, nil
}

// sum sums a stream over (from, to], reading the buckets of the hour the
// window's lower edge cuts when they are not at hand.
func (c *Counter) sum(ctx context.Context, src backend.Source, s *Stream, from, to int64) (float64, error) {
	v, missing, ok := s.Sum(from, to)
	if ok {
		return v, nil
	}
	if err := c.readEdge(ctx, src, missing); err != nil {
		return 0, err
	}
	if v, _, ok = s.Sum(from, to); !ok {
		return 0, fmt.Errorf("internal: edge hour ending %s still missing", time.UnixMilli(missing).UTC())
	}
	return v, nil
}

// readEdge reads the hour ending at end again, for every unit that needs
// its buckets.
func (c *Counter) readEdge(ctx context.Context, src backend.Source, end int64) error {
	for _, u := range c.units {
		if !slices.ContainsFunc(u.streams, func(s *Stream) bool { return s.NeedsDetail(end) }) {
			continue
		}
		buckets, err := u.rawHour(ctx, src, end, c.res, false)
		if err != nil {
			return err
		}
		for i, s := range u.streams {
			s.SetDetail(end, buckets[i])
		}
	}
	return nil
}

// staleTotalAfter is how long the total selector may go without samples
// before the notes say so.
const staleTotalAfter = 10 * time.Minute

// Notes returns observations about the data at the last instant: the total
// selector without recent samples (a service that stopped, or a selector that
// no longer matches: the counts stay exact, no traffic is no traffic, and the
// note tells people why), and bad counter samples skipped in the window.
func (c *Counter) Notes() []string {
	var notes []string
	u := c.units[0]
	if f, ok := u.feeder.(*counterFeeder); ok {
		switch latest := f.newest(); {
		case latest == 0:
			notes = append(notes, fmt.Sprintf("no samples of %s in the last %s", u.selector, model.Duration(time.Duration(fineSpan)*time.Millisecond)))
		case c.at-latest > staleTotalAfter.Milliseconds():
			notes = append(notes, fmt.Sprintf("no samples of %s since %s", u.selector, time.UnixMilli(latest).UTC().Format(time.RFC3339)))
		}
	}
	if n := c.badLog.note(c.at, c.window); n != "" {
		notes = append(notes, n)
	}
	return notes
}
