package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/slobudget/slobudget/slo"
)

// BackfillOptions say where to read raw counters and where to write blocks.
type BackfillOptions struct {
	// PrometheusURL is the Prometheus that evaluates the generated rules and
	// holds the raw counters.
	PrometheusURL string
	// RoundTripper is optional (TLS, auth).
	RoundTripper api.Config
	// OutputDir receives one TSDB block; move it into Prometheus's data
	// directory and Prometheus loads it within a minute.
	OutputDir string
	// History is how far before the running sums' first sample to write.
	// Default: the longest window any rule reads (the longest SLO window,
	// at least the 3d burn window), so every window is right at once.
	History time.Duration
}

// BackfillResult reports what was written for one SLO.
type BackfillResult struct {
	SLO string
	// FirstLive is the running sums' first sample written by Prometheus;
	// history is written on the evaluation grid before it.
	FirstLive time.Time
	From      time.Time
	Samples   int
}

// maxSteps stays under Prometheus's 11,000 points per range query.
const maxSteps = 10000

// Backfill writes the history of the running sums for rules that are
// already loaded. It counts backwards from each running sum's first live
// sample, subtracting the per-interval deltas that the rule would have added
// at each earlier evaluation (the same expression, run as a range query on
// the same time grid), so that history and live series join exactly and no
// sample overlaps what Prometheus already wrote.
func Backfill(ctx context.Context, cfg *slo.Config, opts Options, bo BackfillOptions) ([]BackfillResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if bo.PrometheusURL == "" || bo.OutputDir == "" {
		return nil, errors.New("backfill needs a Prometheus URL and an output directory")
	}
	// longest is the furthest back any rule reads.
	longest := slo.BurnWindows[len(slo.BurnWindows)-1]
	for _, s := range cfg.SLOs {
		longest = max(longest, s.Window.Duration)
	}
	history := bo.History
	if history == 0 {
		history = longest
	}
	span := max(history, longest) + opts.Continuity
	cc := bo.RoundTripper
	cc.Address = bo.PrometheusURL
	client, err := api.NewClient(cc)
	if err != nil {
		return nil, fmt.Errorf("prometheus client: %w", err)
	}
	prom := v1.NewAPI(client)

	// Twice the span: the block writer's head refuses samples older than
	// one block duration before the newest. An hour covers the longest
	// interval a group can have (a time slice divides 5m).
	w, err := tsdb.NewBlockWriter(slog.New(slog.DiscardHandler), bo.OutputDir, 2*(span+time.Hour).Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("block writer: %w", err)
	}
	defer w.Close()
	app := w.Appender(ctx)

	var results []BackfillResult
	for i := range cfg.SLOs {
		s := &cfg.SLOs[i]
		r, err := newSLORules(s, opts)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", s.Name, err)
		}
		step := r.opts.Interval // a time-slice SLO's group runs once per slice
		res := BackfillResult{SLO: s.Name}
		steps := int(history / step)
		totalDeltas, badDeltas := map[int64]float64{}, map[int64]float64{}
		first, firstTotal, err := firstSample(ctx, prom, metricTotal+r.sel, history)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", s.Name, err)
		}
		firstBadAt, firstBad, err := firstSample(ctx, prom, metricBad+r.sel, history)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", s.Name, err)
		}
		if !firstBadAt.Equal(first) {
			return nil, fmt.Errorf("slo %q: the running sums start at different times (%s, %s); were the rules edited by hand?", s.Name, first, firstBadAt)
		}
		res.FirstLive = first
		res.From = first.Add(-time.Duration(steps) * step)
		// Deltas at every grid instant from the first backfilled one up to
		// the first live one: the live sample already includes its own. The
		// rules' own delta expressions, run as range queries on their grid,
		// give exactly what each missed evaluation would have added.
		for _, d := range []struct {
			expr string
			out  map[int64]float64
		}{{r.totalDelta, totalDeltas}, {r.badDelta, badDeltas}} {
			if err := rangeDeltas(ctx, prom, d.expr, res.From.Add(step), first, step, d.out); err != nil {
				return nil, fmt.Errorf("slo %q: %w", s.Name, err)
			}
		}
		for _, m := range []struct {
			name, result string
			value        float64
			deltas       map[int64]float64
		}{{metricTotal, "total", firstTotal, totalDeltas}, {metricBad, "bad", firstBad, badDeltas}} {
			// Each running sum and its copy in metricSums, which the
			// window starts read.
			lsets := []labels.Labels{
				labels.FromStrings(labels.MetricName, m.name, "service", s.Service, "slo", s.Name),
				labels.FromStrings(labels.MetricName, metricSums, "result", m.result, "service", s.Service, "slo", s.Name),
			}
			// Values are known newest first, but a series' samples must be
			// appended oldest first: the head drops out-of-order ones.
			values := make([]float64, steps+1)
			values[steps] = m.value
			for k := steps - 1; k >= 0; k-- {
				next := res.From.Add(time.Duration(k+1) * step)
				values[k] = values[k+1] - m.deltas[next.UnixMilli()]
			}
			// With less history than the longest window, the windows that
			// reach before it would find no sample and count from zero, not
			// from the history's first value. Holding that value further back
			// (one sample per half Continuity is enough for last_over_time)
			// makes them count everything since the history starts: right
			// when there is no raw data before it, as with a short history
			// chosen for that reason.
			for _, lset := range lsets {
				for pad := res.From.Add(-(span - history)); pad.Before(res.From); pad = pad.Add(opts.Continuity / 2) {
					if _, err := app.Append(0, lset, pad.UnixMilli(), values[0]); err != nil {
						return nil, fmt.Errorf("slo %q: writing %s at %s: %w", s.Name, lset, pad, err)
					}
					res.Samples++
				}
				for k := 0; k < steps; k++ {
					at := res.From.Add(time.Duration(k) * step)
					if _, err := app.Append(0, lset, at.UnixMilli(), values[k]); err != nil {
						return nil, fmt.Errorf("slo %q: writing %s at %s: %w", s.Name, lset, at, err)
					}
					res.Samples++
				}
			}
		}
		results = append(results, res)
	}
	if err := app.Commit(); err != nil {
		return nil, fmt.Errorf("committing samples: %w", err)
	}
	if _, err := w.Flush(ctx); err != nil {
		return nil, fmt.Errorf("writing block: %w", err)
	}
	return results, nil
}

