package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

const (
	// historySpan covers the 30-day SLO window, the hour before it that the
	// daemon reads for each counter's first increment, and a margin.
	historySpan = 30*day + 2*time.Hour
	// historyStep is the resolution of the history; live traffic is finer.
	historyStep = time.Minute
	// commitEvery bounds what one appender buffers.
	commitEvery = 1440
)

// historyInstants returns the first and last instant of the history ending
// at or before end. Instants sit half a minute off the minute grid, so no
// window the daemon evaluates (its edges are multiples of its step) ends
// exactly on a sample.
func historyInstants(end time.Time) (first, last int64) {
	step := historyStep.Milliseconds()
	last = end.UnixMilli() - step/2
	last = last - last%step + step/2
	return last - historySpan.Milliseconds(), last
}

// writeHistory writes the generated history up to end as one TSDB block in
// dir. Writing a block directly is several times faster than appending
// through a database's head and its write-ahead log, and the block is what
// a real Prometheus would have compacted the month into.
func writeHistory(ctx context.Context, dir string, g *generator, end time.Time, log *slog.Logger) error {
	first, last := historyInstants(end)
	// The writer's head refuses samples older than half its block range
	// behind the newest: a range of twice the span takes them all.
	w, err := tsdb.NewBlockWriter(log, dir, 2*(last-first+1))
	if err != nil {
		return fmt.Errorf("creating the history block writer: %w", err)
	}
	defer w.Close()
	refs := make([]storage.SeriesRef, len(g.all))
	app := w.Appender(ctx)
	n := 0
	for t := first; t <= last; t += historyStep.Milliseconds() {
		if err := g.step(t); err != nil {
			return err
		}
		if err := appendAll(app, g, refs, t); err != nil {
			return err
		}
		if n++; n%commitEvery == 0 {
			if err := app.Commit(); err != nil {
				return fmt.Errorf("writing history: %w", err)
			}
			app = w.Appender(ctx)
		}
	}
	if err := app.Commit(); err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	if _, err := w.Flush(ctx); err != nil {
		return fmt.Errorf("writing the history block: %w", err)
	}
	return nil
}

// appendAll appends every series' current value at t.
func appendAll(app storage.Appender, g *generator, refs []storage.SeriesRef, t int64) error {
	for i, s := range g.all {
		ref, err := app.Append(refs[i], s.labels, t, s.value)
		if err != nil {
			return fmt.Errorf("appending %s at %s: %w", s.labels, time.UnixMilli(t).UTC().Format(time.RFC3339), err)
		}
		refs[i] = ref
	}
	return nil
}
