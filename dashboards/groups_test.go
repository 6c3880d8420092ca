package dashboards

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/promapi"
	"github.com/slobudget/slobudget/slo"
)

const groupedDashConfig = `
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
  - name: plain
    service: api
    objective: 99
    sli:
      events:
        errors: e
        total: t
`

// TestGroupedDashboardsKeepGroups runs the dashboards' queries with
// Prometheus's own PromQL engine over the series two daemon replicas export
// for a grouped SLO (route /a with 90% of its budget left, /b overspent)
// and an SLO without grouping: each route keeps its own row and line, never
// the max over the routes, and the plain SLO still shows once.
func TestGroupedDashboardsKeepGroups(t *testing.T) {
	cfg, err := slo.Parse("grouped.yml", []byte(groupedDashConfig))
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1_700_000_000_000)
	store := memory.New()
	remaining := map[string]float64{"/a": 0.9, "/b": -0.5, "": 0.7} // "" is the SLO without grouping
	for _, replica := range []string{"r1", "r2"} {
		for route, v := range remaining {
			name := "api"
			if route == "" {
				name = "plain"
			}
			base := []string{"service", "api", "slo", name, "instance", replica}
			if route != "" {
				base = append(base, "route", route)
			}
			add := func(metric string, v float64, extra ...string) {
				ls := append(append([]string{"__name__", metric}, base...), extra...)
				store.Add(labels.FromStrings(ls...), backend.Sample{T: at.UnixMilli() - 15_000, V: v})
			}
			add("slo_info", 1, "objective", "0.99", "window", "1d", "policy", "default")
			add("slo_error_budget_remaining_ratio", v)
		}
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	t.Cleanup(srv.Close)
	prom, err := backend.NewPrometheus(backend.Options{URL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"service": ".*", "team": ".*", "slo": "api", "datasource": "prom"}
	checked := 0
	for _, f := range generate(t, cfg, Options{}) {
		qs, err := Queries(f.JSON)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if !strings.Contains(q.Expr, "slo_error_budget_remaining_ratio") || strings.Contains(q.Expr, "bottomk") {
				continue
			}
			series, err := prom.Query(context.Background(), Substitute(q.Expr, values), at)
			if err != nil {
				t.Fatalf("%s / %s: %v", q.Dashboard, q.Panel, err)
			}
			got := map[string]float64{}
			for _, s := range series {
				if len(s.Floats) == 1 {
					got[s.Labels.Get("slo")+" "+s.Labels.Get("route")] = s.Floats[0].V
				}
			}
			want := map[string]float64{"api /a": 0.9, "api /b": -0.5}
			if strings.Contains(f.UID, "overview") {
				want["plain "] = 0.7
			}
			if len(got) != len(want) {
				t.Errorf("%s / %s: %v, want %v", q.Dashboard, q.Panel, got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s / %s: %q = %v, want %v (all: %v)", q.Dashboard, q.Panel, k, got[k], v, got)
				}
			}
			checked++
		}
	}
	if checked < 2 {
		t.Fatalf("checked %d queries, want the overview table's and the detail's budget", checked)
	}
}
