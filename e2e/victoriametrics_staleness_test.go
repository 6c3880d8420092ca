package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/promtest"
)

// churnPod is one scrape target of a service whose pods come and go. Its
// counters grow by fixed steps per scrape; it remembers the first and the
// last values it served, which are the truth: a series' first sample is its
// baseline, so a pod's events are last − first. Once gone it answers 503,
// the scrape fails and vmagent writes staleness markers for its series.
type churnPod struct {
	mu                   sync.Mutex
	gone                 bool
	served               int
	requests, errors     float64
	firstReq, firstErr   float64
	lastReq, lastErr     float64
	reqStep, errEveryNth int
}

func (p *churnPod) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		http.Error(w, "pod terminated", http.StatusServiceUnavailable)
		return
	}
	p.requests += float64(p.reqStep)
	if p.served%p.errEveryNth == 0 {
		p.errors++
	}
	if p.served == 0 {
		p.firstReq, p.firstErr = p.requests, p.errors
	}
	p.served++
	p.lastReq, p.lastErr = p.requests, p.errors
	fmt.Fprintf(w, "# TYPE churn_requests_total counter\nchurn_requests_total %v\n# TYPE churn_errors_total counter\nchurn_errors_total %v\n", p.requests, p.errors)
}

func (p *churnPod) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gone = true
}

func (p *churnPod) truth() (total, bad float64, served int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastReq - p.firstReq, p.lastErr - p.firstErr, p.served
}

// TestStalenessMarkersOnVictoriaMetrics is pod churn on live data: vmagent,
// and in a second run a real Prometheus, scrapes two pods of a service
// every second and remote-writes to VictoriaMetrics; the first pod goes
// away (the writer sends staleness markers, which VictoriaMetrics returns
// as NaN in raw reads), later the second. The daemon's engine evaluates every 5 s throughout: no
// evaluation may fail, the final counts equal what the pods served, and
// the markers are counted in slobudget_bad_samples_total{reason="nan"}.
func TestStalenessMarkersOnVictoriaMetrics(t *testing.T) {
	for _, c := range []struct {
		name, writer string
		// latencyOffset is VictoriaMetrics' -search.latencyOffset: with the
		// production default (30s) the newest samples are hidden from every
		// evaluation at first, and must still be counted once they show.
		latencyOffset time.Duration
	}{
		{"vmagent", "vmagent", 0},
		{"prometheus", "prometheus", 0},
		{"vmagent-latency-offset-30s", "vmagent", 30 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) { stalenessMarkersOnVictoriaMetrics(t, c.writer, c.latencyOffset) })
	}
}

