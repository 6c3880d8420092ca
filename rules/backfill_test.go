package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
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

// rawPoint is one scrape of the raw counters.
type rawPoint struct {
	at      time.Time
	ok, bad float64
}

// rawHistory is three hours of scrapes every 15s with two error bursts, a
// process restart and a 10-minute scrape gap (longer than Prometheus's 5m
// lookback; the counters keep counting through it), ending two minutes
// before end.
func rawHistory(end time.Time) []rawPoint {
	start := end.Add(-3 * time.Hour).Truncate(15 * time.Second)
	stop := end.Add(-2 * time.Minute)
	var pts []rawPoint
	ok, bad := 5000.0, 7.0
	for at := start; at.Before(stop); at = at.Add(15 * time.Second) {
		ago := end.Sub(at)
		if ago < 90*time.Minute && ago >= 90*time.Minute-15*time.Second {
			ok, bad = 0, 0 // restart
		}
		ok += 40
		switch {
		case ago <= 150*time.Minute && ago > 140*time.Minute:
			bad += 10
		case ago <= 40*time.Minute && ago > 35*time.Minute:
			bad += 20
		case int(ago/time.Second)%600 == 0:
			bad++
		}
		if ago <= 80*time.Minute && ago > 70*time.Minute {
			continue // not scraped
		}
		pts = append(pts, rawPoint{at, ok, bad})
	}
	return pts
}

// trueCounts is the daemon's count over (from, to]: differences between
// consecutive samples, a drop counting as a reset to zero.
func trueCounts(pts []rawPoint, from, to time.Time) slo.Counts {
	var okSum, badSum float64
	for i := 1; i < len(pts); i++ {
		if !pts[i].at.After(from) || pts[i].at.After(to) {
			continue
		}
		step := func(cur, prev float64) float64 {
			if cur >= prev {
				return cur - prev
			}
			return cur
		}
		okSum += step(pts[i].ok, pts[i-1].ok)
		badSum += step(pts[i].bad, pts[i-1].bad)
	}
	return slo.Counts{Good: okSum, Total: okSum + badSum}
}

