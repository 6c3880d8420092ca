package exporter

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReloadNeedsTheLifecycleFlag(t *testing.T) {
	d, _, _, _, _ := newFaultDaemon(t, time.Second)
	d.lifecycle = false
	if code, body := request(t, d, "POST", "/-/reload"); code != http.StatusForbidden || !strings.Contains(body, "--web.enable-lifecycle") {
		t.Errorf("POST /-/reload without --web.enable-lifecycle: %d %q, want 403 naming the flag", code, body)
	}
	// SIGHUP's path (Reload) is not guarded.
	if err := d.Reload(); err != nil {
		t.Errorf("Reload: %v", err)
	}
}

// A web page on another site can make a browser POST to the daemon (a form,
// or fetch without a preflight); those requests must not reload.
func TestReloadRefusesCrossSiteRequests(t *testing.T) {
	d, _, _, _, _ := newFaultDaemon(t, time.Second)
	h := d.Handler()
	for _, c := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"curl", nil, http.StatusOK},
		{"same origin, JSON", map[string]string{"Origin": "http://slobudget.example:9912", "Content-Type": "application/json"}, http.StatusOK},
		{"other origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"other port", map[string]string{"Origin": "http://slobudget.example:8080"}, http.StatusForbidden},
		{"https origin for an http server", map[string]string{"Origin": "https://slobudget.example:9912"}, http.StatusForbidden},
		{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"text/plain form", map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType},
		{"urlencoded form", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType},
		{"multipart form", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, http.StatusUnsupportedMediaType},
		{"the issue's attack", map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "http://slobudget.example:9912/-/reload", strings.NewReader(""))
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Errorf("%d %q, want %d", rec.Code, rec.Body.String(), c.want)
			}
		})
	}
}

// A reload that changes an SLO's objective drops its old figures at once:
// the API shows evaluatedAt null and /metrics says it is not evaluated.
func TestReloadedObjectiveHasNoFiguresUntilEvaluated(t *testing.T) {
	d, _, _, _, end := newFaultDaemon(t, time.Second)
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end))
	if err := os.WriteFile(d.files[0], []byte(strings.Replace(faultConfig, "objective: 99", "objective: 99.5", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Reload(); err != nil {
		t.Fatal(err)
	}
	_, body := request(t, d, "GET", "/api/v1/slos/api-availability")
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got["evaluatedAt"] != nil || got["budgetRemaining"] != nil || got["objective"] != 0.995 {
		t.Errorf("after the reload: evaluatedAt %v budgetRemaining %v objective %v", got["evaluatedAt"], got["budgetRemaining"], got["objective"])
	}
	metrics := scrape(t, d)
	if !strings.Contains(metrics, `slo_evaluation_success{service="api",slo="api-availability"} 0`) || strings.Contains(metrics, "slo_error_budget_remaining_ratio{") {
		t.Errorf("/metrics after the reload still shows figures or success:\n%s", grepLines(metrics, "api-availability"))
	}
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end).Add(30*time.Second))
	if r, _ := d.Engine.Result("api-availability"); r.EvaluatedAt.IsZero() || r.Objective != 0.995 {
		t.Errorf("not evaluated with the new objective: %+v", r)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
