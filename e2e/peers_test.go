package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// peerEnd is the last sample of the peer data; peerAt, the instant the
// reports are asked at, is off the 30s sample grid.
var (
	peerEnd = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	peerAt  = peerEnd.Add(15 * time.Second)
)

// peerSample is what one scrape of the peer data revealed: requests and
// their errors, observations and the slow ones, and the probe's value.
type peerSample struct {
	t                time.Time
	requests, errors float64
	observed, slow   float64
	probe            float64
	baseline         bool // the first scrape: counts nothing
}

// peerData is 26 hours of 30s scrapes: 100 requests per scrape, 1 of them
// failing and 2 slower than 0.3s, 30 failing and 20 slow in the last hour
// (the samples after the full hour before the end, so that every hour
// Prometheus evaluates for an estimate has one error ratio throughout); the 200 counter resets 10 hours before the end; probe_success
// is 0 for the samples 20 to 24 minutes before the end and 1 otherwise.
// It returns the OpenMetrics text and every scrape's events, as written.
func peerData() (string, []peerSample) {
	start := peerEnd.Add(-26 * time.Hour)
	var samples []peerSample
	var ok, bad, count, fast float64 = 5000, 40, 9000, 8800
	var b strings.Builder
	var okLines, badLines, countLines, fastLines, infLines, probeLines []string
	for at := start; !at.After(peerEnd); at = at.Add(30 * time.Second) {
		ago := peerEnd.Sub(at)
		s := peerSample{t: at, requests: 100, errors: 1, observed: 100, slow: 2, probe: 1, baseline: at.Equal(start)}
		if ago < time.Hour {
			s.errors, s.slow = 30, 20
		}
		if ago >= 20*time.Minute && ago <= 24*time.Minute {
			s.probe = 0
		}
		if s.baseline {
			s.requests, s.errors, s.observed, s.slow = 0, 0, 0, 0
		}
		ok += s.requests - s.errors
		if ago == 10*time.Hour {
			ok = s.requests - s.errors // a restart: the counter starts again from its events since
		}
		bad += s.errors
		count += s.observed
		fast += s.observed - s.slow
		ts := at.Unix()
		okLines = append(okLines, fmt.Sprintf(`http_requests_total{service="checkout",code="200"} %g %d`, ok, ts))
		badLines = append(badLines, fmt.Sprintf(`http_requests_total{service="checkout",code="500"} %g %d`, bad, ts))
		fastLines = append(fastLines, fmt.Sprintf(`http_request_duration_seconds_bucket{service="checkout",le="0.3"} %g %d`, fast, ts))
		infLines = append(infLines, fmt.Sprintf(`http_request_duration_seconds_bucket{service="checkout",le="+Inf"} %g %d`, count, ts))
		countLines = append(countLines, fmt.Sprintf(`http_request_duration_seconds_count{service="checkout"} %g %d`, count, ts))
		probeLines = append(probeLines, fmt.Sprintf(`probe_success{job="blackbox"} %g %d`, s.probe, ts))
		samples = append(samples, s)
	}
	b.WriteString("# TYPE http_requests counter\n")
	for _, l := range append(okLines, badLines...) {
		b.WriteString(l + "\n")
	}
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	for _, l := range append(append(fastLines, infLines...), countLines...) {
		b.WriteString(l + "\n")
	}
	b.WriteString("# TYPE probe_success gauge\n")
	for _, l := range probeLines {
		b.WriteString(l + "\n")
	}
	b.WriteString("# EOF\n")
	return b.String(), samples
}

// peerTruth counts the native config's SLOs over (at−w, at] from the
// scrapes: requests and errors, observations and slow ones, and 1m slices
// (a slice (e−1m, e] with a sample; good when its last sample, the one at
// e, is 1).
func peerTruth(samples []peerSample, w time.Duration) map[string]slo.Counts {
	from := peerAt.Add(-w)
	out := map[string]slo.Counts{}
	add := func(name string, good, total float64) {
		c := out[name]
		c.Good, c.Total = c.Good+good, c.Total+total
		out[name] = c
	}
	for _, s := range samples {
		if !s.t.After(from) || s.t.After(peerAt) {
			continue
		}
		add("availability", s.requests-s.errors, s.requests)
		add("latency", s.observed-s.slow, s.observed)
		if s.t.Second() == 0 { // the sample that ends its slice
			add("probe", s.probe, 1)
		}
	}
	return out
}

var peerObjectives = map[string]float64{"availability": 0.995, "latency": 0.99, "probe": 0.99}

// TestPeerFormatsMatchNative backfills data with known answers into a real
// Prometheus and requires: the native config's report equals the truth
// counted from the scrapes (events exactly, every burn rate); a Sloth
// spec (prometheus/v1 and the CRD), Pyrra SLOs and an OpenSLO file meaning the same SLOs report exactly
// the native numbers, field by field; what `convert` writes from each
// reports them too; and `rules` of each passes promtool check rules.
func TestPeerFormatsMatchNative(t *testing.T) {
	bin, prom, samples := peerPrometheus(t)
	native := reportRaw(t, bin, filepath.Join("testdata", "peers", "native.yml"), prom.URL)
	checkPeerTruth(t, native, samples)

	for _, c := range []struct {
		file string
		slos []string
	}{
		{"sloth.yml", []string{"availability", "latency"}},
		{"sloth-crd.yml", []string{"availability", "latency"}},
		{"pyrra.yml", []string{"availability", "latency", "probe"}},
		{"openslo.yml", []string{"availability", "latency", "probe"}},
		{"openslo-v1alpha.yml", []string{"availability", "latency", "probe"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			src := filepath.Join("testdata", "peers", c.file)
			samePeerNumbers(t, native, reportRaw(t, bin, src, prom.URL), c.slos)
			converted := filepath.Join(t.TempDir(), "converted.yml")
			run(t, bin, "convert", "--config.file="+src, "--output="+converted)
			t.Run("converted", func(t *testing.T) {
				samePeerNumbers(t, native, reportRaw(t, bin, converted, prom.URL), c.slos)
			})
			for _, cfg := range []string{src, converted} {
				rules := filepath.Join(t.TempDir(), "rules.yml")
				run(t, bin, "rules", "--config.file="+cfg, "--output="+rules)
				if out, err := exec.Command(promtest.Require(t, promtest.Promtool), "check", "rules", rules).CombinedOutput(); err != nil {
					t.Errorf("promtool check rules of `rules --config.file=%s`: %v\n%s", cfg, err, out)
				}
			}
		})
	}
}

