package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/internal/promtest"
)

// demoReadyBound is generous on purpose: the 15 s is measured and
// logged, while a loaded CI machine must not fail on it.
const demoReadyBound = 60 * time.Second

// demoProc is a running `slobudget demo`.
type demoProc struct {
	cmd            *exec.Cmd
	base           string
	stdout, stderr *demoBuffer
	done           chan error
}

type demoBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *demoBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *demoBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startDemo runs the demo binary and waits for /-/ready, returning how long
// that took from the process start.
func startDemo(t *testing.T, bin string, args ...string) (*demoProc, time.Duration) {
	t.Helper()
	port := promtest.FreePort(t)
	p := &demoProc{base: fmt.Sprintf("http://127.0.0.1:%d", port), stdout: &demoBuffer{}, stderr: &demoBuffer{}, done: make(chan error, 1)}
	args = append([]string{"demo", fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port)}, args...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting the demo: %v", err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(p.base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(began)
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("the demo exited before it was ready: %v\nstderr:\n%s", err, p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(began) > demoReadyBound {
			t.Fatalf("the demo was not ready after %s\nstderr:\n%s", demoReadyBound, p.stderr)
		}
	}
}

// stop sends SIGINT and waits for a clean exit.
func (p *demoProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("the demo exited with %v on SIGINT\nstderr:\n%s", err, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the demo did not exit within 20 s of SIGINT\nstderr:\n%s", p.stderr)
	}
}

type demoSLO struct {
	Name            string             `json:"name"`
	Service         string             `json:"service"`
	BudgetRemaining float64            `json:"budgetRemaining"`
	BurnRates       map[string]float64 `json:"burnRates"`
	Alerts          struct{ Page, Ticket bool }
	PolicyState     string `json:"policyState"`
	FeatureFreeze   bool   `json:"featureFreeze"`
	Error           string `json:"error"`
}

// TestDemo runs `slobudget demo` as a user would: it is ready quickly with
// no other service, shows an SLO paging, one frozen and healthy ones, serves
// the same numbers on /metrics and the JSON API, reloads its config, and
// removes its data on exit.
func TestDemo(t *testing.T) {
	bin := buildSlobudget(t)
	dataDir := filepath.Join(t.TempDir(), "demo-data")
	p, took := startDemo(t, bin, "--storage.path="+dataDir, "--web.enable-lifecycle")
	t.Logf("slobudget demo ready (first evaluation done, /-/ready 200) %.2fs after the process started (target: 15 s)", took.Seconds())

	if out := p.stdout.String(); !strings.Contains(out, p.base+"/") {
		// The announcement is printed right after readiness; give it a moment.
		time.Sleep(200 * time.Millisecond)
		if out = p.stdout.String(); !strings.Contains(out, p.base+"/") {
			t.Errorf("the start-up message does not show the URL %s:\n%s", p.base, out)
		}
	}

	var api struct{ SLOs []demoSLO }
	demoGetJSON(t, p.base+"/api/v1/slos", &api)
	want := map[string]struct {
		page, freeze bool
		state        string
	}{
		"api-availability":   {page: true, state: "caution"},
		"api-latency":        {state: "healthy"},
		"batch-job-success":  {freeze: true, state: "frozen"},
		"pipeline-freshness": {state: "caution"},
		"data-quality":       {state: "healthy"},
	}
	if len(api.SLOs) != len(want) {
		t.Fatalf("/api/v1/slos lists %d SLOs, want %d: %+v", len(api.SLOs), len(want), api.SLOs)
	}
	for _, s := range api.SLOs {
		w := want[s.Name]
		if s.Error != "" || s.Alerts.Page != w.page || s.FeatureFreeze != w.freeze || s.PolicyState != w.state {
			t.Errorf("%s: page=%v freeze=%v state=%q error=%q (budget %.3f); want page=%v freeze=%v state=%q",
				s.Name, s.Alerts.Page, s.FeatureFreeze, s.PolicyState, s.Error, s.BudgetRemaining, w.page, w.freeze, w.state)
		}
	}

	// /metrics carries the same numbers as the API, read at the same
	// evaluation (evaluations run every 15 s; retry if one fell between).
	for attempt := 0; ; attempt++ {
		demoGetJSON(t, p.base+"/api/v1/slos", &api)
		mf := demoScrape(t, p.base+"/metrics")
		var again struct{ SLOs []demoSLO }
		demoGetJSON(t, p.base+"/api/v1/slos", &again)
		if fmt.Sprint(api) != fmt.Sprint(again) && attempt < 3 {
			continue
		}
		for _, s := range api.SLOs {
			lbl := map[string]string{"service": s.Service, "slo": s.Name}
			demoExpect(t, mf, "slo_error_budget_remaining_ratio", lbl, s.BudgetRemaining)
			demoExpect(t, mf, "slo_feature_freeze", lbl, demoBool(s.FeatureFreeze))
			demoExpect(t, mf, "slo_alert_active", demoWith(lbl, "severity", "page"), demoBool(s.Alerts.Page))
			demoExpect(t, mf, "slo_burn_rate", demoWith(lbl, "window", "1h"), s.BurnRates["1h"])
			demoExpect(t, mf, "slo_policy_state", demoWith(lbl, "state", s.PolicyState), 1)
		}
		break
	}

	// The status page at / lists every SLO (its content is statuspage's to test).
	page, err := http.Get(p.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	for name := range want {
		if page.StatusCode != http.StatusOK || !strings.Contains(string(body), name) {
			t.Errorf("GET /: %s, page does not show %s", page.Status, name)
		}
	}

	// The config lives in the data directory so that a reload works.
	cfg := filepath.Join(dataDir, "slobudget-demo.yml")
	if _, err := os.Stat(cfg); err != nil {
		t.Errorf("the demo config is not in the data directory: %v", err)
	}
	resp, err := http.Post(p.base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST /-/reload: %s", resp.Status)
	}

	p.stop(t)
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("the data directory %s survived the exit without --storage.keep: %v", dataDir, err)
	}
}

