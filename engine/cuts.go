package engine

import (
	"context"
	"sync"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// cutLedger keeps, for the complete hours of the window that a local day
// boundary cuts (every day in a zone offset by half an hour from UTC: 18:30
// UTC in Asia/Kolkata), the counts of the hour's parts on either side of the
// boundary. The charts add the window up per local day and month and need
// them (slo.Refine); an hourly total cannot be split. A complete hour's
// counts never change, so its parts are counted once (which may read the
// hour raw once, as a window edge is) and kept: about 30 hours of a month,
// a few dozen bytes each. Open hours are counted afresh every evaluation,
// from the buckets the counter keeps for them anyway. The counts depend only
// on what the counter counts, so the ledger is shared like the counter.
type cutLedger struct {
	mu    sync.Mutex
	hours map[int64][]slo.Bucket // by the hour bucket's end (ms)
}

// parts returns the split buckets of every bucket of hours that a local day
// boundary of the SLO window's zone cuts; nil in a zone whose midnights are
// full hours (UTC, every rolling window).
func (l *cutLedger) parts(ctx context.Context, c counting.Evaluator, src backend.Source, def *slo.SLO, hours []slo.Bucket, windowStart time.Time) ([]slo.Bucket, error) {
	loc := def.Window.Location
	if loc == nil || len(hours) == 0 {
		return nil, nil
	}
	days := slo.DayPeriods(loc)
	cut := slo.CutBuckets(hours, days)
	l.mu.Lock()
	defer l.mu.Unlock()
	for end := range l.hours {
		if end <= windowStart.UnixMilli() {
			delete(l.hours, end) // left the window
		}
	}
	if len(cut) == 0 {
		return nil, nil
	}
	if l.hours == nil {
		l.hours = map[int64][]slo.Bucket{}
	}
	settled := c.Settled()
	var out []slo.Bucket
	for _, b := range cut {
		key := b.End.UnixMilli()
		if kept, ok := l.hours[key]; ok && kept[0].Start.Equal(b.Start) {
			out = append(out, kept...)
			continue
		}
		var got []slo.Bucket
		if def.SLI.Exact() {
			for _, p := range slo.SplitParts(b, days) {
				n, err := c.Count(ctx, src, p.Start, p.End)
				if err != nil {
					return nil, err
				}
				got = append(got, slo.Bucket{Start: p.Start, End: p.End, Counts: n})
			}
		} else {
			got = evenParts(b, slo.SplitParts(b, days))
		}
		if !b.End.After(settled) {
			l.hours[key] = got
		}
		out = append(out, got...)
	}
	return out, nil
}

// evenParts splits an estimate's bucket by time: its counts are
// error-ratio-weighted seconds of one hourly ratio (counting.Estimate), the
// same in every second of the hour, which is how the estimate itself counts
// an hour a window edge cuts. The last part takes the remainder, so the parts
// add up to the bucket.
func evenParts(b slo.Bucket, spans []slo.Period) []slo.Bucket {
	out := make([]slo.Bucket, 0, len(spans))
	var used slo.Counts
	whole := b.Span().Seconds()
	for i, p := range spans {
		n := slo.Counts{Good: b.Good - used.Good, Total: b.Total - used.Total}
		if i < len(spans)-1 {
			f := p.End.Sub(p.Start).Seconds() / whole
			n = slo.Counts{Good: b.Good * f, Total: b.Total * f}
			used.Good, used.Total = used.Good+n.Good, used.Total+n.Total
		}
		out = append(out, slo.Bucket{Start: p.Start, End: p.End, Counts: n})
	}
	return out
}
