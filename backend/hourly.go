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

// flavored is a rangeQuerier that knows its backend's flavor.
type flavored interface{ flavor() Flavor }

// HourlyIncreases implements HourlySource with two range queries at hourly
// steps (see hourlyIncreases).
func (p *Prometheus) HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]Hour, error) {
	return hourlyIncreases(ctx, p, selector, first, last)
}

// hourlyIncreases computes completed hours' counter increases in PromQL.
//
// For one series, the events revealed by samples in (h−1h, h] are exactly
// the difference of its latest values at h and at h−1h (the base), when the
// counter did not reset, no sample from the base on was bad, and both values
// exist. So per hour:
//
//	diff  = (sel − sel offset 1h) / (sel offset 1h >= bool 0)
//	        per series: the difference, or not a number when the base is
//	        negative or NaN (instant selectors: cheap)
//	flags = resets(sel[65m]) + 0 * sum_over_time(sel[65m])
//	        per series: any reset, also between the sample before the hour
//	        and its first; NaN when any value is NaN or ±Inf (on
//	        VictoriaMetrics, also non-zero for a staleness marker: flavor.go)
//
// A negative value after the base is a drop, so resets flags it. Bad samples
// before the base change nothing: the base is good and starts a run either
// way (the 65 minutes reach back past the base, so such a sample dirties the
// hour anyway; read raw, that is exact, only slower).
//
// An hour is clean when no series has a flag, no difference is negative or
// not a number, and every series with samples near the hour has a
// difference (no gap at an edge, no series born or gone inside the hour).
// Clean hours come back with the sum of their differences; the others are
// left out (the caller reads them raw, where the bad-sample rule applies).
// Prometheus reads each raw sample of the history about twice.
//
// A clean hour is Sampled when some series has a difference there: that
// series has its latest sample within the lookback (5m) before the hour's
// end, so inside the hour. A clean hour without a difference had no series
// with samples in the 65 minutes before its end at all.
func hourlyIncreases(ctx context.Context, q rangeQuerier, selector string, first, last time.Time) (map[int64]Hour, error) {
	diffs, resets, err := hourlyQueries(ctx, q, selector, first, last)
	if err != nil {
		return nil, err
	}
	return hoursFrom(diffs, resets, first, last), nil
}

// hourlyQueries runs hourlyIncreases' two range queries: per series, the
// hour's difference and its flags. Their series carry the selector's
// labels without the metric name.
func hourlyQueries(ctx context.Context, q rangeQuerier, selector string, first, last time.Time) (diffs, resets []Series, err error) {
	diffs, err = q.QueryRange(ctx, fmt.Sprintf("(%[1]s - %[1]s offset 1h) / (%[1]s offset 1h >= bool 0)", selector), first, last, time.Hour)
	if err != nil {
		return nil, nil, unsupportedIfQueryError(err)
	}
	fl := FlavorPrometheus
	if f, ok := q.(flavored); ok {
		fl = f.flavor()
	}
	resets, err = q.QueryRange(ctx, fl.hourlyFlagsQuery(selector), first, last, time.Hour)
	if err != nil {
		return nil, nil, unsupportedIfQueryError(err)
	}
	return diffs, resets, nil
}

// hoursFrom computes the clean hours first..last from the two queries'
// series (see hourlyIncreases).
func hoursFrom(diffs, resets []Series, first, last time.Time) map[int64]Hour {
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
	return out
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
