package counting

import (
	"context"
	"fmt"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// Fine returns the counts of (from, to] in contiguous buckets of res (5m for
// the review's incidents and alert replay), read raw from the backend in
// day-long queries and fed through the same feeders the Counter uses (reset
// correction, baselines, bad samples, time slices), so a bucket holds
// exactly what Count would say for it. from and to are multiples of res,
// which divides an hour.
//
// Unlike a Counter, nothing is folded into hours: every bucket of the range
// is kept, which is what a long fine-grained history needs and what a
// daemon, evaluating every minute, must not keep.
func Fine(ctx context.Context, src backend.Source, sli slo.SLI, from, to time.Time, res time.Duration, excl []Span) ([]slo.Bucket, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("fine history (%s, %s] is empty", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	c, err := New(sli, Options{Resolution: res, Windows: []time.Duration{to.Sub(from)}, PrefetchAt: -1, Exclusions: excl})
	if err != nil {
		return nil, err
	}
	lo, hi, step := from.UnixMilli(), to.UnixMilli(), res.Milliseconds()
	if lo%step != 0 || hi%step != 0 {
		return nil, fmt.Errorf("fine history edges %s and %s are not on the %s grid", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), res)
	}
	for _, u := range c.units {
		// The hour before from gives every series the sample preceding the
		// range: its increment into the first bucket needs it.
		for at := lo - baselineLookback; at < hi; {
			next := min(hi, at+loadChunk)
			series, err := u.read(ctx, src, at, next)
			if err != nil {
				return nil, err
			}
			u.feeder.ingest(series, next)
			at = next
		}
	}
	c.at = hi
	out := make([]slo.Bucket, 0, (hi-lo)/step)
	for t := lo; t < hi; t += step {
		counts, err := c.Count(ctx, src, time.UnixMilli(t), time.UnixMilli(t+step))
		if err != nil {
			return nil, err
		}
		out = append(out, slo.Bucket{Start: time.UnixMilli(t).UTC(), End: time.UnixMilli(t + step).UTC(), Counts: counts})
	}
	return out, nil
}
