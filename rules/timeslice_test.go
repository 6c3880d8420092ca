package rules

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// The freshness story: a pipeline's lag gauge, scraped every 15s on two
// instances, judged in 1-minute slices against "lag < 900s" at 99% over 30d.
// Three things in it must not count as bad: a lag spike in the middle of a
// slice that recovers by the slice's last sample, a scrape exactly on a
// slice boundary (it belongs to the slice it ends), and a 20-minute exporter
// outage (slices without data count neither way; SLOBudgetDataMissing fires
// instead). Then instance b lags for 20 minutes: the page fires, a ticket
// opens, the budget is overspent and SLOFeatureFreeze fires; the burn alerts
// resolve after recovery while the freeze stays.
const (
	freshMinutes   = 480
	freshStep      = 15 // seconds between samples
	freshGapFrom   = 100
	freshGapTo     = 120 // no samples in (freshGapFrom, freshGapTo] minutes
	freshSpikeAt   = 50*60 + 15
	freshIncidentA = 300
	freshIncidentB = 320 // instance b lags in (A, B] minutes
)

func freshnessSLO() slo.SLO {
	return slo.SLO{
		Name: "orders-freshness", Service: "orders-pipeline", Objective: 99,
		Window: slo.Window{Text: "30d", Duration: 30 * day}, Policy: "default",
		Labels: map[string]string{"team": "data"},
		SLI: slo.SLI{TimeSlice: &slo.TimeSliceSLI{
			Query: `pipeline_lag_seconds{pipeline="orders"}`, Op: "<", Threshold: 900, Slice: time.Minute,
		}},
	}
}

// freshSample is the lag of an instance at second sec, and whether it was
// scraped then.
func freshSample(instance string, sec int) (float64, bool) {
	if sec > freshGapFrom*60 && sec <= freshGapTo*60 {
		return 0, false
	}
	switch {
	case instance == "a" && sec == freshSpikeAt:
		return 1200, true
	case instance == "b" && sec > freshIncidentA*60 && sec <= freshIncidentB*60:
		return 1500, true
	}
	return 60, true
}

var freshInstances = []string{"a", "b"}

// freshSlices is the daemon's reading of the samples, written from its
// definition: a slice (end−1m, end] has data when any series has a sample
// in it, and is good when every series' last sample in it has lag < 900.
// Keys are slice ends in minutes; values are good.
func freshSlices() map[int]bool {
	out := map[int]bool{}
	for end := 0; end <= freshMinutes; end++ {
		has, good := false, true
		for _, inst := range freshInstances {
			last, seen := 0.0, false
			for sec := (end-1)*60 + 1; sec <= end*60; sec++ {
				if sec < 0 || sec%freshStep != 0 {
					continue
				}
				if v, ok := freshSample(inst, sec); ok {
					last, seen = v, true
				}
			}
			if seen {
				has = true
				good = good && last < 900
			}
		}
		if has {
			out[end] = good
		}
	}
	return out
}

// freshTruth evaluates the SLO at minute t over the slices the rules can see
// (ending at or before t − Delay), and says whether the gauge is absent at t
// (no sample in the 5m lookback).
func freshTruth(s *slo.SLO, t int, delay time.Duration) (slo.Result, map[time.Duration]slo.Counts, bool) {
	slices := freshSlices()
	end := t - int(delay/time.Minute)
	counts := func(w time.Duration) slo.Counts {
		var c slo.Counts
		for e := end - int(w/time.Minute) + 1; e <= end; e++ {
			if good, ok := slices[e]; ok {
				c.Total++
				if good {
					c.Good++
				}
			}
		}
		return c
	}
	in := slo.Input{At: time.Unix(int64(t*60), 0).UTC(), Window: counts(s.Window.Duration), Burn: map[time.Duration]slo.Counts{}}
	all := map[time.Duration]slo.Counts{s.Window.Duration: in.Window}
	for _, w := range slo.BurnWindows {
		in.Burn[w] = counts(w)
		all[w] = in.Burn[w]
	}
	p := slo.DefaultPolicy()
	r, err := slo.Evaluate(s, &p, in)
	if err != nil {
		panic(fmt.Sprintf("freshness minute %d: %v", t, err))
	}
	missing := true
	for sec := t*60 - 5*60; sec <= t*60; sec++ {
		if _, ok := freshSample("a", sec); ok && sec >= 0 && sec%freshStep == 0 {
			missing = false
		}
	}
	return r, all, missing
}

func freshFiring(s *slo.SLO, t int, opts Options) map[string]bool {
	return replay(s, t, opts, func(m int) (slo.Result, map[time.Duration]slo.Counts, bool) {
		return freshTruth(s, m, opts.Delay)
	})
}

