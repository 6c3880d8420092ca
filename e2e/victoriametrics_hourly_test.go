package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/internal/promtest"
)

// flapTarget serves one counter growing by 5 per scrape, except while
// failing (503), when vmagent writes a staleness marker for it.
type flapTarget struct {
	mu      sync.Mutex
	v       float64
	failing bool
}

func (f *flapTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		http.Error(w, "flapping", http.StatusServiceUnavailable)
		return
	}
	f.v += 5
	fmt.Fprintf(w, "# TYPE flap_total counter\nflap_total %v\n", f.v)
}

func (f *flapTarget) setFailing(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = on
}

// TestHourlyIncreasesOnVictoriaMetrics checks the backend's hourly shortcut
// on VictoriaMetrics, whose rollup functions skip the staleness markers its
// raw reads return as NaN. A series has an hour of imported history and
// then live samples from vmagent, whose scrapes fail for a moment
// (staleness marker) and then succeed again with the counter further on.
// With --backend.flavor=victoriametrics the hour holding the marker is left
// out (the caller reads it raw, where the marker ends the run), while an
// hour without one still comes back with the exact increase. The plain
// Prometheus flavor returns the marked hour as clean, counting the jump
// across the marker: the quirk the flavor exists for.
func TestHourlyIncreasesOnVictoriaMetrics(t *testing.T) {
	vm := promtest.StartVictoriaMetrics(t, promtest.VMOptions{})
	target := &flapTarget{}
	srv := httptest.NewServer(target)
	defer srv.Close()
	instance := strings.TrimPrefix(srv.URL, "http://")

	// An hour and ten minutes of history a minute apart, growing by 3, in
	// the series vmagent will write: same job and instance labels.
	now := time.Now().Truncate(time.Second)
	var body strings.Builder
	v := 1000.0
	histEnd := now.Add(-time.Minute)
	for ts := now.Add(-70 * time.Minute); !ts.After(histEnd); ts = ts.Add(time.Minute) {
		fmt.Fprintf(&body, "flap_total{job=\"flap\",instance=%q} %v %d\n", instance, v, ts.UnixMilli())
		v += 3
	}
	target.v = v
	resp, err := http.Post(vm.URL+"/api/v1/import/prometheus", "text/plain", strings.NewReader(body.String()))
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("import: %v %v", err, resp)
	}
	resp.Body.Close()

	promtest.StartVMAgent(t, fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: flap\n    static_configs: [{targets: [%q]}]\n", instance),
		vm.URL+"/api/v1/write", "-remoteWrite.flushInterval=200ms")
	time.Sleep(4 * time.Second)
	target.setFailing(true)
	time.Sleep(2500 * time.Millisecond)
	target.setFailing(false)
	time.Sleep(4 * time.Second)
	vmGet(t, vm.URL+"/internal/force_flush")
	time.Sleep(time.Second)
	end := time.Now().Add(-time.Second).Truncate(time.Second)

	const sel = `flap_total{job="flap"}`
	nans := 0
	for _, s := range rawSamples(t, vm, sel, end.Add(-2*time.Minute), end) {
		for _, p := range s {
			if math.IsNaN(p[1]) {
				nans++
			}
		}
	}
	if nans == 0 {
		t.Fatal("no staleness marker (NaN) in VictoriaMetrics' raw read: the test proves nothing")
	}

	ctx := context.Background()
	vmFlavor, err := backend.NewPrometheus(backend.Options{URL: vm.URL, Flavor: string(backend.FlavorVictoriaMetrics)})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := backend.NewPrometheus(backend.Options{URL: vm.URL})
	if err != nil {
		t.Fatal(err)
	}
	// The hour ending at the history's last sample holds 60 steps of 3 and
	// no marker.
	clean, err := vmFlavor.HourlyIncreases(ctx, sel, histEnd, histEnd)
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := clean[histEnd.UnixMilli()]; !ok || h.Increase != 180 || !h.Sampled {
		t.Errorf("hour without a marker: %+v (present %v), want 180 sampled", h, ok)
	}
	marked, err := vmFlavor.HourlyIncreases(ctx, sel, end, end)
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := marked[end.UnixMilli()]; ok {
		t.Errorf("the hour holding %d staleness marker(s) came back as %+v; want it left out for a raw read", nans, h)
	}
	unaware, err := plain.HourlyIncreases(ctx, sel, end, end)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := unaware[end.UnixMilli()]; !ok {
		t.Log("the prometheus flavor also left the marked hour out: VictoriaMetrics' rollups no longer skip staleness markers?")
	}
}
