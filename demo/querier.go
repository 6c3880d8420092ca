package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"

	"github.com/slobudget/slobudget/exporter"
)

// Querier answers the daemon's queries with Prometheus's own PromQL engine
// over a local storage (the demo's TSDB): the same code path a Prometheus
// server runs, with no HTTP in between.
type Querier struct {
	engine  *promql.Engine
	store   storage.Queryable
	timeout time.Duration
}

var _ exporter.Querier = (*Querier)(nil)

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

// QueryMatrix runs an instant query at at that must return a range vector,
// such as `http_requests_total{service="api"}[1d]`, and returns its raw samples.
func (q *Querier) QueryMatrix(ctx context.Context, query string, at time.Time) (model.Matrix, error) {
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	qry, err := q.engine.NewInstantQuery(ctx, q.store, nil, query, at)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", query, err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		return nil, fmt.Errorf("query %q at %s: %w", query, at.UTC().Format(time.RFC3339), res.Err)
	}
	m, ok := res.Value.(promql.Matrix)
	if !ok {
		return nil, fmt.Errorf("query %q: expected a range vector, got %s", query, res.Value.Type())
	}
	out := make(model.Matrix, 0, len(m))
	for _, s := range m {
		if len(s.Histograms) > 0 {
			return nil, fmt.Errorf("query %q: %s holds native histogram samples, which SLIs do not read", query, s.Metric)
		}
		ss := &model.SampleStream{Metric: toMetric(s.Metric), Values: make([]model.SamplePair, len(s.Floats))}
		for i, p := range s.Floats {
			if math.IsNaN(p.F) {
				return nil, fmt.Errorf("query %q: NaN sample in %s", query, s.Metric)
			}
			ss.Values[i] = model.SamplePair{Timestamp: model.Time(p.T), Value: model.SampleValue(p.F)}
		}
		out = append(out, ss)
	}
	return out, nil
}

func toMetric(ls labels.Labels) model.Metric {
	m := make(model.Metric, ls.Len())
	ls.Range(func(l labels.Label) { m[model.LabelName(l.Name)] = model.LabelValue(l.Value) })
	return m
}
