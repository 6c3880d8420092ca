package exporter

import (
	"context"
	"encoding/json"
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
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/promapi"
)

// remoteQuerier reproduces the query fronts of Thanos, Mimir and Cortex as
// their documentation and issue trackers show them, over Prometheus's own
// PromQL engine on in-memory samples:
//   - Mimir and Cortex serve the API under a prefix (/prometheus) and refuse
//     a request without the tenant header X-Scope-OrgID with HTTP 401 "no org
//     id"; a failed store-gateway read is HTTP 422 with errorType
//     "execution"; Cortex's query_partial_data answers 200 with the warning
//     "Query result may contain partial data".
//   - Thanos Query answers a query while a store is down with 200 and a
//     warning naming the store when partial responses are allowed (its
//     default), and with an error when the request says
//     partial_response=false.
type remoteQuerier struct {
	prefix, tenant string
	api            http.Handler

	mu     sync.Mutex
	fault  string // "", "thanos-store-down", "mimir-422", "cortex-partial", "mimir-queriers"
	seen   []http.Header
	params []string // partial_response of each request
	paths  []string
}

func (q *remoteQuerier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	q.mu.Lock()
	fault := q.fault
	q.seen = append(q.seen, r.Header.Clone())
	q.params = append(q.params, r.Form.Get("partial_response"))
	q.paths = append(q.paths, r.URL.Path)
	q.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, q.prefix+"/api/v1/") {
		http.NotFound(w, r)
		return
	}
	if q.tenant != "" && r.Header.Get("X-Scope-OrgID") != q.tenant {
		http.Error(w, "no org id", http.StatusUnauthorized)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, q.prefix)
	warn := ""
	switch fault {
	case "thanos-store-down":
		if r.Form.Get("partial_response") == "false" {
			writeAnswerJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": "error", "errorType": "execution",
				"error": "receive series from store Addr: 10.0.3.7:10901 LabelSets: {region=\"eu-1\"}: rpc error: code = Unavailable desc = connection refused"})
			return
		}
		warn = "receive series from store Addr: 10.0.3.7:10901 LabelSets: {region=\"eu-1\"}: rpc error: code = Unavailable desc = connection refused"
	case "mimir-422":
		writeAnswerJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": "error", "errorType": "execution",
			"error": "attempted to read series at index 0 from store-gateway chunks stream, but the stream has failed"})
		return
	case "cortex-partial":
		warn = "Query result may contain partial data"
	case "mimir-queriers":
		warn = "some queriers failed: partial results returned"
	}
	if warn == "" {
		q.api.ServeHTTP(w, r2)
		return
	}
	rec := httptest.NewRecorder()
	q.api.ServeHTTP(rec, r2)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		panic(err)
	}
	body["warnings"] = []string{warn}
	writeAnswerJSON(w, http.StatusOK, body)
}

func writeAnswerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (q *remoteQuerier) set(fault string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.fault = fault
}

// requests returns what the querier saw since the last call.
func (q *remoteQuerier) requests() (headers []http.Header, partial, paths []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	headers, partial, paths = q.seen, q.params, q.paths
	q.seen, q.params, q.paths = nil, nil, nil
	return
}

