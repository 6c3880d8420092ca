package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
)

// A daemon restarted with its --storage.path state file gives the same
// numbers as the first run (both equal to the truth) while asking the real
// Prometheus for almost none of the completed hours again.
func TestRestartWithStateFile(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	state := filepath.Join(t.TempDir(), "state")

	run := func() ([]byte, time.Duration, *exporter.Daemon) {
		d, err := exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{f.configYML},
			Backend:     backend.Options{URL: p.URL, Timeout: time.Minute, Concurrency: 4},
			Step:        30 * time.Second,
			Logger:      zap.NewNop(),
			StatePath:   state,
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if failed := d.Engine.EvaluateAt(context.Background(), evalAt); failed != 0 {
			for _, r := range d.Engine.Results() {
				if r.Error != "" {
					t.Errorf("%s: %s", r.Name, r.Error)
				}
			}
			t.FailNow()
		}
		took := time.Since(start)
		raw, err := json.Marshal(d.Engine.Results())
		if err != nil {
			t.Fatal(err)
		}
		var got []reportedSLO
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		expected, err := f.data.Expected(evalAt)
		if err != nil {
			t.Fatal(err)
		}
		compareReport(t, expected, f.data.ExpectedForecasts(evalAt), got)
		return raw, took, d
	}

	coldJSON, coldTook, cold := run()
	coldStats, _ := cold.StateStats()
	if err := cold.Close(); err != nil {
		t.Fatal(err)
	}
	warmJSON, warmTook, warm := run()
	defer warm.Close()
	warmStats, _ := warm.StateStats()
	t.Logf("cold: %s, %+v; warm: %s, %+v", coldTook, coldStats, warmTook, warmStats)

	if string(warmJSON) != string(coldJSON) {
		t.Errorf("the restarted daemon's results differ from the first run's:\n cold %s\n warm %s", coldJSON, warmJSON)
	}
	// SLOs that share a selector share its hours even in the first run.
	if coldStats.HoursAsked == 0 || coldStats.HoursFromFile >= coldStats.HoursAsked {
		t.Errorf("cold start: %+v, want most hours asked of Prometheus", coldStats)
	}
	// Per selector at most two spot-check hours are asked again.
	if warmStats.HoursFromFile == 0 || warmStats.HoursAsked*20 > coldStats.HoursAsked || warmStats.Dropped != 0 {
		t.Errorf("warm start: %+v after a cold start of %+v: want nearly every hour from the file", warmStats, coldStats)
	}
}
