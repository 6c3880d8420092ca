package exporter

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slobudget/slobudget/internal/countergen"
)

func request(t *testing.T, d *Daemon, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, rec.Body.String()
}

func TestReadyOnlyAfterFirstEvaluation(t *testing.T) {
	d, _, _, _, end := newFaultDaemon(t, time.Second)
	if code, _ := request(t, d, "GET", "/-/ready"); code != 503 {
		t.Fatalf("/-/ready before any evaluation: %d, want 503", code)
	}
	if code, _ := request(t, d, "GET", "/-/healthy"); code != 200 {
		t.Fatalf("/-/healthy: %d", code)
	}
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end))
	if code, _ := request(t, d, "GET", "/-/ready"); code != 200 {
		t.Fatalf("/-/ready after an evaluation: %d, want 200", code)
	}
}

func TestAPIShape(t *testing.T) {
	d, _, total, bad, end := newFaultDaemon(t, time.Second)
	at := time.UnixMilli(end)
	d.Engine.EvaluateAt(context.Background(), at)
	code, body := request(t, d, "GET", "/api/v1/slos")
	if code != 200 {
		t.Fatalf("/api/v1/slos: %d %s", code, body)
	}
	var list struct {
		SLOs []map[string]any `json:"slos"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.SLOs) != 1 {
		t.Fatalf("decoding %s: %v", body, err)
	}
	s := list.SLOs[0]
	for _, key := range []string{"name", "service", "objective", "window", "sli", "budgetRemaining", "budgetRemainingSeconds",
		"burnRates", "alerts", "policyState", "featureFreeze", "featureShare", "exhaustionSeconds", "evaluatedAt", "error"} {
		if _, ok := s[key]; !ok {
			t.Errorf("API object lacks %q", key)
		}
	}
	w := int64(7 * 24 * 3600 * 1000)
	wantSLI := 1 - countergen.In(bad, end-w, end)/countergen.In(total, end-w, end)
	if s["objective"] != 0.99 || abs(s["sli"].(float64)-wantSLI) > 1e-15 {
		t.Errorf("objective %v sli %v, want 0.99 and %v", s["objective"], s["sli"], wantSLI)
	}
	code, one := request(t, d, "GET", "/api/v1/slos/api-availability")
	if code != 200 || !strings.Contains(one, `"name": "api-availability"`) {
		t.Errorf("/api/v1/slos/api-availability: %d %s", code, one)
	}
	if code, _ := request(t, d, "GET", "/api/v1/slos/nope"); code != 404 {
		t.Errorf("unknown SLO: %d, want 404", code)
	}
}

func TestReloadKeepsLastGoodConfig(t *testing.T) {
	d, _, _, _, end := newFaultDaemon(t, time.Second)
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end))
	file := d.files[0]

	if err := os.WriteFile(file, []byte("slos:\n  - name: Bad_Name\n    objective: 0.999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, body := request(t, d, "POST", "/-/reload")
	if code != 500 || !strings.Contains(body, "slo.yml:") {
		t.Fatalf("bad reload: %d %q, want 500 naming the file and line", code, body)
	}
	if got := testutil.ToFloat64(d.metrics.reloadSuccess); got != 0 {
		t.Errorf("slobudget_config_last_reload_successful %v after a failed reload", got)
	}
	if _, ok := d.Engine.Result("api-availability"); !ok || len(d.Engine.Config().SLOs) != 1 {
		t.Fatal("the running config was lost by a failed reload")
	}

	two := faultConfig + `
  - name: api-availability-strict
    service: api
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: bad
        total: total
`
	if err := os.WriteFile(file, []byte(two), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := d.Engine.Result("api-availability")
	if code, body := request(t, d, "POST", "/-/reload"); code != 200 {
		t.Fatalf("good reload: %d %s", code, body)
	}
	if after, ok := d.Engine.Result("api-availability"); !ok || !after.EvaluatedAt.Equal(before.EvaluatedAt) {
		t.Error("an unchanged SLO lost its numbers on reload")
	}
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end).Add(time.Minute))
	if len(d.Engine.Results()) != 2 || testutil.ToFloat64(d.metrics.reloadSuccess) != 1 {
		t.Errorf("after reload: %d results, reload gauge %v", len(d.Engine.Results()), testutil.ToFloat64(d.metrics.reloadSuccess))
	}
}

func TestExhaustionIsInfWhenNotBurning(t *testing.T) {
	d, _, _, _, end := newFaultDaemon(t, time.Second)
	// After the data ends (an hour past end) nothing burns in the last hour.
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end+3*3600*1000))
	body := scrape(t, d)
	if !strings.Contains(body, `slo_error_budget_exhaustion_seconds{service="api",slo="api-availability"} +Inf`) {
		t.Error("exhaustion is not +Inf without traffic in the last hour")
	}
	if strings.Contains(body, `window="1h"`) || strings.Contains(body, "NaN") {
		t.Error("a window without traffic exported a burn rate or NaN")
	}
	r, _ := d.Engine.Result("api-availability")
	wantNote := "no samples of total since " + time.UnixMilli(end+3600*1000).UTC().Format(time.RFC3339)
	if !slices.Contains(r.Notes, wantNote) {
		t.Errorf("notes %q lack %q", r.Notes, wantNote)
	}
}

// The loop, reloads and scrapes run at the same time in the daemon; run this
// test with -race.
func TestLoopReloadAndScrapeConcurrently(t *testing.T) {
	d, _, _, _, _ := newFaultDaemon(t, time.Second)
	readyC := d.Engine.ReadyC() // asked before the first evaluation
	select {
	case <-readyC:
		t.Fatal("ReadyC closed before any evaluation")
	default:
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Engine.Run(ctx); close(done) }()
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if code, body := request(t, d, "POST", "/-/reload"); code != 200 {
			t.Fatalf("reload: %d %s", code, body)
		}
		request(t, d, "GET", "/metrics")
		request(t, d, "GET", "/api/v1/slos")
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if !d.Engine.Ready() {
		t.Error("the loop never finished an evaluation")
	}
	for _, c := range []<-chan struct{}{readyC, d.Engine.ReadyC()} {
		select {
		case <-c:
		default:
			t.Error("ReadyC not closed after the first evaluation")
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