func stalenessMarkersOnVictoriaMetrics(t *testing.T, writer string, latencyOffset time.Duration) {
	const step = 5 * time.Second
	vm := promtest.StartVictoriaMetrics(t, promtest.VMOptions{ExtraArgs: []string{"-search.latencyOffset=" + latencyOffset.String()}})
	pods := []*churnPod{{reqStep: 7, errEveryNth: 3}, {reqStep: 11, errEveryNth: 4, requests: 5000, errors: 40}}
	var targets []string
	for _, p := range pods {
		srv := httptest.NewServer(p)
		defer srv.Close()
		targets = append(targets, fmt.Sprintf("%q", strings.TrimPrefix(srv.URL, "http://")))
	}
	scrape := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: churn\n    static_configs: [{targets: [%s]}]\n", strings.Join(targets, ", "))
	if writer == "vmagent" {
		promtest.StartVMAgent(t, scrape, vm.URL+"/api/v1/write", "-remoteWrite.flushInterval=200ms")
	} else {
		promtest.StartPrometheus(t, promtest.Options{ConfigYAML: scrape + fmt.Sprintf(
			"remote_write:\n  - url: %q\n    queue_config: {batch_send_deadline: 200ms}\n", vm.URL+"/api/v1/write")})
	}

	cfg := "slos:\n  - name: churn-availability\n    service: churn\n    objective: 99\n    window: 1d\n    sli:\n      events:\n        errors: churn_errors_total{job=\"churn\"}\n        total: churn_requests_total{job=\"churn\"}\n"
	cfgFile := filepath.Join(t.TempDir(), "slos.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: vm.URL, Flavor: string(backend.FlavorVictoriaMetrics), Timeout: 10 * time.Second},
		Step: step, Logger: zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second) // both pods scraped a few times first
	if latencyOffset > 0 {
		// Proof that the offset is in force: every sample is younger than
		// it, so VictoriaMetrics shows none of them yet.
		vmGet(t, vm.URL+"/internal/force_flush")
		if got, err := vm.QueryErr("churn_requests_total", time.Now()); err != nil || len(got) != 0 {
			t.Fatalf("with -search.latencyOffset=%s VictoriaMetrics already shows %v (%v)", latencyOffset, got, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Engine.Run(ctx); close(done) }()

	var failures []string
	var lastEval time.Time
	watch := func(d0 time.Duration) {
		for until := time.Now().Add(d0); time.Now().Before(until); {
			for _, r := range d.Engine.Results() {
				if r.Error != "" {
					failures = append(failures, fmt.Sprintf("at %s: %s", time.Now().Format(time.TimeOnly), r.Error))
				}
				lastEval = r.EvaluatedAt
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	watch(6 * time.Second)
	pods[0].leave()
	watch(12 * time.Second) // evaluations with pod 0's markers in the window
	pods[1].leave()
	// Until every sample is older than the latency offset, so the loop's
	// own reads (not the final one) are what must have counted it all.
	watch(8*time.Second + latencyOffset)
	cancel()
	<-done
	if len(failures) > 0 {
		t.Errorf("%d failed evaluations, e.g. %s", len(failures), failures[0])
	}

	// The markers are there: VictoriaMetrics returns them as NaN samples in
	// raw reads (otherwise this test would prove nothing about them).
	evalFinal := time.Now().Add(-2 * time.Second).Truncate(step)
	for !evalFinal.After(lastEval) {
		time.Sleep(200 * time.Millisecond)
		evalFinal = time.Now().Add(-2 * time.Second).Truncate(step)
	}
	nans := 0
	for _, s := range rawSamples(t, vm, `churn_requests_total`, evalFinal.Add(-10*time.Minute), evalFinal) {
		for _, p := range s {
			if math.IsNaN(p[1]) {
				nans++
			}
		}
	}
	if nans < 2 {
		t.Fatalf("VictoriaMetrics returned %d NaN samples for the two pods that went away, want at least 2 (one staleness marker each)", nans)
	}

	if failed := d.Engine.EvaluateAt(context.Background(), evalFinal); failed != 0 {
		r, _ := d.Engine.Result("churn-availability")
		t.Fatalf("the final evaluation failed: %s", r.Error)
	}
	var total, bad float64
	for i, p := range pods {
		tot, b, served := p.truth()
		if served < 5 {
			t.Fatalf("pod %d was scraped only %d times", i, served)
		}
		total += tot
		bad += b
	}
	r, _ := d.Engine.Result("churn-availability")
	if r.Events.Total != total || r.Events.Bad() != bad {
		t.Errorf("counted %v total, %v bad; the pods served %v, %v", r.Events.Total, r.Events.Bad(), total, bad)
	}
	metrics := scrapeText(t, d)
	if !strings.Contains(metrics, `slobudget_bad_samples_total{reason="nan",slo="churn-availability"}`) {
		t.Errorf("/metrics lacks slobudget_bad_samples_total{reason=\"nan\",slo=\"churn-availability\"}")
	}
	t.Logf("counted %v total, %v bad (served %v, %v); %d NaN samples in VictoriaMetrics; notes %q", r.Events.Total, r.Events.Bad(), total, bad, nans, r.Notes)
}
