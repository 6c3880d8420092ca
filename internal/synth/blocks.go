package synth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// ScaleService names the service of scale SLO i.
func ScaleService(i int) string { return fmt.Sprintf("svc-%04d", i) }

// WriteBlocks writes TSDB blocks for nSLOs availability SLOs (two series
// each, code 200 and 500, 0.05% errors on diurnal traffic) with 1-minute
// samples over days days ending at end, for benchmarks. Text backfill of this
// much data takes minutes; writing blocks directly takes about a minute for
// 1,000 SLOs. The data has no exact truth; use Generate for correctness.
func WriteBlocks(dir string, nSLOs, days int, end time.Time) error {
	if nSLOs <= 0 || days <= 0 {
		return fmt.Errorf("synth.WriteBlocks: need at least one SLO and one day, got %d SLOs and %d days", nSLOs, days)
	}
	end = end.Truncate(time.Minute)
	span := time.Duration(days) * 24 * time.Hour
	start := end.Add(-span)
	// The writer's head refuses samples older than half a block before its
	// newest one as out of bounds; a block twice the span holds everything.
	w, err := tsdb.NewBlockWriter(slog.New(slog.NewTextHandler(io.Discard, nil)), dir, 2*span.Milliseconds())
	if err != nil {
		return fmt.Errorf("synth.WriteBlocks: %w", err)
	}
	defer w.Close()

	type scaleSeries struct {
		lset  labels.Labels
		ref   storage.SeriesRef
		value float64
	}
	series := make([]scaleSeries, 0, 2*nSLOs)
	rngs := make([]*rand.Rand, nSLOs)
	for i := 0; i < nSLOs; i++ {
		rngs[i] = rand.New(rand.NewSource(int64(i) + 1))
		for _, code := range []string{"200", "500"} {
			series = append(series, scaleSeries{
				lset:  labels.FromStrings("__name__", requestsMetric, "service", ScaleService(i), "instance", "a", "code", code),
				value: float64(1000 + rngs[i].Intn(9000)),
			})
		}
	}
	ctx := context.Background()
	app := w.Appender(ctx)
	n := int(span/time.Minute) + 1
	for m := 0; m < n; m++ {
		t := start.Add(time.Duration(m) * time.Minute)
		if m > 0 {
			for i := 0; i < nSLOs; i++ {
				total := requests(rngs[i], diurnal(float64(20+i%80), 0.5, t))
				bad := binomial(rngs[i], total, 0.0005)
				series[2*i].value += float64(total - bad)
				series[2*i+1].value += float64(bad)
			}
		}
		for j := range series {
			ref, err := app.Append(series[j].ref, series[j].lset, t.UnixMilli(), series[j].value)
			if err != nil {
				return fmt.Errorf("synth.WriteBlocks: appending %s at %s: %w", series[j].lset, t, err)
			}
			series[j].ref = ref
		}
		// Committing every hour of data keeps the uncommitted batch small.
		if m%60 == 59 {
			if err := app.Commit(); err != nil {
				return fmt.Errorf("synth.WriteBlocks: %w", err)
			}
			app = w.Appender(ctx)
		}
	}
	if err := app.Commit(); err != nil {
		return fmt.Errorf("synth.WriteBlocks: %w", err)
	}
	if _, err := w.Flush(ctx); err != nil {
		return fmt.Errorf("synth.WriteBlocks: %w", err)
	}
	return nil
}

// ScaleConfigYAML is the slobudget config for the data WriteBlocks writes.
func ScaleConfigYAML(nSLOs int) []byte {
	var b strings.Builder
	b.WriteString("slos:\n")
	for i := 0; i < nSLOs; i++ {
		svc := ScaleService(i)
		fmt.Fprintf(&b, "  - name: %s-availability\n    service: %s\n    objective: 99.9\n    window: 30d\n", svc, svc)
		fmt.Fprintf(&b, "    sli:\n      events:\n        errors: '%s{service=%q,code=~\"5..\"}'\n        total: '%s{service=%q}'\n",
			requestsMetric, svc, requestsMetric, svc)
	}
	return []byte(b.String())
}
