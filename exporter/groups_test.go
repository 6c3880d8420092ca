package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/promapi"
	"github.com/slobudget/slobudget/statuspage"
)

const groupedDaemonConfig = `
slos:
  - name: api
    service: api
    objective: 99
    window: 1d
    grouping: [route]
    sli:
      events:
        errors: http_requests_total{code="500"}
        total: http_requests_total
`

// TestGroupedInstancesOnMetricsAndAPI serves a grouped SLO through the
// PromQL engine (so discovery runs its group-by query) and checks that each
// route has its own series, labelled with the route, and its own JSON.
func TestGroupedInstancesOnMetricsAndAPI(t *testing.T) {
	end := int64(1_700_006_400_000)
	store := memory.New()
	// Per minute: /a serves 10 good and 1 failed request, /b 20 and 2.
	perMinute := map[string][2]float64{"/a": {10, 1}, "/b": {20, 2}}
	for route, inc := range perMinute {
		for code, step := range map[string]float64{"200": inc[0], "500": inc[1]} {
			var ss []backend.Sample
			v := 50.0
			for t := end - 2*24*3600_000; t <= end; t += 60_000 {
				ss = append(ss, backend.Sample{T: t, V: v})
				v += step
			}
			store.Add(labels.FromStrings("__name__", "http_requests_total", "route", route, "code", code), ss...)
		}
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	t.Cleanup(srv.Close)
	cfgFile := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfgFile, []byte(groupedDaemonConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(DaemonOptions{ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: srv.URL, Timeout: 5 * time.Second, Concurrency: 2},
		Step: 30 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	d.StatusPage = d.NewStatusPage(statuspage.Options{})
	if failed := d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end)); failed != 0 {
		t.Fatalf("evaluation failed: %+v", d.Engine.Results())
	}
	_, metrics := request(t, d, "GET", "/metrics")
	const minutes = 24 * 60 // samples in the one-day window, one a minute
	for route, inc := range perMinute {
		good, bad := minutes*inc[0], minutes*inc[1]
		for _, want := range []string{
			fmt.Sprintf(`slo_window_events{result="good",route=%q,service="api",slo="api"} %g`, route, good),
			fmt.Sprintf(`slo_window_events{result="bad",route=%q,service="api",slo="api"} %g`, route, bad),
			fmt.Sprintf(`slo_sli_ratio{route=%q,service="api",slo="api"} %g`, route, good/(good+bad)),
			fmt.Sprintf(`slo_info{objective="0.99",policy="default",route=%q,service="api",slo="api",window="1d"} 1`, route),
		} {
			if !strings.Contains(metrics, want+"\n") {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		key := `api{route="` + route + `"}`
		code, body := request(t, d, "GET", "/api/v1/slos/"+url.PathEscape(key))
		var one struct {
			Group    map[string]string `json:"group"`
			Instance string            `json:"instance"`
			Events   struct{ Good, Total float64 }
		}
		if code != 200 || json.Unmarshal([]byte(body), &one) != nil {
			t.Fatalf("/api/v1/slos/%s: %d %s", key, code, body)
		}
		if one.Group["route"] != route || one.Instance != key || one.Events.Good != good || one.Events.Total != good+bad {
			t.Errorf("%s: %+v", key, one)
		}
	}
	for _, want := range []string{`slo_groups{service="api",slo="api",status="evaluated"} 2`, `slo_groups{service="api",slo="api",status="dropped"} 0`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The history API and the status page answer per instance.
	key := url.PathEscape(`api{route="/b"}`)
	if code, body := request(t, d, "GET", "/api/v1/slos/"+key+"/history"); code != 200 || !strings.Contains(body, `"remaining"`) {
		t.Errorf("history of /b: %d %.300s", code, body)
	}
	code, page := request(t, d, "GET", "/")
	if code != 200 || !strings.Contains(page, `id="slo-api-route-a"`) || !strings.Contains(page, `id="slo-api-route-b"`) {
		t.Errorf("status page: %d, want one row per route", code)
	}
	code, page = request(t, d, "GET", "/?slo="+url.QueryEscape(`api{route="/b"}`))
	if code != 200 || strings.Contains(page, `id="slo-api-route-a"`) || !strings.Contains(page, `id="slo-api-route-b"`) {
		t.Errorf("status page for /b: %d, want only its row", code)
	}
	if code, body := request(t, d, "GET", "/api/v1/slos/api"); code != 404 || !strings.Contains(body, `api{route=\"/a\"}`) {
		t.Errorf("/api/v1/slos/api: %d %s, want 404 listing the instances", code, body)
	}
}