// TestDemoKeepsStorage: with --storage.keep the data stays, and a second
// demo on the same path replaces it instead of failing.
func TestDemoKeepsStorage(t *testing.T) {
	bin := buildSlobudget(t)
	dataDir := filepath.Join(t.TempDir(), "kept")
	for run := 1; run <= 2; run++ {
		p, took := startDemo(t, bin, "--storage.path="+dataDir, "--storage.keep")
		t.Logf("run %d ready after %.2fs", run, took.Seconds())
		p.stop(t)
		blocks, _ := filepath.Glob(filepath.Join(dataDir, "tsdb", "01*"))
		if len(blocks) != 1 {
			t.Errorf("run %d: %d history blocks kept in %s, want 1", run, len(blocks), dataDir)
		}
	}
}

func demoGetJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func demoScrape(t *testing.T, url string) map[string]*demoFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing %s: %v", url, err)
	}
	out := map[string]*demoFamily{}
	for name, f := range fams {
		df := &demoFamily{}
		for _, m := range f.GetMetric() {
			ls := map[string]string{}
			for _, l := range m.GetLabel() {
				ls[l.GetName()] = l.GetValue()
			}
			v := m.GetGauge().GetValue()
			if m.GetCounter() != nil {
				v = m.GetCounter().GetValue()
			}
			df.samples = append(df.samples, demoSample{ls, v})
		}
		out[name] = df
	}
	if len(out) == 0 || out["slo_error_budget_remaining_ratio"] == nil {
		t.Fatalf("%s has no slo_ series", url)
	}
	return out
}

type demoFamily struct{ samples []demoSample }

type demoSample struct {
	labels map[string]string
	value  float64
}

// demoExpect finds the one sample of name whose labels include want.
func demoExpect(t *testing.T, fams map[string]*demoFamily, name string, want map[string]string, value float64) {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Errorf("/metrics has no %s", name)
		return
	}
	var found []float64
	for _, s := range f.samples {
		match := true
		for k, v := range want {
			if s.labels[k] != v {
				match = false
			}
		}
		if match {
			found = append(found, s.value)
		}
	}
	if len(found) != 1 || found[0] != value {
		t.Errorf("%s%v = %v on /metrics, the API says %g", name, demoLabelSet(want), found, value)
	}
}

