package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/slobudget/slobudget/internal/synth"
)

// slothHistory writes the history Sloth's rules read for a 30d SLO: its
// recorded 5m error ratio (slo:sli_error:ratio_rate5m) at every 1-minute
// evaluation over the window, for the scale SLOs with the labels
// scripts/peer-rules.py gives them. Sloth's 30d ratio is sum_over_time /
// count_over_time of that series over 30 days; without the history its cost
// would be measured on an almost empty range.
func slothHistory(args []string) error {
	fs := flag.NewFlagSet("sloth-history", flag.ExitOnError)
	dir := fs.String("dir", "", "TSDB data dir to write the block into")
	n := fs.Int("slos", 1000, "number of SLOs")
	days := fs.Int("days", 30, "days of history")
	endAgo := fs.Duration("end-ago", 10*time.Minute, "history ends this long before now")
	_ = fs.Parse(args)
	end := time.Now().Add(-*endAgo).Truncate(time.Minute)
	span := time.Duration(*days) * 24 * time.Hour
	w, err := tsdb.NewBlockWriter(slog.New(slog.NewTextHandler(io.Discard, nil)), *dir, 2*span.Milliseconds())
	if err != nil {
		return err
	}
	defer w.Close()
	lsets := make([]labels.Labels, *n)
	refs := make([]storage.SeriesRef, *n)
	for i := range lsets {
		svc := synth.ScaleService(i)
		name := svc + "-availability"
		lsets[i] = labels.FromStrings("__name__", "slo:sli_error:ratio_rate5m", "sloth_id", svc+"-"+name,
			"sloth_service", svc, "sloth_slo", name, "sloth_window", "5m")
	}
	rng := rand.New(rand.NewSource(1))
	ctx := context.Background()
	app := w.Appender(ctx)
	start := end.Add(-span)
	for m := 0; m <= int(span/time.Minute); m++ {
		t := start.Add(time.Duration(m) * time.Minute).UnixMilli()
		for i := range lsets {
			// About the 0.05% error ratio of the scale data, varying as a
			// real ratio does (a constant would compress to nothing).
			if refs[i], err = app.Append(refs[i], lsets[i], t, 0.0005*(0.5+rng.Float64())); err != nil {
				return err
			}
		}
		if m%60 == 59 {
			if err := app.Commit(); err != nil {
				return err
			}
			app = w.Appender(ctx)
		}
	}
	if err := app.Commit(); err != nil {
		return err
	}
	if _, err := w.Flush(ctx); err != nil {
		return err
	}
	fmt.Printf("wrote %d days of slo:sli_error:ratio_rate5m for %d SLOs\n", *days, *n)
	return nil
}
