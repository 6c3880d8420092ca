// Command synth writes the synthetic SLO data set for people: the
// OpenMetrics file to backfill, the matching slobudget config, and
// optionally the expected results as JSON.
//
//	go run ./internal/synth/cmd/synth -out data.om -config slos.yml -end 2026-01-31T12:00:30Z
//	promtool tsdb create-blocks-from openmetrics --max-block-duration=720h data.om tsdb/
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/slobudget/slobudget/internal/synth"
)

func main() {
	out := flag.String("out", "", "OpenMetrics file to write (required)")
	config := flag.String("config", "", "slobudget config file to write (optional)")
	expected := flag.String("expected", "", "JSON file with the expected results at -end (optional)")
	end := flag.String("end", "", "evaluation instant, RFC3339 (default: now); the data ends 1-2 minutes before it")
	days := flag.Int("days", 31, "days of data (at least 31)")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*out, *config, *expected, *end, *days, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(out, config, expected, end string, days int, seed int64) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	if end != "" {
		t, err := time.Parse(time.RFC3339, end)
		if err != nil {
			return fmt.Errorf("-end: %w", err)
		}
		now = t
	}
	d, err := synth.Generate(synth.Options{Now: now, Days: days, Seed: seed})
	if err != nil {
		return err
	}
	if err := d.WriteOpenMetricsFile(out); err != nil {
		return err
	}
	if config != "" {
		if err := os.WriteFile(config, d.ConfigYAML(), 0o644); err != nil {
			return err
		}
	}
	if expected != "" {
		res, err := d.Expected(now)
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(map[string]any{"slos": res}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(expected, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "synth: %d series from %s to %s, evaluation instant %s\n",
		len(d.AllSeries()), d.Start.Format(time.RFC3339), d.End.Format(time.RFC3339), now.Format(time.RFC3339))
	return nil
}
