package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/rules"
	"github.com/slobudget/slobudget/slo"
)

// nativeTarget is a scrape target exposing one native histogram (bucket
// factor 1.1: schema 3) whose registry the test can swap, as a restarted
// process starts a new one.
type nativeTarget struct {
	reg atomic.Pointer[prometheus.Registry]
}

func (n *nativeTarget) restart() prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "rpc_duration_seconds", Help: "RPC latency.",
		NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 1000,
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(h)
	n.reg.Store(reg)
	return h
}

func (n *nativeTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	promhttp.HandlerFor(n.reg.Load(), promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// TestNativeHistogramLatencyIsExact scrapes a client_golang native
// histogram with a real Prometheus (native histograms on, protobuf
// scrape), restarts the target once, and checks that `slobudget report`
// counts exactly the observations made: total all of them, good those at
// or below 0.5s (a boundary of schema 3: 2^(-8/8)). A threshold between
// boundaries is refused with the nearest ones.
func TestNativeHistogramLatencyIsExact(t *testing.T) {
	bin := buildSlobudget(t)
	target := &nativeTarget{}
	h := target.restart()
	srv := httptest.NewServer(target)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	// The generated rules run alongside, every second, and must count the
	// same observations.
	dir := t.TempDir()
	write := func(name, threshold string) string {
		path := filepath.Join(dir, name)
		cfg := "slos:\n  - name: rpc-latency\n    service: rpc\n    objective: 99\n    window: 1d\n    sli:\n      latency:\n        nativeHistogram: rpc_duration_seconds\n        threshold: " + threshold + "\n"
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	exact := write("exact.yml", "0.5")
	cfg, err := slo.LoadFiles(exact)
	if err != nil {
		t.Fatal(err)
	}
	ruleText, err := rules.Generate(cfg, rules.Options{Interval: time.Second, Delay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rulesPath, ruleText, 0o644); err != nil {
		t.Fatal(err)
	}
	p := promtest.StartPrometheus(t, promtest.Options{
		ConfigYAML: fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: rpc\n    static_configs:\n      - targets: [%q]\n", host),
		ExtraArgs:  []string{"--enable-feature=native-histograms"},
		RuleFiles:  []string{rulesPath},
	})
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, p.Log())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// waitCount waits until Prometheus's newest sample holds n observations.
	waitCount := func(n float64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			s, err := p.QueryErr("histogram_count(rpc_duration_seconds)", time.Now())
			if err == nil && len(s) == 1 && s[0].Value == n {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("Prometheus never saw %v observations\n%s", n, p.Log())
	}
	observe := func(h prometheus.Histogram, v float64, n int) {
		for i := 0; i < n; i++ {
			h.Observe(v)
		}
	}
	waitCount(0) // the baseline: a histogram without observations
	// The rules run from start-up: their running sums exist before the
	// first observation, so they count every one.
	waitFor("the running sums' first evaluation", func() bool {
		s, err := p.QueryErr(`slo:total_events:running_sum{slo="rpc-latency"}`, time.Now())
		return err == nil && len(s) == 1
	})
	observe(h, 0.1, 30)
	observe(h, 0.4, 20)
	observe(h, 0.5, 4) // on the threshold: good
	observe(h, 0.9, 7)
	observe(h, 3, 3)
	waitCount(64)
	// A restart: the new process has seen fewer observations, a reset.
	h = target.restart()
	observe(h, 0.2, 5)
	observe(h, 0.7, 4)
	waitCount(9)
	observe(h, 0.05, 10)
	waitCount(19)
	wantTotal, wantGood := 64.0+9+10, 30.0+20+4+5+10

	time.Sleep(1100 * time.Millisecond)
	at := time.Now().Truncate(time.Second)
	got := runReport(t, bin, exact, p.URL, at)
	if len(got) != 1 || got[0].Error != "" || got[0].Events == nil {
		t.Fatalf("report: %+v", got)
	}
	if *got[0].Events.Total != wantTotal || *got[0].Events.Good != wantGood {
		t.Errorf("events good %v total %v, want good %v total %v", *got[0].Events.Good, *got[0].Events.Total, wantGood, wantTotal)
	}
	if got[0].SLI == nil || *got[0].SLI != wantGood/wantTotal {
		t.Errorf("SLI %v, want %v", got[0].SLI, wantGood/wantTotal)
	}
	// Grouped by the scrape's job label: one instance, the same counts
	// (discovery lists the groups of a native histogram too).
	grouped := filepath.Join(dir, "grouped.yml")
	if err := os.WriteFile(grouped, []byte("slos:\n  - name: rpc-latency\n    service: rpc\n    objective: 99\n    window: 1d\n    grouping: [job]\n    sli:\n      latency:\n        nativeHistogram: rpc_duration_seconds\n        threshold: 0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	byJob := runGroupedReport(t, bin, grouped, p.URL, at)["rpc-latency"]
	if len(byJob) != 1 || byJob[0].Group["job"] != "rpc" || byJob[0].Events == nil ||
		*byJob[0].Events.Total != wantTotal || *byJob[0].Events.Good != wantGood {
		t.Errorf("grouped by job: %+v", byJob)
	}
	// The rules' window counts, once their delayed reads have passed the
	// last observation.
	time.Sleep(3 * time.Second)
	events := map[string]float64{}
	for _, smp := range p.Query(t, `slo:window_events:count{slo="rpc-latency"}`, time.Now()) {
		events[smp.Labels["result"]] = smp.Value
	}
	if events["good"] != wantGood || events["bad"] != wantTotal-wantGood {
		t.Errorf("rules: window events %v, want good %v bad %v", events, wantGood, wantTotal-wantGood)
	}
	out, _ := runReportFailing(t, bin, write("off.yml", "0.6"), p.URL, at)
	if !strings.Contains(out, "not a bucket boundary") || !strings.Contains(out, "0.5946") || !strings.Contains(out, "0.6484") {
		t.Errorf("threshold 0.6: the report does not name the nearest boundaries of schema 3 (0.5946…, 0.6484…):\n%s", out)
	}
}

// runReportFailing runs `slobudget report --format=json`, which must exit
// non-zero (an SLO could not be evaluated), and returns what it printed.
func runReportFailing(t *testing.T, bin, config, promURL string, at time.Time) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, "report", "--config.file="+config, "--prometheus.url="+promURL,
		"--time="+at.Format(time.RFC3339), "--format=json")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Errorf("%s exited 0, want an evaluation error", cmd)
	}
	return string(out), err
}