// TestThanosMimirCortexSemantics runs the daemon's engine against the
// reproduced query fronts: the tenant header from the http_config file and
// the URL's path prefix reach every request; Thanos gets
// partial_response=false; every partial or failed answer fails the SLO's
// evaluation and keeps the last good numbers, flagged; afterwards the
// numbers are exact again.
func TestThanosMimirCortexSemantics(t *testing.T) {
	end := int64(1_700_000_040_000)
	start := end - 8*24*3600*1000
	store := memory.New()
	total := []countergen.Counter{countergen.Steady(start, end+3600*1000, 60_000, 1000)}
	bad := []countergen.Counter{countergen.Steady(start, end+3600*1000, 60_000, 3)}
	total[0].Store(store, "__name__", "total")
	bad[0].Store(store, "__name__", "bad")
	api := promapi.Handler(promapi.Queryable(store))

	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "slo.yml")
	httpCfg := filepath.Join(dir, "http.yml")
	if err := os.WriteFile(cfgFile, []byte(faultConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(httpCfg, []byte("http_headers:\n  X-Scope-OrgID:\n    values: [team-a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, flavor, prefix, tenant, partialParam string
		faults                                     []string
	}{
		{"thanos", "thanos", "", "", "false", []string{"thanos-store-down"}},
		{"mimir", "mimir", "/prometheus", "team-a", "", []string{"mimir-422", "mimir-queriers"}},
		{"cortex", "mimir", "/api/prom", "team-a", "", []string{"cortex-partial"}},
		// Thanos without the flavor: partial responses allowed, so the
		// store's absence arrives as a warning, which fails the SLO too.
		{"thanos-default-flavor", "", "", "", "", []string{"thanos-store-down"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := &remoteQuerier{prefix: c.prefix, tenant: c.tenant, api: api}
			srv := httptest.NewServer(q)
			defer srv.Close()
			opts := backend.Options{URL: srv.URL + c.prefix, Flavor: c.flavor, Timeout: 2 * time.Second}
			if c.tenant != "" {
				opts.HTTPConfigFile = httpCfg
			}
			d, err := NewDaemon(DaemonOptions{ConfigFiles: []string{cfgFile}, Backend: opts, Step: 30 * time.Second, Logger: zap.NewNop()})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			check := func(at time.Time) {
				t.Helper()
				r, _ := d.Engine.Result("api-availability")
				from := at.UnixMilli() - 7*24*3600*1000
				if r.Error != "" || r.Events.Total != countergen.In(total, from, at.UnixMilli()) || r.Events.Bad() != countergen.In(bad, from, at.UnixMilli()) {
					t.Fatalf("at %s: %+v, error %q", at, r.Events, r.Error)
				}
				headers, partial, paths := q.requests()
				if len(headers) == 0 {
					t.Fatal("no request reached the querier")
				}
				for i := range headers {
					if got := headers[i].Get("X-Scope-OrgID"); got != c.tenant {
						t.Errorf("request %s carried X-Scope-OrgID %q, want %q", paths[i], got, c.tenant)
					}
					if partial[i] != c.partialParam {
						t.Errorf("request %s carried partial_response=%q, want %q", paths[i], partial[i], c.partialParam)
					}
					if !strings.HasPrefix(paths[i], c.prefix+"/api/v1/") {
						t.Errorf("request path %s lacks the prefix %q", paths[i], c.prefix)
					}
				}
			}
			t0 := time.UnixMilli(end - 3600*1000)
			if failed := d.Engine.EvaluateAt(ctx, t0); failed != 0 {
				r, _ := d.Engine.Result("api-availability")
				t.Fatalf("healthy evaluation failed: %s", r.Error)
			}
			check(t0)
			good, _ := d.Engine.Result("api-availability")
			for i, fault := range c.faults {
				q.set(fault)
				at := t0.Add(time.Duration(i+1) * time.Minute)
				if failed := d.Engine.EvaluateAt(ctx, at); failed != 1 {
					t.Fatalf("%s: %d failed evaluations, want 1", fault, failed)
				}
				r, _ := d.Engine.Result("api-availability")
				if r.Error == "" || !r.EvaluatedAt.Equal(good.EvaluatedAt) || r.Events != good.Events || r.BudgetRemaining != good.BudgetRemaining {
					t.Errorf("%s: error %q, evaluated at %s with %+v; want the last good numbers (%s, %+v) flagged", fault, r.Error, r.EvaluatedAt, r.Events, good.EvaluatedAt, good.Events)
				}
				body := scrape(t, d)
				if !strings.Contains(body, `slo_evaluation_success{service="api",slo="api-availability"} 0`) {
					t.Errorf("%s: slo_evaluation_success is not 0", fault)
				}
				t.Logf("%s: %s", fault, r.Error)
				q.requests()
			}
			q.set("")
			t1 := t0.Add(10 * time.Minute)
			if failed := d.Engine.EvaluateAt(ctx, t1); failed != 0 {
				r, _ := d.Engine.Result("api-availability")
				t.Fatalf("recovery failed: %s", r.Error)
			}
			check(t1)
		})
	}

}

// Without the tenant header Mimir refuses every query: the SLO fails with
// the answer's status, not with "no data".
func TestMimirWithoutTenantHeaderFails(t *testing.T) {
	q := &remoteQuerier{prefix: "/prometheus", tenant: "team-a", api: promapi.Handler(promapi.Queryable(memory.New()))}
	srv := httptest.NewServer(q)
	defer srv.Close()
	cfgFile := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfgFile, []byte(faultConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(DaemonOptions{ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: srv.URL + "/prometheus", Flavor: "mimir", Timeout: 2 * time.Second},
		Step: 30 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	if failed := d.Engine.EvaluateAt(context.Background(), time.UnixMilli(1_700_000_040_000)); failed != 1 {
		t.Fatalf("%d failed evaluations, want 1", failed)
	}
	r, _ := d.Engine.Result("api-availability")
	if !strings.Contains(r.Error, "401") || !strings.Contains(r.Error, "no org id") || r.DataMissing {
		t.Errorf("error %q, dataMissing %v; want the 401 named and no 'no data' decision", r.Error, r.DataMissing)
	}
}
