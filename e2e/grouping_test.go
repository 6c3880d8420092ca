package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
)

// groupedSeries is one counter the grouping test writes: route, code, and
// its value at each minute (NaN-free; a drop is a counter reset).
type groupedSeries struct {
	route, code string
	values      map[int64]float64 // by timestamp in seconds
}

// groupedData is three routes of two counters each, one sample a minute for
// three days up to end (seconds): /b's counter resets 5h before the end and
// /old stops 30h before it.
func groupedData() (all []*groupedSeries, start, end int64) {
	end = time.Now().Add(-3 * time.Hour).Truncate(time.Hour).Unix() // before now
	start = end - 3*24*3600
	add := func(route, code string, from, to int64, perMinute float64, resetAt int64) {
		s := &groupedSeries{route: route, code: code, values: map[int64]float64{}}
		v := 1000.0
		for ts := from; ts <= to; ts += 60 {
			if ts == resetAt {
				v = 3 // restarted: counts from zero again
			}
			s.values[ts] = v
			v += perMinute
		}
		all = append(all, s)
	}
	add("/a", "200", start, end, 50, 0)
	add("/a", "500", start, end, 2, 0)
	add("/b", "200", start, end, 30, end-5*3600) // a reset 5h before the end
	add("/b", "500", start, end, 1, 0)
	add("/old", "200", start, end-30*3600, 9, 0) // stopped 30h before the end
	add("/old", "500", start, end-30*3600, 9, 0)
	return all, start, end
}