func writeOpenMetrics(t *testing.T, pts []rawPoint) string {
	var b strings.Builder
	b.WriteString("# TYPE http_requests counter\n")
	for _, code := range []string{"200", "500"} {
		for _, p := range pts {
			v := p.ok
			if code == "500" {
				v = p.bad
			}
			fmt.Fprintf(&b, "http_requests_total{service=\"api\",code=%q} %s %d\n", code, num(v), p.at.Unix())
		}
	}
	b.WriteString("# EOF\n")
	path := filepath.Join(t.TempDir(), "raw.om")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBackfillAgreesWithDaemon loads the rules into a real Prometheus that
// already holds three hours of raw counters (a reset, a gap), backfills the
// running sums, and compares every burn rate and the remaining budget with
// the daemon's math over the same samples and with the real daemon engine
// (package exporter) querying the same Prometheus: within 0.1%.
func TestBackfillAgreesWithDaemon(t *testing.T) {
	promtest.Require(t, promtest.Prometheus)
	now := time.Now()
	pts := rawHistory(now)
	dataDir := filepath.Join(t.TempDir(), "data")
	promtest.Backfill(t, writeOpenMetrics(t, pts), dataDir)

	s := scenarioSLO()
	s.Window = slo.Window{Text: "1d", Duration: day}
	cfg := &slo.Config{SLOs: []slo.SLO{s}}
	// One-second evaluations so the test waits seconds, not minutes; the
	// arithmetic is the same at any interval.
	opts := Options{Interval: time.Second, Delay: time.Second}
	sel := `{service="api",slo="api-availability"}`
	prom, rulesPath := startWithRules(t, cfg, opts, dataDir, sel)
	blocks := t.TempDir()
	start := time.Now()
	res, err := Backfill(context.Background(), cfg, opts, BackfillOptions{PrometheusURL: prom.URL, OutputDir: blocks, History: 3 * day})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backfill: %+v in %s", res, time.Since(start).Round(time.Millisecond))
	// Prometheus 2.42 loads blocks added to its data directory only at
	// start-up (3.x also rescans every minute): stop it, move the block in,
	// start it again, as README.md tells users to.
	// Until the process exits it holds the TSDB's lock (promtest.Quit).
	prom.Quit(t, 60*time.Second)
	entries, _ := os.ReadDir(blocks)
	for _, e := range entries {
		if err := os.Rename(filepath.Join(blocks, e.Name()), filepath.Join(dataDir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	prom = promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir, RuleFiles: []string{rulesPath}})
	before := res[0].FirstLive.Add(-30 * time.Minute)
	if len(prom.Query(t, "slo:total_events:running_sum"+sel, before)) != 1 {
		t.Fatalf("the backfilled running sum is not there after the restart")
	}

	// Judge the next evaluation entirely after the block is loaded.
	time.Sleep(2 * time.Second)
	last := prom.Query(t, "timestamp(slo:burn_rate:ratio{slo=\"api-availability\",window=\"1d\"})", time.Now())
	if len(last) != 1 {
		t.Fatalf("no 1d burn rate after the backfill")
	}
	at := time.UnixMilli(int64(math.Round(last[0].Value * 1000)))
	seen := at.Add(-opts.Delay)
	in := slo.Input{At: at, Window: trueCounts(pts, seen.Add(-day), seen), Burn: map[time.Duration]slo.Counts{}}
	for _, w := range slo.BurnWindows {
		in.Burn[w] = trueCounts(pts, seen.Add(-w), seen)
	}
	p := slo.DefaultPolicy()
	want, err := slo.Evaluate(&s, &p, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.BurnRates) < 5 {
		t.Fatalf("the truth has only %d burn rates; the data does not exercise the windows", len(want.BurnRates))
	}
	got := map[string]float64{}
	for _, smp := range prom.Query(t, "slo:burn_rate:ratio"+sel, at) {
		got[smp.Labels["window"]] = smp.Value
	}
	for w, v := range want.BurnRates {
		g, ok := got[w]
		if !ok {
			t.Errorf("burn rate %s: missing, want %g", w, v)
			continue
		}
		if !close(g, v) {
			t.Errorf("burn rate %s: rules %g, daemon math %g", w, g, v)
		}
	}
	for w := range got {
		if _, ok := want.BurnRates[w]; !ok {
			t.Errorf("burn rate %s: rules %g, daemon has none (no traffic)", w, got[w])
		}
	}
	rem := prom.Query(t, "slo:error_budget_remaining:ratio"+sel, at)
	if len(rem) != 1 || !close(rem[0].Value, want.BudgetRemaining) {
		t.Errorf("budget remaining: rules %v, daemon math %g", rem, want.BudgetRemaining)
	}

	// The real daemon engine, querying the same Prometheus's raw counters at
	// the instant the rules' evaluation read them.
	src, err := backend.NewPrometheus(backend.Options{URL: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, engine.Options{Source: src, OneShot: true})
	if err != nil {
		t.Fatal(err)
	}
	if failed := eng.EvaluateAt(context.Background(), seen); failed != 0 {
		t.Fatalf("the daemon engine failed to evaluate at %s", seen)
	}
	daemon, _ := eng.Result(s.Name)
	if len(daemon.BurnRates) != len(want.BurnRates) {
		t.Errorf("daemon engine burn windows %v, want those of the math %v", daemon.BurnRates, want.BurnRates)
	}
	for w, v := range daemon.BurnRates {
		if g, ok := got[w]; !ok || !close(g, v) {
			t.Errorf("burn rate %s: rules %v, daemon engine %g", w, got[w], v)
		}
	}
	if !close(rem[0].Value, daemon.BudgetRemaining) {
		t.Errorf("budget remaining: rules %g, daemon engine %g", rem[0].Value, daemon.BudgetRemaining)
	}
	logGroupDurations(t, prom.URL)
	t.Logf("at %s: burn rates %v, remaining %g (daemon math %g)", at.Format(time.RFC3339), got, rem[0].Value, want.BudgetRemaining)
}

// close is the agreement bound: within 0.1%.
func close(a, b float64) bool {
	return math.Abs(a-b) <= 0.001*math.Max(math.Abs(a), math.Abs(b))
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// logGroupDurations prints Prometheus's own last evaluation time per group,
// a measurement for README.md (nothing scrapes Prometheus's /metrics here).
func logGroupDurations(t *testing.T, base string) {
	resp, err := http.Get(base + "/api/v1/rules")
	if err != nil {
		t.Logf("rules API: %v", err)
		return
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Groups []struct {
				Name           string  `json:"name"`
				EvaluationTime float64 `json:"evaluationTime"`
				Rules          []any   `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Logf("rules API: %v", err)
		return
	}
	for _, g := range body.Data.Groups {
		t.Logf("rule group %s: %d rules evaluated in %.3fms", g.Name, len(g.Rules), g.EvaluationTime*1000)
	}
}

// startWithRules generates the rules for cfg, starts a real Prometheus on
// dataDir with them loaded, and waits for the running sums of the SLO whose
// series sel matches to be evaluated once. It returns the rule file too,
// for a restart.
func startWithRules(t *testing.T, cfg *slo.Config, opts Options, dataDir, sel string) (*promtest.Instance, string) {
	t.Helper()
	out, err := Generate(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(rulesPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	prom := promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir, RuleFiles: []string{rulesPath}})
	waitFor(t, 30*time.Second, "the running sums' first evaluation", func() bool {
		return len(prom.Query(t, "slo:total_events:running_sum"+sel, time.Now())) == 1
	})
	return prom, rulesPath
}
