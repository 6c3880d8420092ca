package rules

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// TestTimesliceAgreesWithDaemonEngine runs a time-slice SLO's rules in a
// real Prometheus over a backfilled gauge and compares every burn rate and
// the remaining budget with the real daemon engine at the instant the rules
// read. Prometheus evaluates the group at a phase of its own, so the rules'
// slices are the daemon's shifted (README.md); with samples on a 20s grid
// and 10s slices every slice holds at most one sample per series in both
// sets of slices, and a window edge never falls between a sample and its
// slice's end, so the counts must be equal, not just close.
func TestTimesliceAgreesWithDaemonEngine(t *testing.T) {
	promtest.Require(t, promtest.Prometheus)
	now := time.Now()
	start := now.Add(-3 * time.Hour).Truncate(20 * time.Second)
	stop := now.Add(-30 * time.Second)
	var b strings.Builder
	b.WriteString("# TYPE queue_lag_seconds gauge\n")
	for _, inst := range []string{"a", "b"} {
		for at := start; at.Before(stop); at = at.Add(20 * time.Second) {
			ago := now.Sub(at)
			if ago <= 100*time.Minute && ago > 88*time.Minute {
				continue // the exporter was down: slices without data
			}
			lag := 30.0
			switch {
			case inst == "b" && ago <= 150*time.Minute && ago > 130*time.Minute:
				lag = 400 // b lags for 20 minutes
			case inst == "a" && ago <= 40*time.Minute && ago > 35*time.Minute:
				lag = 301 // a brief breach on a
			case int(ago/time.Second)%700 < 20:
				lag = 300.5 // a short breach now and then
			}
			fmt.Fprintf(&b, "queue_lag_seconds{queue=\"orders\",instance=%q} %s %d\n", inst, num(lag), at.Unix())
		}
	}
	b.WriteString("# EOF\n")
	om := filepath.Join(t.TempDir(), "gauge.om")
	if err := os.WriteFile(om, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	promtest.Backfill(t, om, dataDir)

	s := slo.SLO{
		Name: "orders-queue", Service: "orders", Objective: 99,
		Window: slo.Window{Text: "1d", Duration: day}, Policy: "default",
		SLI: slo.SLI{TimeSlice: &slo.TimeSliceSLI{Query: `queue_lag_seconds{queue="orders"}`, Op: "<=", Threshold: 300, Slice: 10 * time.Second}},
	}
	cfg := &slo.Config{SLOs: []slo.SLO{s}}
	opts := Options{Delay: time.Second}
	sel := `{service="orders",slo="orders-queue"}`
	prom, rulesPath := startWithRules(t, cfg, opts, dataDir, sel)
	blocks := t.TempDir()
	if _, err := Backfill(context.Background(), cfg, opts, BackfillOptions{PrometheusURL: prom.URL, OutputDir: blocks, History: 3 * day}); err != nil {
		t.Fatal(err)
	}
	// Until the process exits it holds the TSDB's lock (promtest.Quit).
	prom.Quit(t, 60*time.Second)
	entries, _ := os.ReadDir(blocks)
	for _, e := range entries {
		if err := os.Rename(filepath.Join(blocks, e.Name()), filepath.Join(dataDir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	restart := time.Now()
	prom = promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir, RuleFiles: []string{rulesPath}})
	var at time.Time
	waitFor(t, 30*time.Second, "an evaluation after the restart", func() bool {
		v := prom.Query(t, `timestamp(slo:burn_rate:ratio{slo="orders-queue",window="1d"})`, time.Now())
		if len(v) != 1 {
			return false
		}
		at = time.UnixMilli(int64(math.Round(v[0].Value * 1000)))
		return at.After(restart.Add(time.Second))
	})

	src, err := backend.NewPrometheus(backend.Options{URL: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, engine.Options{Source: src, OneShot: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := at.Add(-opts.Delay)
	if failed := eng.EvaluateAt(context.Background(), seen); failed != 0 {
		r, _ := eng.Result(s.Name)
		t.Fatalf("the daemon engine failed at %s: %s", seen, r.Error)
	}
	daemon, _ := eng.Result(s.Name)
	got := map[string]float64{}
	for _, smp := range prom.Query(t, "slo:burn_rate:ratio"+sel, at) {
		got[smp.Labels["window"]] = smp.Value
	}
	// The story must reach the windows: bad slices in the 1h (a's breach
	// and the short ones) and in the long ones (b's lag).
	if daemon.BurnRates["1h"] == 0 || daemon.BurnRates["6h"] <= daemon.BurnRates["1h"] {
		t.Fatalf("the data does not exercise the windows: daemon burn rates %v", daemon.BurnRates)
	}
	if len(got) != len(daemon.BurnRates) {
		t.Errorf("burn windows: rules %v, daemon engine %v", got, daemon.BurnRates)
	}
	for w, v := range daemon.BurnRates {
		if g, ok := got[w]; !ok || !close(g, v) {
			t.Errorf("burn rate %s: rules %v, daemon engine %g", w, got[w], v)
		}
	}
	rem := prom.Query(t, "slo:error_budget_remaining:ratio"+sel, at)
	if len(rem) != 1 || !close(rem[0].Value, daemon.BudgetRemaining) {
		t.Errorf("budget remaining: rules %v, daemon engine %g", rem, daemon.BudgetRemaining)
	}
	t.Logf("at %s (rules' phase %s): burn rates %v, remaining %g; daemon %v, %g",
		at.Format(time.RFC3339Nano), time.Duration(at.UnixMilli()%10000)*time.Millisecond, got, rem[0].Value, daemon.BurnRates, daemon.BudgetRemaining)
}
