package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/slo"
)

// A daemon restarted with its --storage.path state file gives the same
// numbers as the first run (both equal to the truth) while asking the real
// Prometheus for almost none of the completed hours again.
func TestRestartWithStateFile(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	state := filepath.Join(t.TempDir(), "state")

	run := func() ([]byte, time.Duration, *exporter.Daemon) {
		d, err := newStateDaemon(f.configYML, p.URL, state)
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
	// At the same instant nothing is new: per counter selector whose hours
	// the backend computes, exactly two kept hours are asked again (the
	// newest and the one its hash picks). The selectors are counted from
	// the config, not from the Store.
	cfg, err := slo.LoadFiles(f.configYML)
	if err != nil {
		t.Fatal(err)
	}
	selectors := map[string]bool{}
	for i := range cfg.SLOs {
		if cfg.SLOs[i].SLI.TimeSlice != nil {
			continue // gauges: read raw, no hourly totals to keep
		}
		good, bad, total := cfg.SLOs[i].SLI.CounterSelectors()
		for _, sel := range []string{good, bad, total} {
			if sel != "" {
				selectors[sel] = true
			}
		}
	}
	if want := int64(2 * len(selectors)); warmStats.HoursAsked != want || warmStats.Dropped != 0 || warmStats.HoursFromFile == 0 {
		t.Errorf("warm start: %+v after a cold start of %+v: want %d hours asked (two per each of %d counter selectors), none dropped",
			warmStats, coldStats, want, len(selectors))
	}
	// What the daemon exports says the same.
	text := scrapeText(t, warm)
	for _, line := range []string{
		fmt.Sprintf(`slobudget_state_file_hours_total{answered_by="backend"} %d`, warmStats.HoursAsked),
		fmt.Sprintf(`slobudget_state_file_hours_total{answered_by="file"} %d`, warmStats.HoursFromFile),
		`slobudget_state_file_dropped_selectors_total 0`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}

// TestWarmRestartEqualsDaemonThatNeverStopped: a daemon stopped after an
// evaluation and restarted from its state file 5.5 hours later (past
// fineSpan, so the restart reads new completed hours and extends the kept
// ones) gives, at its first evaluation, exactly the figures of a daemon
// that evaluated at both instants without stopping and has no state file,
// and both equal the truth. A restart that kept a wrong hour, lost one or
// took a stale one differs from the daemon that never stopped.
func TestWarmRestartEqualsDaemonThatNeverStopped(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	state := filepath.Join(t.TempDir(), "state")
	earlier := evalAt.Add(-5*time.Hour - 30*time.Minute)

	newDaemon := func(statePath string) *exporter.Daemon {
		d, err := newStateDaemon(f.configYML, p.URL, statePath)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	evaluate := func(d *exporter.Daemon, at time.Time) []reportedSLO {
		t.Helper()
		if failed := d.Engine.EvaluateAt(context.Background(), at); failed != 0 {
			for _, r := range d.Engine.Results() {
				if r.Error != "" {
					t.Errorf("%s: %s", r.Name, r.Error)
				}
			}
			t.FailNow()
		}
		raw, err := json.Marshal(d.Engine.Results())
		if err != nil {
			t.Fatal(err)
		}
		var got []reportedSLO
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		return got
	}

	never := newDaemon("")
	evaluate(never, earlier)
	want := evaluate(never, evalAt)

	first := newDaemon(state)
	evaluate(first, earlier)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	restarted := newDaemon(state)
	defer restarted.Close()
	got := evaluate(restarted, evalAt)
	stats, _ := restarted.StateStats()
	t.Logf("restart 5.5h later: %+v", stats)
	if stats.HoursFromFile == 0 || stats.Dropped != 0 {
		t.Errorf("restart: %+v, want kept hours answered from the file and none dropped", stats)
	}

	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if string(gotJSON) != string(wantJSON) {
		for i := range min(len(got), len(want)) {
			a, _ := json.Marshal(want[i])
			b, _ := json.Marshal(got[i])
			if string(a) != string(b) {
				t.Errorf("%s: never stopped %s\n restarted %s", want[i].Name, a, b)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d SLOs after the restart, %d in the daemon that never stopped", len(got), len(want))
		}
	}
	expected, err := f.data.Expected(evalAt)
	if err != nil {
		t.Fatal(err)
	}
	compareReport(t, expected, f.data.ExpectedForecasts(evalAt), got)
}

// newStateDaemon is the restart tests' daemon: the shared fixture's config
// against promURL, 30s steps, keeping its state file in statePath.
func newStateDaemon(configYML, promURL, statePath string) (*exporter.Daemon, error) {
	return exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{configYML},
		Backend:     backend.Options{URL: promURL, Timeout: time.Minute, Concurrency: 4},
		Step:        30 * time.Second,
		Logger:      zap.NewNop(),
		StatePath:   statePath,
	})
}
