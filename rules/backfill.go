package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
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
		if len(r.pre) > 0 {
			// The running sums read counters the rules themselves record
			// (native.go), which have no history before the rules started:
			// their deltas would say "no traffic".
			return nil, fmt.Errorf("slo %q: rules-backfill cannot write the history of a native-histogram SLI (its counters are recorded by the rules themselves); its windows fill from the rules' start", s.Name)
		}
		step := r.opts.Interval // a time-slice SLO's group runs once per slice
		res := BackfillResult{SLO: s.Name}
		steps := int(history / step)
		// One history per running-sum series: the SLO's, or each group's
		// (keyed by its grouping label values), each counted back from its
		// own first live sample.
		firstTotals, err := firstSamples(ctx, prom, metricTotal+r.sel, history, r.by)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", s.Name, err)
		}
		firstBads, err := firstSamples(ctx, prom, metricBad+r.sel, history, r.by)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", s.Name, err)
		}
		for _, key := range sortedGroupKeys(firstTotals) {
			ft, fb := firstTotals[key], firstBads[key]
			if fb.labels == nil || !fb.at.Equal(ft.at) {
				return nil, fmt.Errorf("slo %q%s: the running sums start at different times (%s, %s); were the rules edited by hand?", s.Name, groupSuffix(key), ft.at, fb.at)
			}
			first := ft.at
			if res.FirstLive.IsZero() || first.Before(res.FirstLive) {
				res.FirstLive = first
			}
			from := first.Add(-time.Duration(steps) * step)
			if res.From.IsZero() || from.Before(res.From) {
				res.From = from
			}
			// Deltas at every grid instant from the first backfilled one up
			// to the first live one: the live sample already includes its
			// own. The rules' own delta expressions, run as range queries on
			// their grid, give exactly what each missed evaluation would
			// have added.
			totalDeltas, badDeltas := map[int64]float64{}, map[int64]float64{}
			for _, d := range []struct {
				expr string
				out  map[int64]float64
			}{{r.totalDelta, totalDeltas}, {r.badDelta, badDeltas}} {
				if err := rangeDeltas(ctx, prom, d.expr, from.Add(step), first, step, r.by, key, d.out); err != nil {
					return nil, fmt.Errorf("slo %q: %w", s.Name, err)
				}
			}
			for _, m := range []struct {
				name, result string
				value        float64
				deltas       map[int64]float64
			}{{metricTotal, "total", ft.value, totalDeltas}, {metricBad, "bad", fb.value, badDeltas}} {
				var group []string
				for _, l := range r.by {
					if v := ft.labels[model.LabelName(l)]; v != "" {
						group = append(group, l, string(v))
					}
				}
				// Each running sum and its copy in metricSums, which the
				// window starts read.
				lsets := []labels.Labels{
					labels.FromStrings(append([]string{labels.MetricName, m.name, "service", s.Service, "slo", s.Name}, group...)...),
					labels.FromStrings(append([]string{labels.MetricName, metricSums, "result", m.result, "service", s.Service, "slo", s.Name}, group...)...),
				}
				// Values are known newest first, but a series' samples must
				// be appended oldest first: the head drops out-of-order ones.
				values := make([]float64, steps+1)
				values[steps] = m.value
				for k := steps - 1; k >= 0; k-- {
					next := from.Add(time.Duration(k+1) * step)
					values[k] = values[k+1] - m.deltas[next.UnixMilli()]
				}
				// With less history than the longest window, the windows that
				// reach before it would find no sample and count from zero,
				// not from the history's first value. Holding that value
				// further back (one sample per half Continuity is enough for
				// last_over_time) makes them count everything since the
				// history starts: right when there is no raw data before it,
				// as with a short history chosen for that reason.
				for _, lset := range lsets {
					for pad := from.Add(-(span - history)); pad.Before(from); pad = pad.Add(opts.Continuity / 2) {
						if _, err := app.Append(0, lset, pad.UnixMilli(), values[0]); err != nil {
							return nil, fmt.Errorf("slo %q: writing %s at %s: %w", s.Name, lset, pad, err)
						}
						res.Samples++
					}
					for k := 0; k < steps; k++ {
						at := from.Add(time.Duration(k) * step)
						if _, err := app.Append(0, lset, at.UnixMilli(), values[k]); err != nil {
							return nil, fmt.Errorf("slo %q: writing %s at %s: %w", s.Name, lset, at, err)
						}
						res.Samples++
					}
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

// firstLive is the oldest sample of one running-sum series.
type firstLive struct {
	at     time.Time
	value  float64
	labels model.Metric
}

// groupKey identifies a running-sum series by its grouping label values
// ("" for an SLO without grouping).
func groupKey(m model.Metric, by []string) string {
	var b strings.Builder
	for _, l := range by {
		b.WriteString(string(m[model.LabelName(l)]))
		b.WriteByte(0)
	}
	return b.String()
}

func sortedGroupKeys(m map[string]firstLive) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func groupSuffix(key string) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf(" group %q", strings.ReplaceAll(strings.TrimSuffix(key, "\x00"), "\x00", ","))
}

// firstSamples finds the oldest sample of each running-sum series within
// the history: one for an SLO without grouping, one per group otherwise.
func firstSamples(ctx context.Context, prom v1.API, sel string, history time.Duration, by []string) (map[string]firstLive, error) {
	q := fmt.Sprintf("%s[%s]", sel, model.Duration(history))
	val, _, _, err := prom.Query(ctx, q, time.Now())
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q, err)
	}
	m, ok := val.(model.Matrix)
	if !ok || len(m) == 0 || len(m[0].Values) == 0 {
		return nil, fmt.Errorf("no %s series yet: load the generated rules into Prometheus and wait one evaluation interval before backfilling", sel)
	}
	out := map[string]firstLive{}
	for _, series := range m {
		k := groupKey(series.Metric, by)
		if _, dup := out[k]; dup || len(series.Values) == 0 {
			return nil, fmt.Errorf("%d series match %s; want one per group", len(m), sel)
		}
		p := series.Values[0]
		out[k] = firstLive{at: p.Timestamp.Time(), value: float64(p.Value), labels: series.Metric}
	}
	return out, nil
}

// rangeDeltas adds the delta expression's value at every grid instant in
// [from, to] to out, keyed by Unix milliseconds, for the group key only. Instants without a value had
// nothing to count.
func rangeDeltas(ctx context.Context, prom v1.API, expr string, from, to time.Time, step time.Duration, by []string, key string, out map[int64]float64) error {
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
			if groupKey(series.Metric, by) != key {
				continue // another group's
			}
			for _, p := range series.Values {
				out[int64(p.Timestamp)] += float64(p.Value)
			}
		}
	}
	return nil
}
