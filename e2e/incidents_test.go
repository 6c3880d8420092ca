package e2e

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/synth"
)

// truthIncident is an incident worked out from the generator's exact counts
// by the rule of docs/forecasts-and-review.md, written here afresh: a 5m
// bucket is hot when its burn rate exceeds the threshold; consecutive hot
// buckets are a spell; spells less than 30m apart are one incident.
type truthIncident struct {
	start, end time.Time
	bad, total float64
	peak       float64
}

func truthIncidents(d *synth.Data, sc *synth.Scenario, s synth.SLOSpec, at time.Time, threshold float64) []truthIncident {
	counts := d.Counts
	if s.TimeSlice != nil {
		counts = d.SliceCounts
	}
	budget := math.Round((100-s.Objective)*1e6) / 1e6 / 100 // 99.9 -> 0.001 without float noise
	grid := 5 * time.Minute
	lo := at.Add(-s.Window).Add(grid - time.Nanosecond).Truncate(grid)
	hi := at.Truncate(grid)
	var out []truthIncident
	var spellEnd time.Time
	for b := lo; b.Before(hi); b = b.Add(grid) {
		c := counts(sc, s, b, b.Add(grid))
		bad := c.Total - c.Good
		if c.Total <= 0 {
			continue
		}
		burn := bad / c.Total / budget
		if burn <= threshold {
			continue
		}
		if n := len(out); n > 0 && b.Sub(spellEnd) < 30*time.Minute {
			out[n-1].end = b.Add(grid)
			out[n-1].peak = math.Max(out[n-1].peak, burn)
		} else {
			out = append(out, truthIncident{start: b, end: b.Add(grid), peak: burn})
		}
		spellEnd = b.Add(grid)
	}
	for i := range out {
		c := counts(sc, s, out[i].start, out[i].end)
		out[i].bad, out[i].total = c.Total-c.Good, c.Total
	}
	return out
}

