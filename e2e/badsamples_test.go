package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/promtest"
)

// blipTarget serves counters that grow with time, except that for the blip
// span one service's counters read NaN, another's +Inf and a third's -5.
type blipTarget struct {
	start      time.Time
	mu         sync.Mutex
	blipping   bool
	blipsSeen  int
	blipValues map[string]string
}

func (b *blipTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	blip := b.blipping
	if blip {
		b.blipsSeen++
	}
	b.mu.Unlock()
	secs := time.Since(b.start).Seconds()
	requests, errors := 1000+math.Floor(secs*50), 10+math.Floor(secs/2)
	var out strings.Builder
	out.WriteString("# TYPE blip_requests_total counter\n# TYPE blip_errors_total counter\n")
	for _, svc := range []string{"nan", "inf", "negative", "steady"} {
		req, errs := strconv.FormatFloat(requests, 'f', -1, 64), strconv.FormatFloat(errors, 'f', -1, 64)
		if v, ok := b.blipValues[svc]; ok && blip {
			req = v
			if svc == "nan" {
				errs = v // both counters of this SLO break
			}
		}
		fmt.Fprintf(&out, "blip_requests_total{svc=%q} %s\nblip_errors_total{svc=%q} %s\n", svc, req, svc, errs)
	}
	_, _ = w.Write([]byte(out.String()))
}

func (b *blipTarget) setBlip(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.blipping = on
}

