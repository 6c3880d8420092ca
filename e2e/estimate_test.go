package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// ratioIn is the error ratio Prometheus's rate() quotient gives over (from,
// to]: the events of the samples in it after the first (its baseline), the
// extrapolation being the same for every series (they share timestamps) and
// cancelling in the quotient. No samples beyond one: no ratio.
func ratioIn(samples []peerSample, from, to time.Time) (float64, bool) {
	var errs, reqs float64
	first := true
	for _, s := range samples {
		if !s.t.After(from) || s.t.After(to) {
			continue
		}
		if first {
			first = false
			continue
		}
		errs, reqs = errs+s.errors, reqs+s.requests
	}
	if reqs == 0 {
		return 0, false
	}
	return errs / reqs, true
}

// estimateTruth is the time-weighted error ratio of (at − w, at] by the
// estimate's definition (README "Expression SLIs"), from the scrapes: a
// window under a day is one ratio over its seconds; a longer one adds its
// hours' ratios × 3600 s, the hour its edge cuts pro rata, and the open
// part of the current hour. It returns the seconds with a ratio and the
// ratio integrated over them, and where the first span with a ratio begins.
func estimateTruth(samples []peerSample, at time.Time, w time.Duration) (total, bad float64, from time.Time) {
	start := at.Add(-w)
	if w < 24*time.Hour {
		if r, ok := ratioIn(samples, start, at); ok {
			return w.Seconds(), r * w.Seconds(), start
		}
		return 0, 0, time.Time{}
	}
	for lo := start; lo.Before(at); {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		rangeFrom := hi.Add(-time.Hour) // a full hour's ratio, used pro rata at the edge
		if hi.After(at) {
			hi, rangeFrom = at, lo // the open part, evaluated over itself
		}
		if r, ok := ratioIn(samples, rangeFrom, hi); ok {
			secs := hi.Sub(lo).Seconds()
			total, bad = total+secs, bad+r*secs
			if from.IsZero() {
				from = lo
			}
		}
		lo = hi
	}
	return total, bad, from
}

// TestEstimatesMatchHourlyRatios backfills the peer data into a real
// Prometheus and requires the estimates (an errorRatio, errors over total
// that do not reduce, and Sloth's raw error_ratio_query) to report the
// time-weighted error ratio computed from the scrapes: events (seconds with
// a ratio, and the ratio integrated over them), every burn rate, the
// budget and the coverage; flagged exact: false with the estimate note.
// Their rules pass promtool check rules.
func TestEstimatesMatchHourlyRatios(t *testing.T) {
	bin, prom, samples := peerPrometheus(t)
	for _, file := range []string{"estimate.yml", "sloth-raw.yml"} {
		cfg := filepath.Join("testdata", "peers", file)
		got := reportRaw(t, bin, cfg, prom.URL)
		if len(got) == 0 {
			t.Fatalf("%s: no SLOs reported", file)
		}
		for name, r := range got {
			t.Run(file+"/"+name, func(t *testing.T) { checkEstimate(t, r, samples, peerAt) })
		}
		rules := filepath.Join(t.TempDir(), "rules.yml")
		run(t, bin, "rules", "--config.file="+cfg, "--output="+rules)
		if out, err := exec.Command(promtest.Require(t, promtest.Promtool), "check", "rules", rules).CombinedOutput(); err != nil {
			t.Errorf("promtool check rules of %s: %v\n%s", file, err, out)
		}
	}
}

// estimateObjective is the objective of every estimated SLO of the tests.
const estimateObjective = 0.995

// checkEstimate compares one estimated SLO's JSON at at with the truth.
func checkEstimate(t *testing.T, r map[string]any, samples []peerSample, at time.Time) {
	t.Helper()
	const objective = estimateObjective
	if r["error"] != "" || r["exact"] != false || r["dataMissing"] != false {
		t.Fatalf("error %q, exact %v, dataMissing %v; want no error, exact false, data", r["error"], r["exact"], r["dataMissing"])
	}
	notes, _ := r["notes"].([]any)
	if len(notes) == 0 || !strings.HasPrefix(notes[0].(string), "estimate: Prometheus evaluated the expression hourly") {
		t.Errorf("notes %v: want the estimate note first", notes)
	}
	total, bad, from := estimateTruth(samples, at, 30*24*time.Hour)
	ev, _ := r["events"].(map[string]any)
	gt, _ := ev["total"].(float64)
	gg, _ := ev["good"].(float64)
	if !within(gt, total) || !within(gt-gg, bad) {
		t.Errorf("events total %v, bad %v; want %g s with a ratio, %g bad", gt, gt-gg, total, bad)
	}
	if b, _ := r["budgetRemaining"].(float64); !within(b, 1-(bad/total)/(1-objective)) {
		t.Errorf("budgetRemaining %v, want %g", r["budgetRemaining"], 1-(bad/total)/(1-objective))
	}
	if c, _ := r["coverage"].(float64); !within(c, at.Sub(from).Seconds()/(30*24*3600)) {
		t.Errorf("coverage %v, want from %s: %g", r["coverage"], from, at.Sub(from).Seconds()/(30*24*3600))
	}
	burns, _ := r["burnRates"].(map[string]any)
	for _, w := range append([]time.Duration{30 * 24 * time.Hour}, slo.BurnWindows...) {
		wt, wb, _ := estimateTruth(samples, at, w)
		label := slo.WindowLabel(w)
		g, ok := burns[label].(float64)
		if want := (wb / wt) / (1 - objective); !ok || !within(g, want) {
			t.Errorf("burnRates[%s] = %v, want %g", label, burns[label], want)
		}
	}
}

// TestServeEstimatesStepByStep runs the daemon's engine over the peer data
// at instants hours apart and 15s off the sample grid, so that hours
// become final, are evaluated again and are dropped as in a running
// daemon, and requires the truth at each; /metrics flags the estimates with
// slo_info{exact="false"}.
func TestServeEstimatesStepByStep(t *testing.T) {
	_, prom, samples := peerPrometheus(t)
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{filepath.Join("testdata", "peers", "estimate.yml")},
		Backend:     backend.Options{URL: prom.URL, Timeout: time.Minute, Concurrency: 2},
		Step:        15 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for at := peerAt.Add(-5 * time.Hour); !at.After(peerAt); at = at.Add(47 * time.Minute) {
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("%d SLOs failed at %s: %+v", failed, at, d.Engine.Results())
		}
		raw, err := json.Marshal(d.Engine.Results())
		if err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			t.Run(at.Format("15:04:05")+"/"+r["name"].(string), func(t *testing.T) { checkEstimate(t, r, samples, at) })
		}
	}
	metrics := scrapeText(t, d)
	for _, name := range []string{"availability-ratio", "availability-without"} {
		if !regexp.MustCompile(`slo_info\{[^}]*exact="false"[^}]*slo="` + name + `"`).MatchString(metrics) {
			t.Errorf("no slo_info{exact=\"false\"} for %s in /metrics:\n%s", name, grepLines(metrics, "slo_info"))
		}
	}
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