// firstSample finds the oldest sample of a running sum within the history.
func firstSample(ctx context.Context, prom v1.API, sel string, history time.Duration) (time.Time, float64, error) {
	q := fmt.Sprintf("%s[%s]", sel, model.Duration(history))
	val, _, _, err := prom.Query(ctx, q, time.Now())
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("query %s: %w", q, err)
	}
	m, ok := val.(model.Matrix)
	if !ok || len(m) == 0 || len(m[0].Values) == 0 {
		return time.Time{}, 0, fmt.Errorf("no %s series yet: load the generated rules into Prometheus and wait one evaluation interval before backfilling", sel)
	}
	if len(m) > 1 {
		return time.Time{}, 0, fmt.Errorf("%d series match %s; want one", len(m), sel)
	}
	p := m[0].Values[0]
	return p.Timestamp.Time(), float64(p.Value), nil
}

// rangeDeltas adds the delta expression's value at every grid instant in
// [from, to] to out, keyed by Unix milliseconds. Instants without a value had
// nothing to count.
func rangeDeltas(ctx context.Context, prom v1.API, expr string, from, to time.Time, step time.Duration, out map[int64]float64) error {
	for start := from; !start.After(to); start = start.Add(maxSteps * step) {
		end := start.Add((maxSteps - 1) * step)
		if end.After(to) {
			end = to
		}
		val, _, _, err := prom.QueryRange(ctx, expr, v1.Range{Start: start, End: end, Step: step})
		if err != nil {
			return fmt.Errorf("range query %s: %w", expr, err)
		}
		m, ok := val.(model.Matrix)
		if !ok {
			return fmt.Errorf("range query %s returned %s, not a matrix", expr, val.Type())
		}
		for _, series := range m {
			for _, p := range series.Values {
				out[int64(p.Timestamp)] += float64(p.Value)
			}
		}
	}
	return nil
}
