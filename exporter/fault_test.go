package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/promapi"
)

// faultyProm speaks the Prometheus query API (Prometheus's own PromQL
// engine over in-memory samples) and can be switched into failure modes.
// It exists to inject faults; the happy path is tested against a real
// Prometheus in e2e/.
type faultyProm struct {
	mu   sync.Mutex
	mode string // "ok", "5xx", "slow", "garbage", "partial", "vector"
	// refuseRange answers range queries with an error, like a backend that
	// cannot run the hourly difference queries.
	refuseRange bool
	api         http.Handler
}

func (f *faultyProm) setMode(m string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode = m
}

func (f *faultyProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	mode := f.mode
	f.mu.Unlock()
	_ = r.ParseForm()
	switch mode {
	case "5xx":
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status":"error","errorType":"unavailable","error":"overloaded"}`)
		return
	case "slow":
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		return
	case "garbage":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,`)
		return
	case "vector":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		return
	}
	if f.refuseRange && strings.HasSuffix(r.URL.Path, "/query_range") {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"status":"error","errorType":"bad_data","error":"query_range not supported here"}`)
		return
	}
	if mode != "partial" {
		f.api.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, r)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		panic(err)
	}
	body["warnings"] = []string{"partial response: store gateway unreachable"}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

const faultConfig = `
slos:
  - name: api-availability
    service: api
    objective: 99
    window: 7d
    sli:
      events:
        errors: bad
        total: total
`

