package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"github.com/slobudget/slobudget/slo"
)

// gridQuietTarget serves counters that grow only while the wall clock is
// between 1 s and 4 s past a multiple of 5 s. A scrape near an evaluation
// instant then serves the value it served before: whether a replica's query
// at the instant already sees that sample (ingested a few milliseconds
// after its timestamp) changes no count, so the test compares what the
// replicas compute, not a race with ingestion.
type gridQuietTarget struct {
	mu            sync.Mutex
	requests, bad float64
}

func (g *gridQuietTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if off := time.Now().UnixMilli() % 5000; off >= 1000 && off < 4000 {
		g.requests += 37
		if int(g.requests)%3 == 0 {
			g.bad += 2
		}
	}
	fmt.Fprintf(w, "# TYPE ha_requests_total counter\nha_requests_total %v\n# TYPE ha_errors_total counter\nha_errors_total %v\n", g.requests, g.bad)
}

// TestReplicasAgree runs two daemons' evaluation loops (what `serve` runs)
// against one real Prometheus scraping a live target, the second started
// 7 s after the first: an HA pair. Every evaluation instant both replicas
// evaluated must give identical results (same JSON), and the last common
// one equals the truth counted from Prometheus's raw samples.
//
// One difference is legitimate: a replica reads its window's past for the
// incident ledger between evaluations after it starts (engine/incidents.go),
// so the second replica's first evaluations may say its incidents are known
// only since it started while the first replica's are complete. At such an
// instant everything but the incidents (and the note saying so) must still
// be identical; at least three common instants must be compared whole.
func TestReplicasAgree(t *testing.T) {
	const step = 5 * time.Second
	tsrv := httptest.NewServer(&gridQuietTarget{requests: 1000})
	defer tsrv.Close()
	tu, _ := url.Parse(tsrv.URL)
	prom := promtest.StartPrometheus(t, promtest.Options{ConfigYAML: fmt.Sprintf(
		"global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n  - job_name: ha\n    static_configs: [{targets: [%q]}]\n", tu.Host)})
	cfgFile := filepath.Join(t.TempDir(), "slos.yml")
	cfg := "slos:\n  - name: ha-availability\n    service: ha\n    objective: 99\n    window: 1d\n    sli:\n      events:\n        errors: ha_errors_total\n        total: ha_requests_total\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	newReplica := func() *exporter.Daemon {
		d, err := exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: prom.URL, Timeout: 10 * time.Second},
			Step: step, Logger: zap.NewNop(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// A few samples in Prometheus before the first replica starts: a
	// replica that read an instant before the very first sample was
	// searchable would honestly say "no data" where the other, reading
	// later, counted it (a loaded full run saw this at the first instant).
	waitUntil(t, 30*time.Second, "three samples of the target in Prometheus", func() bool {
		got := prom.Query(t, "count_over_time(ha_requests_total[1m])", time.Now())
		return len(got) == 1 && got[0].Value >= 3
	})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// seen[replica][instant] is the replica's result at that instant.
	seen := [2]map[int64]seenResult{{}, {}}
	var mu sync.Mutex
	run := func(i int, d *exporter.Daemon) {
		wg.Add(2)
		go func() { defer wg.Done(); d.Engine.Run(ctx) }()
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				for _, r := range d.Engine.Results() {
					if !r.EvaluatedAt.IsZero() && r.Error == "" {
						mu.Lock()
						seen[i][r.EvaluatedAt.UnixMilli()] = newSeenResult(t, r)
						mu.Unlock()
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	a, b := newReplica(), newReplica()
	run(0, a)
	time.Sleep(7 * time.Second)
	run(1, b)
	time.Sleep(31 * time.Second)
	cancel()
	wg.Wait()

	var common []int64
	whole := 0
	for at, ra := range seen[0] {
		rb, ok := seen[1][at]
		if !ok {
			continue
		}
		common = append(common, at)
		ja, jb := ra.whole, rb.whole
		if !ra.pastRead || !rb.pastRead {
			ja, jb = ra.withoutIncidents, rb.withoutIncidents
		} else {
			whole++
		}
		if ja != jb {
			t.Errorf("at %s the replicas differ:\nA %s\nB %s", time.UnixMilli(at).UTC().Format(time.TimeOnly), ja, jb)
		}
	}
	if whole < 3 {
		t.Fatalf("the replicas evaluated only %d common instants with their window's past read (%d common; A %d, B %d)", whole, len(common), len(seen[0]), len(seen[1]))
	}
	// Each replica publishes only its latest result; the last common
	// instant is re-evaluated here for the truth comparison.
	last := int64(0)
	for _, at := range common {
		last = max(last, at)
	}
	at := time.UnixMilli(last)
	if failed := a.Engine.EvaluateAt(context.Background(), at); failed != 0 {
		t.Fatal("re-evaluation failed")
	}
	r, _ := a.Engine.Result("ha-availability")
	total := rawTruthIn(t, prom, "ha_requests_total", at, 10*time.Minute)
	bad := rawTruthIn(t, prom, "ha_errors_total", at, 10*time.Minute)
	if r.Events.Total != total || r.Events.Bad() != bad || total == 0 {
		t.Errorf("at %s: %v total, %v bad; truth from the raw samples %v, %v", at.UTC().Format(time.TimeOnly), r.Events.Total, r.Events.Bad(), total, bad)
	}
	if want := bad / total / 0.01; math.Abs(r.BurnRates["5m"]-want) > 1e-12*want {
		t.Errorf("5m burn rate %v, truth %v", r.BurnRates["5m"], want)
	}
	t.Logf("%d common instants identical (%d of them whole, the rest but for the incidents while a replica read its past); at the last, %v total and %v bad (truth %v, %v)", len(common), whole, r.Events.Total, r.Events.Bad(), total, bad)
}

// seenResult is a replica's result at one instant: whole, and without the
// incidents and the note about them, with whether the replica had read its
// window's past by then.
type seenResult struct {
	whole, withoutIncidents string
	pastRead                bool
}

func newSeenResult(t *testing.T, r slo.Result) seenResult {
	out := seenResult{whole: mustJSON(t, r), pastRead: r.Incidents != nil && r.Incidents.Complete}
	r.Incidents = nil
	var notes []string
	for _, n := range r.Notes {
		if !strings.HasPrefix(n, "incidents known since ") {
			notes = append(notes, n)
		}
	}
	r.Notes = notes
	out.withoutIncidents = mustJSON(t, r)
	return out
}
