package exporter

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// RangeQuerier is a Querier that can also run range queries. With it,
// completed hours of counter history are computed by Prometheus, and only
// a few hours of raw samples cross the wire at start-up.
type RangeQuerier interface {
	Querier
	QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) (model.Matrix, error)
}

// loadHourlyHistory sets the hourly totals of a counter selector for the
// hours ending at first, first+1h, ..., last, asking Prometheus for per-hour
// differences instead of reading raw samples.
//
// For one series, the events revealed by samples in (h−1h, h] are exactly
// the difference of its latest values at h and at h−1h, when the counter did
// not reset and both values exist. So per hour:
//
//	diff   = sel − sel offset 1h       per series, at every hour end
//	resets = resets(sel[65m])          per series: any reset, also between
//	                                   the sample before the hour and its first
//
// An hour is clean when no series reset, no difference is negative, and
// every series with samples near the hour has a difference (no gap at an
// edge, no series born or gone inside the hour). Clean hours take the sum of
// the differences; the others are computed from their raw samples.
func loadHourlyHistory(ctx context.Context, q RangeQuerier, u *fetchUnit, first, last int64) error {
	start, end := time.UnixMilli(first), time.UnixMilli(last)
	diffs, err := q.QueryRange(ctx, fmt.Sprintf("%s - %s offset 1h", u.selector, u.selector), start, end, time.Hour)
	if err != nil {
		return err
	}
	resets, err := q.QueryRange(ctx, fmt.Sprintf("resets(%s[65m])", u.selector), start, end, time.Hour)
	if err != nil {
		return err
	}
	sums := map[int64]float64{}
	dirty := map[int64]bool{}
	have := map[int64]map[model.Fingerprint]bool{}
	for _, ss := range diffs {
		fp := ss.Metric.Fingerprint()
		for _, p := range ss.Values {
			h := int64(p.Timestamp)
			if p.Value < 0 {
				dirty[h] = true
			}
			sums[h] += float64(p.Value)
			if have[h] == nil {
				have[h] = map[model.Fingerprint]bool{}
			}
			have[h][fp] = true
		}
	}
	for _, ss := range resets {
		fp := ss.Metric.Fingerprint()
		for _, p := range ss.Values {
			h := int64(p.Timestamp)
			if p.Value != 0 || !have[h][fp] {
				dirty[h] = true
			}
		}
	}
	l := u.ledgers[0]
	for h := first; h <= last; h += hourMs {
		if !dirty[h] {
			l.setHour(h, sums[h])
			continue
		}
		incs, err := rawHour(ctx, q, u, h)
		if err != nil {
			return err
		}
		var total float64
		for _, inc := range incs[0] {
			total += inc.v
		}
		l.setHour(h, total)
	}
	return nil
}

// rawHour reads the hour ending at end (and the hour before it, for each
// series' preceding sample) and returns its increments per ledger of the unit.
func rawHour(ctx context.Context, q Querier, u *fetchUnit, end int64) ([][]increment, error) {
	tmp := make([]*ledger, len(u.ledgers))
	for i := range tmp {
		tmp[i] = newLedger(u.ledgers[i].res)
	}
	f := u.feeder.fresh(tmp)
	m, err := u.read(ctx, q, hourMs+baselineLookback.Milliseconds(), end)
	if err != nil {
		return nil, err
	}
	f.ingest(m, end)
	out := make([][]increment, len(tmp))
	for i, l := range tmp {
		for _, inc := range l.fine {
			if inc.ts > end-hourMs && inc.ts <= end {
				out[i] = append(out[i], inc)
			}
		}
	}
	return out, nil
}