// peerPrometheus builds slobudget and starts a real Prometheus holding the
// backfilled peer data.
func peerPrometheus(t *testing.T) (string, *promtest.Instance, []peerSample) {
	t.Helper()
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	bin := buildSlobudget(t)
	dir := t.TempDir()
	text, samples := peerData()
	om := filepath.Join(dir, "data.om")
	if err := os.WriteFile(om, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "tsdb")
	promtest.Backfill(t, om, dataDir)
	return bin, promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir}), samples
}

// reportRaw runs `slobudget report --format=json` at peerAt and returns
// each SLO's JSON object by name.
func reportRaw(t *testing.T, bin, config, promURL string) map[string]map[string]any {
	t.Helper()
	cmd := exec.Command(bin, "report", "--config.file="+config, "--prometheus.url="+promURL,
		"--time="+peerAt.Format(time.RFC3339), "--format=json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s\nstdout:\n%.2000s", cmd, err, stderr.String(), stdout.String())
	}
	var report struct {
		SLOs []map[string]any `json:"slos"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("report --format=json: %v\n%.2000s", err, stdout.String())
	}
	out := map[string]map[string]any{}
	for _, s := range report.SLOs {
		out[s["name"].(string)] = s
	}
	return out
}

// checkPeerTruth compares the native report with the truth: window events
// exactly, every burn rate (the SLO window's included) within float
// summation error, the budget, and that each SLO is exact with no error.
func checkPeerTruth(t *testing.T, native map[string]map[string]any, samples []peerSample) {
	t.Helper()
	windows := append([]time.Duration{30 * 24 * time.Hour}, slo.BurnWindows...)
	truth := map[time.Duration]map[string]slo.Counts{}
	for _, w := range windows {
		truth[w] = peerTruth(samples, w)
	}
	for name, obj := range peerObjectives {
		got, ok := native[name]
		if !ok {
			t.Errorf("native report has no SLO %s", name)
			continue
		}
		if got["error"] != "" || got["exact"] != true || got["dataMissing"] != false {
			t.Errorf("%s: error %q, exact %v, dataMissing %v; want no error, exact, data", name, got["error"], got["exact"], got["dataMissing"])
		}
		want := truth[30*24*time.Hour][name]
		ev, _ := got["events"].(map[string]any)
		if ev["good"] != want.Good || ev["total"] != want.Total {
			t.Errorf("%s: events %v, want exactly good %g, total %g (counted from the scrapes)", name, ev, want.Good, want.Total)
		}
		budget := 1 - (want.Bad()/want.Total)/(1-obj)
		if b, _ := got["budgetRemaining"].(float64); !within(b, budget) {
			t.Errorf("%s: budgetRemaining %v, want %g", name, got["budgetRemaining"], budget)
		}
		burns, _ := got["burnRates"].(map[string]any)
		for _, w := range windows {
			c := truth[w][name]
			label := slo.WindowLabel(w)
			g, ok := burns[label].(float64)
			if !ok {
				t.Errorf("%s: burnRates[%s] missing, want %g", name, label, (c.Bad()/c.Total)/(1-obj))
				continue
			}
			if wantBurn := (c.Bad() / c.Total) / (1 - obj); !within(g, wantBurn) {
				t.Errorf("%s: burnRates[%s] = %g, want %g (bad %g of %g)", name, label, g, wantBurn, c.Bad(), c.Total)
			}
		}
		if _, err := model.ParseDuration(got["window"].(string)); err != nil {
			t.Errorf("%s: window %v", name, got["window"])
		}
	}
	// The data burns hard at the end: the page must be on for availability,
	// or the scenario does not show what it is meant to.
	if a, _ := native["availability"]["alerts"].(map[string]any); a["page"] != true {
		t.Errorf("availability does not page: %v", native["availability"]["alerts"])
	}
}

// identityFields name or describe an SLO, and differ between formats by
// design (labels, descriptions, notes that quote the selectors); every
// other field must be equal.
var identityFields = []string{"name", "service", "description", "labels", "notes", "missingSelector"}

// samePeerNumbers requires each of the SLOs to be in both reports with
// every field but the identity fields equal.
func samePeerNumbers(t *testing.T, native, peer map[string]map[string]any, names []string) {
	t.Helper()
	if len(peer) != len(names) {
		t.Errorf("report has SLOs %v, want %v", keys(peer), names)
	}
	for _, name := range names {
		p, ok := peer[name]
		if !ok {
			t.Errorf("no SLO %s in the report (has %v)", name, keys(peer))
			continue
		}
		n := native[name]
		for _, f := range fieldNames(n, p) {
			if contains(identityFields, f) {
				continue
			}
			if !reflect.DeepEqual(n[f], p[f]) {
				t.Errorf("%s: %s = %v, native %v", name, f, p[f], n[f])
			}
		}
	}
}

func fieldNames(a, b map[string]any) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