func newFaultDaemon(t *testing.T, timeout time.Duration) (*Daemon, *faultyProm, []countergen.Counter, []countergen.Counter, int64) {
	t.Helper()
	// Every sample is exactly on the minute: the truth of each window is simple.
	end := int64(1_700_000_040_000)
	start := end - 8*24*3600*1000
	store := memory.New()
	total := []countergen.Counter{countergen.Steady(start, end+3600*1000, 60_000, 1000)}
	bad := []countergen.Counter{countergen.Steady(start, end+3600*1000, 60_000, 3)}
	total[0].Store(store, "__name__", "total")
	bad[0].Store(store, "__name__", "bad")
	fp := &faultyProm{mode: "ok", api: promapi.Handler(promapi.Queryable(store))}
	srv := httptest.NewServer(fp)
	t.Cleanup(srv.Close)
	cfgFile := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfgFile, []byte(faultConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(DaemonOptions{
		ConfigFiles: []string{cfgFile},
		Backend:     backend.Options{URL: srv.URL, Timeout: timeout, Concurrency: 2},
		// The tests reload over HTTP; the guard itself is tested below.
		EnableLifecycle: true,
		Step:            30 * time.Second,
		Logger:          zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, fp, total, bad, end
}

func TestFaultsKeepLastGoodNumbersFlagged(t *testing.T) {
	d, fp, total, bad, end := newFaultDaemon(t, 500*time.Millisecond)
	ctx := context.Background()
	t0 := time.UnixMilli(end - 3600*1000)
	if failed := d.Engine.EvaluateAt(ctx, t0); failed != 0 {
		r, _ := d.Engine.Result("api-availability")
		t.Fatalf("healthy evaluation failed: %s", r.Error)
	}
	good, _ := d.Engine.Result("api-availability")
	wantTotal := countergen.In(total, t0.UnixMilli()-7*24*3600*1000, t0.UnixMilli())
	if good.Events.Total != wantTotal || good.Events.Bad() != countergen.In(bad, t0.UnixMilli()-7*24*3600*1000, t0.UnixMilli()) {
		t.Fatalf("window counts %+v, want total %v", good.Events, wantTotal)
	}

	for i, c := range []struct{ mode, outcome string }{
		{"5xx", "server_error"},
		{"slow", "timeout"},
		{"garbage", "bad_response"},
		{"vector", "bad_response"},
		{"partial", "bad_response"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			fp.setMode(c.mode)
			before := testutil.ToFloat64(d.metrics.queries.WithLabelValues(c.outcome))
			at := t0.Add(time.Duration(i+1) * time.Minute)
			if failed := d.Engine.EvaluateAt(ctx, at); failed != 1 {
				t.Fatalf("evaluation with %s: %d failures, want 1", c.mode, failed)
			}
			r, _ := d.Engine.Result("api-availability")
			if r.Error == "" {
				t.Fatal("no error recorded")
			}
			if !r.EvaluatedAt.Equal(good.EvaluatedAt) || r.BudgetRemaining != good.BudgetRemaining {
				t.Errorf("stale result changed: evaluatedAt %s budget %v, want %s %v", r.EvaluatedAt, r.BudgetRemaining, good.EvaluatedAt, good.BudgetRemaining)
			}
			if after := testutil.ToFloat64(d.metrics.queries.WithLabelValues(c.outcome)); after <= before {
				t.Errorf("outcome %q not counted", c.outcome)
			}
			body := scrape(t, d)
			for _, want := range []string{
				`slo_evaluation_success{service="api",slo="api-availability"} 0`,
				fmt.Sprintf(`slo_last_evaluation_timestamp_seconds{service="api",slo="api-availability"} %s`, strconv.FormatFloat(float64(t0.Unix()), 'e', -1, 64)),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("/metrics lacks %q", want)
				}
			}
		})
	}

	// Recovery: the missed minutes are caught up and the numbers are exact again.
	fp.setMode("ok")
	t1 := t0.Add(10 * time.Minute)
	if failed := d.Engine.EvaluateAt(ctx, t1); failed != 0 {
		r, _ := d.Engine.Result("api-availability")
		t.Fatalf("recovery failed: %s", r.Error)
	}
	r, _ := d.Engine.Result("api-availability")
	from := t1.UnixMilli() - 7*24*3600*1000
	if r.Error != "" || r.Events.Total != countergen.In(total, from, t1.UnixMilli()) || r.Events.Bad() != countergen.In(bad, from, t1.UnixMilli()) {
		t.Fatalf("after recovery: %+v error %q", r.Events, r.Error)
	}
	wantBurn5m := (countergen.In(bad, t1.UnixMilli()-300_000, t1.UnixMilli()) / countergen.In(total, t1.UnixMilli()-300_000, t1.UnixMilli())) / 0.01
	if got := r.BurnRates["5m"]; abs(got-wantBurn5m) > 1e-12 {
		t.Errorf("5m burn after recovery %v, want %v", got, wantBurn5m)
	}
}

func TestPrometheusUnreachableBeforeFirstSuccess(t *testing.T) {
	d, fp, _, _, end := newFaultDaemon(t, 200*time.Millisecond)
	fp.setMode("5xx")
	d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end))
	body := scrape(t, d)
	if !strings.Contains(body, `slo_evaluation_success{service="api",slo="api-availability"} 0`) {
		t.Error("missing slo_evaluation_success 0")
	}
	for _, absent := range []string{"slo_error_budget_remaining_ratio", "slo_sli_ratio", "slo_last_evaluation_timestamp_seconds", "slo_burn_rate"} {
		if strings.Contains(body, absent+"{") {
			t.Errorf("%s exported without any successful evaluation: numbers must not be invented", absent)
		}
	}
}

func scrape(t *testing.T, d *Daemon) string {
	t.Helper()
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

// A backend that refuses the hourly difference queries (range queries) is
// read raw instead, with the same exact counts.
func TestRawHistoryWhenRangeQueriesAreRefused(t *testing.T) {
	d, fp, total, bad, end := newFaultDaemon(t, time.Second)
	fp.refuseRange = true
	at := time.UnixMilli(end - 3600*1000)
	if failed := d.Engine.EvaluateAt(context.Background(), at); failed != 0 {
		r, _ := d.Engine.Result("api-availability")
		t.Fatalf("evaluation failed: %s", r.Error)
	}
	r, _ := d.Engine.Result("api-availability")
	from := at.UnixMilli() - 7*24*3600*1000
	if r.Events.Total != countergen.In(total, from, at.UnixMilli()) || r.Events.Bad() != countergen.In(bad, from, at.UnixMilli()) {
		t.Fatalf("window counts %+v", r.Events)
	}
	if n := testutil.ToFloat64(d.metrics.queries.WithLabelValues("query_error")); n != 2 {
		t.Errorf("%v refused range queries counted, want 2 (one per selector: the first refusal ends its hourly attempt)", n)
	}
}
