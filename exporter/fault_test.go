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
	"github.com/prometheus/common/model"
	"go.uber.org/zap"
)

// faultyProm speaks the Prometheus query API from in-memory samples and can
// be switched into failure modes. It exists to inject faults; the happy path
// is tested against a real Prometheus in e2e/.
type faultyProm struct {
	mu   sync.Mutex
	mode string // "ok", "5xx", "slow", "garbage", "partial", "vector"
	data *memQuerier
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
	if strings.HasSuffix(r.URL.Path, "/query_range") {
		// Like a backend that cannot run the hourly difference query: the
		// engine must fall back to reading raw history.
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"status":"error","errorType":"bad_data","error":"query_range not supported here"}`)
		return
	}
	ts, _ := strconv.ParseFloat(r.Form.Get("time"), 64)
	m, err := f.data.QueryMatrix(r.Context(), r.Form.Get("query"), time.UnixMilli(int64(ts*1000)))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, err.Error())
		return
	}
	body := map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": m}}
	if mode == "partial" {
		body["warnings"] = []string{"partial response: store gateway unreachable"}
	}
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

func newFaultDaemon(t *testing.T, timeout time.Duration) (*Daemon, *faultyProm, []rawCounter, []rawCounter, int64) {
	t.Helper()
	// Every sample is exactly on the minute: the truth of each window is simple.
	end := int64(1_700_000_040_000)
	start := end - 8*24*3600*1000
	q := &memQuerier{series: map[string][]*model.SampleStream{}}
	var total, bad []rawCounter
	for name, perMin := range map[string]float64{"total": 1000, "bad": 3} {
		var c rawCounter
		v := 10.0
		for ts := start; ts <= end+3600*1000; ts += 60_000 {
			ev := 0.0
			if len(c.samples) > 0 {
				ev = perMin
			}
			v += ev
			c.samples = append(c.samples, model.SamplePair{Timestamp: model.Time(ts), Value: model.SampleValue(v)})
			c.events = append(c.events, ev)
		}
		q.series[name] = []*model.SampleStream{{Metric: model.Metric{"__name__": model.LabelValue(name)}, Values: c.samples}}
		if name == "total" {
			total = append(total, c)
		} else {
			bad = append(bad, c)
		}
	}
	fp := &faultyProm{mode: "ok", data: q}
	srv := httptest.NewServer(fp)
	t.Cleanup(srv.Close)
	cfgFile := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfgFile, []byte(faultConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(DaemonOptions{
		ConfigFiles: []string{cfgFile},
		Prometheus:  PromOptions{URL: srv.URL, Timeout: timeout, Concurrency: 2},
		Step:        30 * time.Second,
		Logger:      zap.NewNop(),
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
	wantTotal := truthIn(total, t0.UnixMilli()-7*24*3600*1000, t0.UnixMilli())
	if good.Events.Total != wantTotal || good.Events.Bad() != truthIn(bad, t0.UnixMilli()-7*24*3600*1000, t0.UnixMilli()) {
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
	if r.Error != "" || r.Events.Total != truthIn(total, from, t1.UnixMilli()) || r.Events.Bad() != truthIn(bad, from, t1.UnixMilli()) {
		t.Fatalf("after recovery: %+v error %q", r.Events, r.Error)
	}
	wantBurn5m := (truthIn(bad, t1.UnixMilli()-300_000, t1.UnixMilli()) / truthIn(total, t1.UnixMilli()-300_000, t1.UnixMilli())) / 0.01
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