// TestServeIncidentsMatchTruth runs the daemon on the real Prometheus over
// the shared data set until it has read every SLO window's past, then
// compares every SLO's incidents (span, bad events, budget share, peak burn,
// postmortem flag) from the incidents API and /metrics with the truth.
func TestServeIncidentsMatchTruth(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{f.configYML},
		Backend:     backend.Options{URL: p.URL, Timeout: time.Minute, Concurrency: 4},
		Step:        30 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := evalAt.Add(-40 * time.Minute)
	start := time.Now()
	for i := 0; ; i++ {
		d.Engine.EvaluateAt(ctx, at)
		complete := true
		for _, r := range d.Engine.Results() {
			if r.HasNumbers() && (r.Incidents == nil || !r.Incidents.Complete) {
				complete = false
			}
		}
		if complete {
			break
		}
		if i > 70 {
			t.Fatal("the windows' past is not read after 70 evaluations")
		}
		at = at.Add(30 * time.Second)
	}
	t.Logf("read every window's 5m counts in %s, up to %s", time.Since(start).Round(time.Millisecond), at.Format(time.RFC3339))

	// report's one-shot engine reads the whole window in its single
	// evaluation and must find the same incidents.
	oneShot, err := engine.New(d.Engine.Config(), engine.Options{Source: newPromSource(t, p.URL), OneShot: true, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	oneShot.EvaluateAt(ctx, at)
	for _, r := range oneShot.Results() {
		daemon, _ := d.Engine.Result(r.Name)
		if (r.Incidents == nil) != (daemon.Incidents == nil) {
			t.Fatalf("%s: report incidents %v, daemon %v", r.Name, r.Incidents, daemon.Incidents)
		}
		if r.Incidents == nil {
			continue
		}
		if !r.Incidents.Complete || len(r.Incidents.Incidents) != len(daemon.Incidents.Incidents) {
			t.Errorf("%s: report complete %v with %d incidents, daemon %d", r.Name, r.Incidents.Complete, len(r.Incidents.Incidents), len(daemon.Incidents.Incidents))
			continue
		}
		for i, inc := range r.Incidents.Incidents {
			if want := daemon.Incidents.Incidents[i]; !inc.Start.Equal(want.Start) || !inc.End.Equal(want.End) || inc.Events != want.Events ||
				inc.BudgetConsumed != want.BudgetConsumed || inc.PeakBurn != want.PeakBurn || inc.Postmortem != want.Postmortem {
				t.Errorf("%s incident %d: report %+v, daemon %+v", r.Name, i, inc, want)
			}
		}
	}

	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	metrics := scrapeMetrics(t, srv.URL)
	withIncidents := 0
	for _, sc := range f.data.Scenarios {
		for _, s := range sc.SLOs {
			t.Run(s.Name, func(t *testing.T) {
				r, ok := d.Engine.Result(s.Name)
				if !ok {
					t.Fatal("not evaluated")
				}
				if r.Error != "" {
					t.Fatalf("evaluation failed: %s", r.Error)
				}
				if !r.HasNumbers() {
					if r.Incidents != nil {
						t.Errorf("no numbers, but incidents %+v", r.Incidents)
					}
					return
				}
				threshold := r.Incidents.Threshold
				if s.Window == 30*24*time.Hour && threshold != 14.4 {
					t.Fatalf("threshold %v, want the 30d page factor 14.4", threshold)
				}
				counts := f.data.Counts
				if s.TimeSlice != nil {
					counts = f.data.SliceCounts
				}
				window := counts(sc, s, at.Add(-s.Window), at)
				budget := math.Round((100-s.Objective)*1e6) / 1e6 / 100
				want := truthIncidents(f.data, sc, s, at, threshold)
				var got struct {
					Incidents []struct {
						Start, End                          time.Time
						BadEvents, BudgetConsumed, PeakBurn float64
						Postmortem                          bool
						Events                              struct{ Total float64 }
					}
				}
				getJSON(t, srv.URL+"/api/v1/slos/"+s.Name+"/incidents", &got)
				if len(got.Incidents) != len(want) {
					t.Fatalf("%d incidents, want %d: got %+v want %+v", len(got.Incidents), len(want), got.Incidents, want)
				}
				postmortem := false
				for i, w := range want {
					g := got.Incidents[i]
					share := w.bad / (budget * window.Total)
					postmortem = postmortem || share > 0.2
					if !g.Start.Equal(w.start) || !g.End.Equal(w.end) || g.BadEvents != w.bad || g.Events.Total != w.total {
						t.Errorf("incident %d: (%s, %s] %v bad of %v, want (%s, %s] %v of %v", i, g.Start, g.End, g.BadEvents, g.Events.Total, w.start, w.end, w.bad, w.total)
					}
					if math.Abs(g.BudgetConsumed-share) > 1e-9*share || g.Postmortem != (share > 0.2) || math.Abs(g.PeakBurn-w.peak) > 1e-9*w.peak {
						t.Errorf("incident %d: share %v peak %v postmortem %v, want %v %v %v", i, g.BudgetConsumed, g.PeakBurn, g.Postmortem, share, w.peak, share > 0.2)
					}
				}
				t.Logf("%d incidents, postmortem %v", len(want), postmortem)
				m := metrics[s.Name]
				if m["slo_postmortem_required"] != boolValue(postmortem) {
					t.Errorf("slo_postmortem_required %v, want %v", m["slo_postmortem_required"], postmortem)
				}
				if len(want) > 0 {
					withIncidents++
					last := want[len(want)-1]
					if share := last.bad / (budget * window.Total); math.Abs(m["slo_incident_budget_consumed_ratio"]-share) > 1e-9*share {
						t.Errorf("slo_incident_budget_consumed_ratio %v, want %v", m["slo_incident_budget_consumed_ratio"], share)
					}
					if m["slo_incident_active"] != boolValue(last.end.Equal(at.Truncate(5*time.Minute))) {
						t.Errorf("slo_incident_active %v with the last incident ending %s", m["slo_incident_active"], last.end)
					}
				}
			})
		}
	}
	if withIncidents < 2 {
		t.Errorf("only %d SLOs have incidents; the data set has a peak and a night incident at least", withIncidents)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, url)), v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// scrapeMetrics parses /metrics into SLO name -> series name -> value, for
// the series with no label besides service and slo.
func scrapeMetrics(t *testing.T, base string) map[string]map[string]float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(get(t, base+"/metrics")))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for name, mf := range fams {
		for _, m := range mf.Metric {
			if len(m.Label) != 2 {
				continue
			}
			sloName := ""
			for _, lp := range m.Label {
				if lp.GetName() == "slo" {
					sloName = lp.GetValue()
				}
			}
			if out[sloName] == nil {
				out[sloName] = map[string]float64{}
			}
			out[sloName][name] = m.GetGauge().GetValue()
		}
	}
	return out
}

func newPromSource(t *testing.T, url string) backend.Source {
	t.Helper()
	src, err := backend.NewPrometheus(backend.Options{URL: url, Timeout: time.Minute, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	return src
}
