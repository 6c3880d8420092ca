package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"

	"github.com/slobudget/slobudget/backend"
)

// Querier answers the daemon's reads with Prometheus's own PromQL engine
// over a local storage (the demo's TSDB): the same code path a Prometheus
// server runs, with no HTTP in between.
type Querier struct {
	engine  *promql.Engine
	store   storage.Queryable
	timeout time.Duration
}

var _ backend.Source = (*Querier)(nil)

// NewQuerier builds a PromQL engine over store.
func NewQuerier(store storage.Queryable) *Querier {
	const timeout = 2 * time.Minute
	return &Querier{
		engine: promql.NewEngine(promql.EngineOpts{
			// A day of one SLO's raw samples per query at 15 s is about 6,000
			// per series; the limit only guards against a runaway query.
			MaxSamples:           50_000_000,
			Timeout:              timeout,
			LookbackDelta:        5 * time.Minute,
			EnableAtModifier:     true,
			EnableNegativeOffset: true,
		}),
		store:   store,
		timeout: timeout,
	}
}

// Samples implements backend.Source with a range-vector selector
// (`selector[to-from]` at to), keeping samples after from as the seam
// requires.
func (q *Querier) Samples(ctx context.Context, selector string, from, to time.Time) ([]backend.Series, error) {
	if !to.After(from) {
		return nil, nil
	}
	query := selector + "[" + model.Duration(to.Sub(from)).String() + "]"
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	qry, err := q.engine.NewInstantQuery(ctx, q.store, nil, query, to)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", query, err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		return nil, fmt.Errorf("query %q at %s: %w", query, to.UTC().Format(time.RFC3339), res.Err)
	}
	m, ok := res.Value.(promql.Matrix)
	if !ok {
		return nil, fmt.Errorf("query %q: expected a range vector, got %s", query, res.Value.Type())
	}
	lo := from.UnixMilli()
	out := make([]backend.Series, 0, len(m))
	for _, s := range m {
		if len(s.Histograms) > 0 {
			// The seam has room for them (Series.Histograms); nothing reads
			// them yet, so they are refused rather than dropped unseen.
			return nil, fmt.Errorf("query %q: %s holds native histogram samples, which SLIs do not read yet", query, s.Metric)
		}
		ser := backend.Series{Labels: s.Metric}
		for _, p := range s.Floats {
			if p.T > lo {
				ser.Floats = append(ser.Floats, backend.Sample{T: p.T, V: p.F})
			}
		}
		if len(ser.Floats) > 0 {
			out = append(out, ser)
		}
	}
	return out, nil
}