// groupedText writes the series as Prometheus text with timestamps: in
// seconds for promtool's OpenMetrics backfill, in milliseconds for
// VictoriaMetrics's import.
func groupedText(all []*groupedSeries, millis bool) string {
	var om strings.Builder
	om.WriteString("# TYPE http_requests_total counter\n")
	for _, s := range all {
		ts := make([]int64, 0, len(s.values))
		for t := range s.values {
			ts = append(ts, t)
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		for _, t := range ts {
			stamp := t
			if millis {
				stamp *= 1000
			}
			fmt.Fprintf(&om, "http_requests_total{route=%q,code=%q} %g %d\n", s.route, s.code, s.values[t], stamp)
		}
	}
	return om.String()
}

// TestReportGroupsMatchTruth backfills the three routes into a real
// Prometheus and checks the grouped report (checkGroupedReport).
func TestReportGroupsMatchTruth(t *testing.T) {
	bin := buildSlobudget(t)
	all, start, end := groupedData()
	dir := t.TempDir()
	omPath, data := filepath.Join(dir, "data.om"), filepath.Join(dir, "tsdb")
	if err := os.WriteFile(omPath, []byte(groupedText(all, false)+"# EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	promtest.Backfill(t, omPath, data)
	p := promtest.StartPrometheus(t, promtest.Options{DataDir: data})
	checkGroupedReport(t, bin, p.URL, all, start, end)
}

// TestReportGroupsOnVictoriaMetrics imports the same routes into a real
// VictoriaMetrics: the same budgets per route.
func TestReportGroupsOnVictoriaMetrics(t *testing.T) {
	bin := buildSlobudget(t)
	all, start, end := groupedData()
	vm := promtest.StartVictoriaMetrics(t, promtest.VMOptions{})
	resp, err := http.Post(vm.URL+"/api/v1/import/prometheus", "text/plain", strings.NewReader(groupedText(all, true)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("import: HTTP %d", resp.StatusCode)
	}
	if resp, err := http.Get(vm.URL + "/internal/force_flush"); err == nil {
		resp.Body.Close()
	}
	time.Sleep(time.Second) // new samples become searchable about a second after a flush
	checkGroupedReport(t, bin, vm.URL, all, start, end)
}

// checkGroupedReport checks that `slobudget report` gives one budget per
// route that still has data, each with the counts summed from the samples
// written, keeps the first maxGroups routes by value when limited, and
// reads Pyrra's grouping the same way.
func checkGroupedReport(t *testing.T, bin, url string, all []*groupedSeries, start, end int64) {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "slos.yml")
	cfg := `
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
  - name: api-limited
    service: api
    objective: 99
    window: 1d
    grouping: [route]
    maxGroups: 1
    sli:
      events:
        errors: http_requests_total{code="500"}
        total: http_requests_total
`
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Unix(end-3600+30, 0) // off the sample grid
	// truth: the increase of every sample in (at−1d, at] over the one
	// before it, a drop counting the new value (docs/counting.md).
	truth := func(route string, errorsOnly bool) float64 {
		lo, hi := at.Unix()-24*3600, at.Unix()
		sum := 0.0
		for _, s := range all {
			if s.route != route || (errorsOnly && s.code != "500") {
				continue
			}
			for ts := start + 60; ts <= end; ts += 60 {
				prev, okPrev := s.values[ts-60]
				v, ok := s.values[ts]
				if !ok || !okPrev || ts <= lo || ts > hi {
					continue
				}
				if v < prev {
					sum += v
				} else {
					sum += v - prev
				}
			}
		}
		return sum
	}
	reported := runGroupedReport(t, bin, config, url, at)
	want := map[string][]string{"api": {"/a", "/b"}, "api-limited": {"/a"}}
	for name, routes := range want {
		got := reported[name]
		if len(got) != len(routes) {
			t.Fatalf("%s: instances %v, want routes %v", name, instanceNames(got), routes)
		}
		for i, route := range routes {
			r := got[i]
			total, bad := truth(route, false), truth(route, true)
			if r.Group["route"] != route || r.Events == nil || *r.Events.Total != total || *r.Events.Good != total-bad {
				t.Errorf("%s %s: group %v events %+v, want total %v good %v", name, route, r.Group, r.Events, total, total-bad)
			}
			if r.SLI == nil || !within(*r.SLI, 1-bad/total) {
				t.Errorf("%s %s: SLI %v, want %v", name, route, r.SLI, 1-bad/total)
			}
		}
	}
	// The same SLO as Pyrra writes it: the same budget per route.
	pyrra := filepath.Join(dir, "pyrra.yml")
	if err := os.WriteFile(pyrra, []byte(`apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-pyrra
  labels:
    pyrra.dev/service: api
spec:
  target: "99"
  window: 1d
  indicator:
    ratio:
      errors:
        metric: http_requests_total{code="500"}
      total:
        metric: http_requests_total
      grouping: [route]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	fromPyrra := runGroupedReport(t, bin, pyrra, url, at)["api-pyrra"]
	if len(fromPyrra) != 2 {
		t.Fatalf("Pyrra SLO: instances %v, want /a and /b", instanceNames(fromPyrra))
	}
	for i, route := range want["api"] {
		r, native := fromPyrra[i], reported["api"][i]
		if r.Group["route"] != route || *r.Events.Total != *native.Events.Total || *r.Events.Good != *native.Events.Good ||
			*r.BudgetRemaining != *native.BudgetRemaining {
			t.Errorf("Pyrra %s: group %v events %+v budget %v, native events %+v budget %v", route, r.Group, r.Events, *r.BudgetRemaining, native.Events, *native.BudgetRemaining)
		}
	}
	limited := reported["api-limited"][0]
	if limited.Groups == nil || limited.Groups.Found != 2 || limited.Groups.Evaluated != 1 ||
		!strings.Contains(strings.Join(limited.Notes, " "), `1 are left out (from {route="/b"})`) {
		t.Errorf("api-limited: groups %+v notes %q", limited.Groups, limited.Notes)
	}
}

type groupedReported struct {
	reportedSLO
	Group  map[string]string `json:"group"`
	Groups *struct {
		Found, Evaluated, Max int
	} `json:"groups"`
	Notes []string `json:"notes"`
}

func instanceNames(rs []groupedReported) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprint(r.Group))
	}
	return out
}

// runGroupedReport runs `slobudget report --format=json` and returns the
// instances of each SLO in the order printed.
func runGroupedReport(t *testing.T, bin, config, promURL string, at time.Time) map[string][]groupedReported {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "report", "--config.file="+config, "--prometheus.url="+promURL,
		"--time="+at.Format(time.RFC3339), "--format=json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s\nstdout:\n%.2000s", cmd, err, stderr.String(), stdout.String())
	}
	var report struct {
		SLOs []groupedReported `json:"slos"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("report --format=json: %v\n%.2000s", err, stdout.String())
	}
	out := map[string][]groupedReported{}
	for _, r := range report.SLOs {
		out[r.Name] = append(out[r.Name], r)
	}
	return out
}
