package backend

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// rangeQuerier runs PromQL range queries: the Prometheus client, or an
// embedded PromQL engine.
type rangeQuerier interface {
	QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, error)
}

// HourlyIncreases implements HourlySource with two range queries at hourly
// steps (see hourlyIncreases).
func (p *Prometheus) HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]Hour, error) {
	return hourlyIncreases(ctx, p, selector, first, last)
}

// hourlyIncreases computes completed hours' counter increases in PromQL.
//
// For one series, the events revealed by samples in (h−1h, h] are exactly
// the difference of its latest values at h and at h−1h, when the counter did
// not reset, no sample was bad, and both values exist. So per hour:
//
//	diff  = sel − sel offset 1h       per series, at every hour end
//	flags = resets(sel[65m])          per series: any reset, also between the
//	                                  sample before the hour and its first
//	      + (min_over_time(sel[65m]) < bool 0)   a negative value
//	      + 0 * sum_over_time(sel[65m])          NaN when any value is NaN or ±Inf
//
// An hour is clean when no series has a flag, no difference is negative or
// not a number, and every series with samples near the hour has a
// difference (no gap at an edge, no series born or gone inside the hour).
// Clean hours come back with the sum of their differences; the others are
// left out (the caller reads them raw, where the bad-sample rule applies).
// The 65 minutes reach back past the sample the difference starts from, so
// a bad sample there dirties the hour too (read raw: exact, only slower).
//
// A clean hour is Sampled when some series has a difference there: that
// series has its latest sample within the lookback (5m) before the hour's
// end, so inside the hour. A clean hour without a difference had no series
// with samples in the 65 minutes before its end at all.
func hourlyIncreases(ctx context.Context, q rangeQuerier, selector string, first, last time.Time) (map[int64]Hour, error) {
	diffs, err := q.QueryRange(ctx, fmt.Sprintf("%s - %s offset 1h", selector, selector), first, last, time.Hour)
	if err != nil {
		return nil, unsupportedIfQueryError(err)
	}
	resets, err := q.QueryRange(ctx, fmt.Sprintf("resets(%[1]s[65m]) + (min_over_time(%[1]s[65m]) < bool 0) + 0 * sum_over_time(%[1]s[65m])", selector), first, last, time.Hour)
	if err != nil {
		return nil, unsupportedIfQueryError(err)
	}
	sums := map[int64]float64{}
	dirty := map[int64]bool{}
	have := map[int64]map[uint64]bool{}
	for _, s := range diffs {
		id := s.Labels.Hash()
		for _, p := range s.Floats {
			if p.V < 0 || math.IsNaN(p.V) || math.IsInf(p.V, 0) {
				dirty[p.T] = true
			}
			sums[p.T] += p.V
			if have[p.T] == nil {
				have[p.T] = map[uint64]bool{}
			}
			have[p.T][id] = true
		}
	}
	for _, s := range resets {
		id := s.Labels.Hash()
		for _, p := range s.Floats {
			if p.V != 0 || !have[p.T][id] {
				dirty[p.T] = true
			}
		}
	}
	out := map[int64]Hour{}
	for h := first.UnixMilli(); h <= last.UnixMilli(); h += time.Hour.Milliseconds() {
		if !dirty[h] {
			out[h] = Hour{Increase: sums[h], Sampled: len(have[h]) > 0}
		}
	}
	return out, nil
}

// unsupportedIfQueryError marks a refused query (a selector spanning several
// metric names makes the subtraction ambiguous) as ErrUnsupported, so the
// caller reads raw samples instead; other failures stay failures.
func unsupportedIfQueryError(err error) error {
	if Classify(err) == QueryError {
		return errors.Join(ErrUnsupported, err)
	}
	return err
}