// TestBadSamplesRecover runs the daemon's engine against a real Prometheus
// scraping a target whose counters read NaN, +Inf and -5 for 20 seconds.
// No evaluation may fail; once the blip is over, every SLO is evaluated
// again within one interval; and the counts equal the truth counted from
// the raw samples in Prometheus with the bad samples left out by the rule
// (each ends its series' run, the next good sample is a new baseline).
func TestBadSamplesRecover(t *testing.T) {
	const step = 5 * time.Second
	target := &blipTarget{start: time.Now(), blipValues: map[string]string{"nan": "NaN", "inf": "+Inf", "negative": "-5"}}
	tsrv := httptest.NewServer(target)
	defer tsrv.Close()
	tu, _ := url.Parse(tsrv.URL)
	prom := promtest.StartPrometheus(t, promtest.Options{ConfigYAML: fmt.Sprintf(
		"global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n  - job_name: blip\n    static_configs: [{targets: [%q]}]\n", tu.Host)})

	var cfg strings.Builder
	cfg.WriteString("slos:\n")
	svcs := []string{"nan", "inf", "negative", "steady"}
	for _, svc := range svcs {
		fmt.Fprintf(&cfg, "  - name: %s-blip\n    service: blip\n    objective: 99\n    window: 1d\n    sli:\n      events:\n        errors: blip_errors_total{svc=%q}\n        total: blip_requests_total{svc=%q}\n", svc, svc, svc)
	}
	cfgFile := filepath.Join(t.TempDir(), "slos.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: prom.URL, Timeout: 10 * time.Second},
		Step: step, Logger: zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(8 * time.Second) // some good samples first
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Engine.Run(ctx); close(done) }()

	// Watch every published result: no evaluation may fail.
	var failures []string
	var lastEval time.Time
	watch := func(until time.Time) {
		for time.Now().Before(until) {
			for _, r := range d.Engine.Results() {
				if r.Error != "" {
					failures = append(failures, fmt.Sprintf("%s at %s: %s", r.Name, time.Now().Format(time.TimeOnly), r.Error))
				}
				lastEval = r.EvaluatedAt
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	watch(time.Now().Add(7 * time.Second))
	target.setBlip(true)
	watch(time.Now().Add(20 * time.Second))
	target.setBlip(false)
	blipEnd := time.Now()
	watch(blipEnd.Add(step + 2*time.Second))
	if target.blipsSeen < 10 {
		t.Fatalf("Prometheus scraped the blip only %d times", target.blipsSeen)
	}
	for _, r := range d.Engine.Results() {
		if r.Error != "" || !r.EvaluatedAt.After(blipEnd.Add(-step)) {
			t.Errorf("%s one interval after the blip: evaluated at %s, error %q", r.Name, r.EvaluatedAt.Format(time.TimeOnly), r.Error)
		}
	}
	watch(time.Now().Add(3 * time.Second))
	cancel()
	<-done
	if len(failures) > 0 {
		t.Errorf("%d failed evaluations, e.g. %s", len(failures), failures[0])
	}

	// A last evaluation well after its instant: every sample up to it is in
	// Prometheus, so the truth is exactly what the engine could read.
	for time.Now().Add(-3*time.Second).Truncate(step).Compare(lastEval) <= 0 {
		time.Sleep(200 * time.Millisecond)
	}
	final := time.Now().Add(-3 * time.Second).Truncate(step)
	if failed := d.Engine.EvaluateAt(context.Background(), final); failed != 0 {
		t.Fatalf("%d SLOs failed the final evaluation", failed)
	}
	metrics := scrapeText(t, d)
	for _, svc := range svcs {
		name := svc + "-blip"
		r, _ := d.Engine.Result(name)
		total := rawTruth(t, prom, fmt.Sprintf(`blip_requests_total{svc=%q}`, svc), final)
		bad := rawTruth(t, prom, fmt.Sprintf(`blip_errors_total{svc=%q}`, svc), final)
		if r.Events.Total != total || r.Events.Bad() != bad {
			t.Errorf("%s: counted %v total, %v bad; truth %v, %v", name, r.Events.Total, r.Events.Bad(), total, bad)
		}
		// All the data lies in the last 5 minutes, so the 5m burn rate is
		// the window's, from the same truth.
		if want := (bad / total) / 0.01; math.Abs(r.BurnRates["5m"]-want) > 1e-12*want {
			t.Errorf("%s: 5m burn rate %v, truth %v", name, r.BurnRates["5m"], want)
		}
		notes := strings.Join(r.Notes, "\n")
		line := fmt.Sprintf(`slobudget_bad_samples_total{reason=%q,slo=%q}`, map[string]string{"nan": "nan", "inf": "inf", "negative": "negative"}[svc], name)
		if svc == "steady" {
			for _, l := range strings.Split(metrics, "\n") {
				if strings.HasPrefix(l, "slobudget_bad_samples_total{") && strings.Contains(l, `slo="steady-blip"`) {
					t.Errorf("bad samples counted for the steady SLO: %s", l)
				}
			}
			if strings.Contains(notes, "bad counter sample") {
				t.Errorf("steady SLO's notes: %q", notes)
			}
			continue
		}
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
		if strings.Count(notes, "bad counter sample") != 1 {
			t.Errorf("%s: notes %q should name the bad samples once", name, notes)
		}
		t.Logf("%s: %v total, %v bad (truth %v, %v); %s", name, r.Events.Total, r.Events.Bad(), total, bad, notes)
	}
}

// rawTruth counts a counter selector's events up to at by brute force over
// the raw samples Prometheus holds, by the bad-sample rule: a NaN, infinite
// or negative value forgets the series' previous value.
func rawTruth(t *testing.T, prom *promtest.Instance, selector string, at time.Time) float64 {
	return rawTruthIn(t, prom, selector, at, 10*time.Minute)
}

func rawTruthIn(t *testing.T, prom *promtest.Instance, selector string, at time.Time, span time.Duration) float64 {
	t.Helper()
	series := rawSamples(t, prom, selector, at.Add(-10*time.Minute), at)
	var total float64
	from := at.Add(-span).UnixMilli()
	for _, s := range series {
		var prev float64
		have := false
		for _, p := range s {
			if math.IsNaN(p[1]) || math.IsInf(p[1], 0) || p[1] < 0 {
				have = false
				continue
			}
			if have && int64(p[0]) > from {
				if p[1] >= prev {
					total += p[1] - prev
				} else {
					total += p[1]
				}
			}
			prev, have = p[1], true
		}
	}
	return total
}

// rawSamples reads raw samples in (from, to] straight from the HTTP API,
// without slobudget's client: [ms, value] pairs per series.
func rawSamples(t *testing.T, prom *promtest.Instance, selector string, from, to time.Time) [][][2]float64 {
	t.Helper()
	q := url.Values{}
	q.Set("query", fmt.Sprintf("%s[%ds]", selector, int(to.Sub(from).Seconds())))
	q.Set("time", strconv.FormatFloat(float64(to.UnixMilli())/1000, 'f', 3, 64))
	resp, err := http.PostForm(prom.URL+"/api/v1/query", q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Values [][2]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var out [][][2]float64
	for _, s := range body.Data.Result {
		var pts [][2]float64
		for _, v := range s.Values {
			ts := v[0].(float64) * 1000
			val, err := strconv.ParseFloat(v[1].(string), 64)
			if err != nil {
				t.Fatal(err)
			}
			if int64(math.Round(ts)) > from.UnixMilli() {
				pts = append(pts, [2]float64{math.Round(ts), val})
			}
		}
		out = append(out, pts)
	}
	return out
}

func scrapeText(t *testing.T, d *exporter.Daemon) string {
	t.Helper()
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
