package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

// TestShardsCoverEverySLOOnce runs two shards (--shard.total=2) and one
// unsharded daemon on the fixture in a real Prometheus at the same instant.
// Together the shards serve every SLO exactly once, each with the numbers
// the unsharded daemon has, which equal the truth; each shard says which
// part it serves on the API, /metrics and the status page.
func TestShardsCoverEverySLOOnce(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	newDaemon := func(s slo.Shard) *exporter.Daemon {
		d, err := exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{f.configYML},
			Backend:     backend.Options{URL: p.URL, Timeout: time.Minute, Concurrency: 4},
			Step:        30 * time.Second, Logger: zap.NewNop(), Shard: s,
		})
		if err != nil {
			t.Fatal(err)
		}
		d.StatusPage = d.NewStatusPage(statuspage.Options{EvalInterval: 30 * time.Second, Now: func() time.Time { return evalAt }})
		if failed := d.Engine.EvaluateAt(context.Background(), evalAt); failed != 0 {
			t.Fatalf("shard %+v: %d SLOs failed", s, failed)
		}
		return d
	}
	whole := newDaemon(slo.Shard{})
	wholeJSON := map[string]string{}
	for _, r := range whole.Engine.Results() {
		wholeJSON[r.Name] = mustJSON(t, r)
	}
	expected, err := f.data.Expected(evalAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(wholeJSON) != len(expected) {
		t.Fatalf("the unsharded daemon has %d SLOs, the config %d", len(wholeJSON), len(expected))
	}

	served := map[string]int{}
	var union []reportedSLO
	for i := 0; i < 2; i++ {
		d := newDaemon(slo.Shard{Index: i, Total: 2})
		var api struct {
			SLOs  []json.RawMessage `json:"slos"`
			Shard struct {
				Index, Total   int
				SLOs           int    `json:"slos"`
				ConfiguredSLOs int    `json:"configuredSlos"`
				Description    string `json:"description"`
			} `json:"shard"`
		}
		if err := json.Unmarshal([]byte(get200(t, d, "/api/v1/slos")), &api); err != nil {
			t.Fatal(err)
		}
		if api.Shard.Index != i || api.Shard.Total != 2 || api.Shard.SLOs != len(api.SLOs) || api.Shard.ConfiguredSLOs != len(expected) {
			t.Errorf("shard %d: API shard object %+v with %d SLOs, config has %d", i, api.Shard, len(api.SLOs), len(expected))
		}
		if len(api.SLOs) == 0 || len(api.SLOs) == len(expected) {
			t.Errorf("shard %d serves %d of %d SLOs: the split does nothing", i, len(api.SLOs), len(expected))
		}
		want := fmt.Sprintf("shard %d of 2 (--shard.index=%d): %d of %d SLOs", i+1, i, len(api.SLOs), len(expected))
		if !strings.HasPrefix(api.Shard.Description, want) {
			t.Errorf("shard %d: description %q, want it to start %q", i, api.Shard.Description, want)
		}
		if page := get200(t, d, "/"); !strings.Contains(page, `id="shard-scope">`+want) {
			t.Errorf("shard %d: the status page does not say %q", i, want)
		}
		metrics := get200(t, d, "/metrics")
		for _, line := range []string{
			fmt.Sprintf(`slobudget_shard_info{index="%d",total="2"} 1`, i),
			fmt.Sprintf(`slobudget_shard_slos{set="evaluated"} %d`, len(api.SLOs)),
			fmt.Sprintf(`slobudget_shard_slos{set="configured"} %d`, len(expected)),
		} {
			if !strings.Contains(metrics, line) {
				t.Errorf("shard %d: /metrics lacks %s", i, line)
			}
		}
		for _, r := range d.Engine.Results() {
			served[r.Name]++
			if got := mustJSON(t, r); got != wholeJSON[r.Name] {
				t.Errorf("shard %d: %s differs from the unsharded daemon:\n%s\n%s", i, r.Name, got, wholeJSON[r.Name])
			}
			if !strings.Contains(metrics, fmt.Sprintf(`slo_objective_ratio{service=%q,slo=%q}`, r.Service, r.Name)) {
				t.Errorf("shard %d: /metrics lacks its SLO %s", i, r.Name)
			}
		}
		var got []reportedSLO
		if err := json.Unmarshal([]byte(mustJSON(t, d.Engine.Results())), &got); err != nil {
			t.Fatal(err)
		}
		union = append(union, got...)
	}
	for name := range wholeJSON {
		if served[name] != 1 {
			t.Errorf("%s is served by %d shards, want exactly 1", name, served[name])
		}
	}
	// The shards' SLOs together, against the truth.
	compareReport(t, expected, f.data.ExpectedForecasts(evalAt), union)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func get200(t *testing.T, d *exporter.Daemon, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}