// freshValues is one series in promtool's notation: runs of an unchanged
// value as "v+0xn", missing scrapes as "_".
func freshValues(instance string) string {
	var parts []string
	var run []float64
	flush := func() {
		if len(run) > 0 {
			parts = append(parts, fmt.Sprintf("%s+0x%d", num(run[0]), len(run)-1))
			run = nil
		}
	}
	for sec := 0; sec <= freshMinutes*60; sec += freshStep {
		v, ok := freshSample(instance, sec)
		switch {
		case !ok:
			flush()
			parts = append(parts, "_")
		case len(run) > 0 && run[0] != v:
			flush()
			fallthrough
		default:
			run = append(run, v)
		}
	}
	flush()
	return strings.Join(parts, " ")
}

var freshChecks = []int{49, 53, 101, 110, 117, 125, 303, 312, 313, 330, 400, 480}

// TestFreshnessStory checks that the truth shows what the story claims, so
// the promtool suite tests what it says it does.
func TestFreshnessStory(t *testing.T) {
	s := freshnessSLO()
	opts, _ := Options{}.withDefaults()
	slices := freshSlices()
	if good, ok := slices[51]; !ok || !good {
		t.Errorf("the slice with a mid-slice spike must have data and be good")
	}
	if _, ok := slices[freshGapFrom+1]; ok {
		t.Errorf("the slice after the last scrape before the outage must have no data")
	}
	if !slices[freshGapFrom] {
		t.Errorf("the slice ending on the last scrape before the outage must be good")
	}
	for _, tc := range []struct {
		minute int
		key    string
		want   bool
	}{
		{53, alertBurn + "/page/1h", false},
		{110, alertDataMissing + "/ticket/", false},
		{117, alertDataMissing + "/ticket/", true},
		{125, alertDataMissing + "/ticket/", false},
		{303, alertBurn + "/page/1h", false},
		{313, alertBurn + "/page/1h", true},
		{313, alertFreeze + "/ticket/", true},
		{480, alertBurn + "/page/1h", false},
		{400, alertBurn + "/ticket/1d", true},
		{480, alertBurn + "/ticket/1d", false},
		{480, alertFreeze + "/ticket/", true},
	} {
		if got := freshFiring(&s, tc.minute, opts)[tc.key]; got != tc.want {
			t.Errorf("minute %d: %s firing %v in the truth, the story says %v", tc.minute, tc.key, got, tc.want)
		}
	}
}

// TestPromtoolFreshness regenerates the freshness suite (golden) from the
// truth and runs it with the real promtool.
func TestPromtoolFreshness(t *testing.T) {
	s := freshnessSLO()
	cfg := &slo.Config{SLOs: []slo.SLO{s}}
	rulesYAML, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("timeslice", "rules.yml"), rulesYAML)
	var rf ruleFile
	if err := yaml.Unmarshal(rulesYAML, &rf); err != nil {
		t.Fatal(err)
	}
	opts, _ := Options{}.withDefaults()
	g := testGroup{Name: "freshness: a mid-slice spike, a boundary scrape and an exporter outage count nothing; 20 lagging minutes page, ticket and freeze", Interval: fmt.Sprintf("%ds", freshStep)}
	for _, inst := range freshInstances {
		g.InputSeries = append(g.InputSeries, inputLine{fmt.Sprintf(`pipeline_lag_seconds{pipeline="orders",instance=%q}`, inst), freshValues(inst)})
	}
	for _, m := range freshChecks {
		r, _, _ := freshTruth(&s, m, opts.Delay)
		exprs, alerts := checksAt(t, &s, rf, m, r, freshFiring(&s, m, opts))
		g.ExprTests = append(g.ExprTests, exprs...)
		g.AlertTests = append(g.AlertTests, alerts...)
	}
	var buf bytes.Buffer
	buf.WriteString("# Generated by TestPromtoolFreshness (go test ./rules -update); expected values come from\n# the daemon's slice definition and math (slo.Evaluate) over the same samples, not from PromQL.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(testFile{RuleFiles: []string{"rules.yml"}, EvaluationInterval: "1m", Tests: []testGroup{g}}); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("timeslice", "freshness.test.yml"), buf.Bytes())

	bin := promtest.Require(t, promtest.Promtool)
	for _, args := range [][]string{
		{"check", "rules", filepath.Join("testdata", "timeslice", "rules.yml")},
		{"test", "rules", filepath.Join("testdata", "timeslice", "freshness.test.yml")},
	} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