func demoLabelSet(m map[string]string) model.LabelSet {
	ls := model.LabelSet{}
	for k, v := range m {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls
}

func demoWith(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

func demoBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestDemoDataInRealPrometheus cross-checks the demo against the real
// Prometheus: the data a demo kept (--storage.keep) is opened by Debian's
// Prometheus, and the event counts of every counter-based SLO, summed from
// the raw samples Prometheus returns, equal the counts the demo exported at
// its last evaluation.
func TestDemoDataInRealPrometheus(t *testing.T) {
	promtest.Require(t, promtest.Prometheus)
	bin := buildSlobudget(t)
	dataDir := filepath.Join(t.TempDir(), "kept")
	p, _ := startDemo(t, bin, "--storage.path="+dataDir, "--storage.keep")
	var api struct {
		SLOs []struct {
			Name        string
			EvaluatedAt time.Time
			Events      struct{ Good, Total float64 }
		}
	}
	demoGetJSON(t, p.base+"/api/v1/slos", &api)
	p.stop(t)

	prom := promtest.StartPrometheus(t, promtest.Options{DataDir: filepath.Join(dataDir, "tsdb")})
	// What each SLO counts, as the demo config defines it.
	sels := map[string]struct{ good, bad, total string }{
		"api-availability":  {bad: `http_requests_total{service="api",code=~"5.."}`, total: `http_requests_total{service="api"}`},
		"api-latency":       {good: `http_request_duration_seconds_bucket{service="api",le="0.5"}`, total: `http_request_duration_seconds_count{service="api"}`},
		"batch-job-success": {good: `batch_job_runs_total{job_name="invoice-export",result="success"}`, total: `batch_job_runs_total{job_name="invoice-export"}`},
		"data-quality":      {bad: `pipeline_records_total{pipeline="orders",result="invalid"}`, total: `pipeline_records_total{pipeline="orders"}`},
	}
	checked := 0
	for _, s := range api.SLOs {
		sel, ok := sels[s.Name]
		if !ok {
			continue
		}
		at := s.EvaluatedAt
		total := demoIncrease(t, prom, sel.total, at)
		good := total - demoIncrease(t, prom, sel.bad, at)
		if sel.good != "" {
			good = demoIncrease(t, prom, sel.good, at)
		}
		if s.Events.Good != good || s.Events.Total != total {
			t.Errorf("%s at %s: the demo exported good=%g total=%g; Prometheus's raw samples give good=%g total=%g",
				s.Name, at.Format(time.RFC3339), s.Events.Good, s.Events.Total, good, total)
		}
		checked++
	}
	if checked != len(sels) {
		t.Errorf("checked %d SLOs, want %d", checked, len(sels))
	}
}

// demoIncrease sums the reset-corrected increases of every series of sel
// over the 30 days up to at, from the raw samples the real Prometheus
// returns: an increase is counted at the sample that ends it.
func demoIncrease(t *testing.T, prom *promtest.Instance, sel string, at time.Time) float64 {
	t.Helper()
	if sel == "" {
		return 0
	}
	from := at.Add(-30 * 24 * time.Hour).UnixMilli()
	// An hour more, for the sample before each series' first in the window.
	q := fmt.Sprintf("%s[%ds]", sel, int64((30*24*time.Hour+time.Hour)/time.Second))
	resp, err := http.Get(prom.URL + "/api/v1/query?query=" + url.QueryEscape(q) + fmt.Sprintf("&time=%.3f", float64(at.UnixMilli())/1000))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct {
			ResultType string
			Result     model.Matrix
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if body.Status != "success" || body.Data.ResultType != "matrix" || len(body.Data.Result) == 0 {
		t.Fatalf("%s: %s %s, %d series", q, body.Status, body.Error, len(body.Data.Result))
	}
	var sum float64
	for _, ss := range body.Data.Result {
		for i := 1; i < len(ss.Values); i++ {
			if int64(ss.Values[i].Timestamp) <= from {
				continue
			}
			prev, cur := float64(ss.Values[i-1].Value), float64(ss.Values[i].Value)
			if cur < prev {
				prev = 0 // a reset: the counter restarted from zero
			}
			sum += cur - prev
		}
	}
	return sum
}
