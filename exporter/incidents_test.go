package exporter

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/promapi"
	"github.com/slobudget/slobudget/statuspage"
)

const incidentsYAML = `
slos:
  - name: shop
    service: shop
    objective: 99
    window: 7d
    incidents: {burnRate: 10}
    sli:
      events:
        errors: shop_errors_total
        total: shop_requests_total
`

// incidentsEnd is a 5m edge: the scenario's spells sit on 5m edges before it.
const incidentsEnd = int64(1_700_000_100_000)

// burst is a stretch (from, to] of samples, minutes after incidentsEnd
// (negative: before), with perMinute errors a sample.
type burst struct {
	from, to  time.Duration
	perMinute float64
}

// incidentBursts: 1,000 requests a minute, 1 error a minute, and these.
// With objective 99 and burnRate 10 a 5m bucket is hot above 10% errors.
var incidentBursts = []burst{
	{-7*24*time.Hour - 2*time.Hour, -7*24*time.Hour - time.Hour, 400},                   // before the window
	{-7*24*time.Hour - 10*time.Minute, -7*24*time.Hour + 20*time.Minute, 400},           // cut by the window's start
	{-3 * 24 * time.Hour, -3*24*time.Hour + time.Hour, 400},                             // A: 40% errors...
	{-3*24*time.Hour + 80*time.Minute, -3*24*time.Hour + 90*time.Minute, 400},           // ...and 20m later again: one incident
	{-2 * 24 * time.Hour, -2*24*time.Hour + 30*time.Minute, 50},                         // 5%: burn 5, not hot
	{-2*24*time.Hour + 3*time.Hour, -2*24*time.Hour + 3*time.Hour + 5*time.Minute, 100}, // exactly burn 10: not hot
	{-24 * time.Hour, -24*time.Hour + 10*time.Minute, 200},                              // B: burn 20
	{-24*time.Hour + 40*time.Minute, -24*time.Hour + 50*time.Minute, 200},               // C: 30m after B, not merged
	{-20 * time.Minute, time.Hour, 300},                                                 // in progress
}

func incidentsDaemon(t *testing.T) (*Daemon, map[string]countergen.Counter) {
	t.Helper()
	start, dataEnd := incidentsEnd-8*24*3600_000, incidentsEnd+3600_000
	errorsAt := func(ts int64) float64 {
		for _, b := range incidentBursts {
			if ts > incidentsEnd+b.from.Milliseconds() && ts <= incidentsEnd+b.to.Milliseconds() {
				return b.perMinute
			}
		}
		return 1
	}
	// Requests vary from minute to minute (1,000 to 1,010), so the window's
	// total moves as it slides, except in the bucket at exactly burn 10.
	exact := incidentBursts[5]
	requestsAt := func(ts int64) float64 {
		if ts > incidentsEnd+exact.from.Milliseconds() && ts <= incidentsEnd+exact.to.Milliseconds() {
			return 1000
		}
		return 1000 + float64((ts/60_000)%11)
	}
	store := memory.New()
	cs := map[string]countergen.Counter{
		"shop_requests_total": perSample(start, dataEnd, requestsAt),
		"shop_errors_total":   perSample(start, dataEnd, errorsAt),
	}
	for name, c := range cs {
		c.Store(store, "__name__", name)
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	t.Cleanup(srv.Close)
	cfgFile := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfgFile, []byte(incidentsYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(DaemonOptions{ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: srv.URL, Timeout: 10 * time.Second},
		Step: 30 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	d.StatusPage = d.NewStatusPage(statuspage.Options{})
	return d, cs
}

// wantIncident is an incident of the truth: its span worked out by hand
// from the bursts, and whether it is in progress.
type wantIncident struct {
	start, end time.Time
	active     bool
}

type apiIncidents struct {
	Detected           bool    `json:"detected"`
	Complete           bool    `json:"complete"`
	Note               string  `json:"note"`
	PostmortemRequired *bool   `json:"postmortemRequired"`
	Active             bool    `json:"active"`
	Threshold          float64 `json:"threshold"`
	MergeGapSeconds    float64 `json:"mergeGapSeconds"`
	PostmortemShare    float64 `json:"postmortemShare"`
	KnownFrom          time.Time
	Incidents          []struct {
		Start           time.Time `json:"start"`
		End             time.Time `json:"end"`
		DurationSeconds float64   `json:"durationSeconds"`
		BadEvents       float64   `json:"badEvents"`
		BudgetConsumed  float64   `json:"budgetConsumed"`
		PeakBurn        float64   `json:"peakBurn"`
		Postmortem      bool      `json:"postmortem"`
		Active          bool      `json:"active"`
		Events          struct{ Good, Total float64 }
	} `json:"incidents"`
}

func getIncidents(t *testing.T, d *Daemon) apiIncidents {
	t.Helper()
	code, body := request(t, d, "GET", "/api/v1/slos/shop/incidents")
	if code != 200 {
		t.Fatalf("incidents API: %d %s", code, body)
	}
	var got apiIncidents
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestDaemonIncidentsMatchTruth: the incidents the daemon finds in its 5m
// counts, their bad events and budget shares, and the series exported from
// them equal what the generated events say, before and after the window's
// past has been read.
func TestDaemonIncidentsMatchTruth(t *testing.T) {
	d, cs := incidentsDaemon(t)
	ctx := context.Background()
	end := time.UnixMilli(incidentsEnd).UTC()
	at := end
	if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
		t.Fatalf("evaluation failed: %+v", d.Engine.Results())
	}

	// First evaluation: the last 12 hours are known, the spell in progress
	// is, the 28% incident three days ago is not yet: no postmortem answer.
	first := getIncidents(t, d)
	if !first.Detected || first.Complete || first.PostmortemRequired != nil || !strings.Contains(first.Note, "known since") {
		t.Errorf("first evaluation: detected %v complete %v postmortem %v note %q; want detected, incomplete, no postmortem answer, said so",
			first.Detected, first.Complete, first.PostmortemRequired, first.Note)
	}
	if !first.KnownFrom.Equal(end.Add(-backfillHours)) {
		t.Errorf("first evaluation knows from %s, want %s", first.KnownFrom, end.Add(-backfillHours))
	}
	m := scrapeBySLO(t, d)["shop"]
	if _, ok := m["slo_postmortem_required"]; ok {
		t.Errorf("slo_postmortem_required = %v before the window's past was read; want absent", m["slo_postmortem_required"])
	}
	if m["slo_incident_active"] != 1 {
		t.Errorf("slo_incident_active = %v, want 1", m["slo_incident_active"])
	}

	for i := 0; ; i++ {
		if got := getIncidents(t, d); got.Complete {
			break
		}
		if i > 20 {
			t.Fatal("the window's past is still not read after 20 evaluations")
		}
		at = at.Add(30 * time.Second)
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("evaluation failed: %+v", d.Engine.Results())
		}
	}

	// Two evaluations within one 5m bucket: the second finds the same
	// buckets and scores the incidents it found against its own window.
	eval := func() {
		at = at.Add(30 * time.Second)
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("evaluation failed: %+v", d.Engine.Results())
		}
	}
	for m := at.Sub(at.Truncate(5 * time.Minute)); m < 30*time.Second || m > 4*time.Minute; m = at.Sub(at.Truncate(5 * time.Minute)) {
		eval()
	}
	before := getIncidents(t, d)
	eval()
	if after := getIncidents(t, d); after.Incidents[0].BudgetConsumed == before.Incidents[0].BudgetConsumed {
		t.Errorf("the shares did not follow the window's total from one evaluation to the next: %v", after.Incidents[0].BudgetConsumed)
	}

	// The truth at the final instant, from the generated events.
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	windowTotal := countergen.In([]countergen.Counter{cs["shop_requests_total"]}, ms(at)-7*24*3600_000, ms(at))
	windowBad := countergen.In([]countergen.Counter{cs["shop_errors_total"]}, ms(at)-7*24*3600_000, ms(at))
	lastBucket := at.Truncate(5 * time.Minute)
	firstEdge := at.Add(-7 * 24 * time.Hour).Truncate(5 * time.Minute).Add(5 * time.Minute)
	if at.Add(-7 * 24 * time.Hour).Equal(firstEdge.Add(-5 * time.Minute)) {
		firstEdge = firstEdge.Add(-5 * time.Minute)
	}
	rel := func(d time.Duration) time.Time { return end.Add(d) }
	want := []wantIncident{
		{firstEdge, rel(-7*24*time.Hour + 20*time.Minute), false},
		{rel(-3 * 24 * time.Hour), rel(-3*24*time.Hour + 90*time.Minute), false},
		{rel(-24 * time.Hour), rel(-24*time.Hour + 10*time.Minute), false},
		{rel(-24*time.Hour + 40*time.Minute), rel(-24*time.Hour + 50*time.Minute), false},
		{rel(-20 * time.Minute), lastBucket, true},
	}
	got := getIncidents(t, d)
	if len(got.Incidents) != len(want) {
		t.Fatalf("%d incidents, want %d: %+v", len(got.Incidents), len(want), got.Incidents)
	}
	postmortems := 0
	for i, w := range want {
		g := got.Incidents[i]
		bad := countergen.In([]countergen.Counter{cs["shop_errors_total"]}, ms(w.start), ms(w.end))
		total := countergen.In([]countergen.Counter{cs["shop_requests_total"]}, ms(w.start), ms(w.end))
		share := bad / (0.01 * windowTotal)
		if !g.Start.Equal(w.start) || !g.End.Equal(w.end) || g.DurationSeconds != w.end.Sub(w.start).Seconds() {
			t.Errorf("incident %d: (%s, %s] %vs, want (%s, %s]", i, g.Start, g.End, g.DurationSeconds, w.start, w.end)
		}
		if g.BadEvents != bad || g.Events.Total != total || g.Events.Good != total-bad {
			t.Errorf("incident %d: bad %v of %v (good %v), want %v of %v", i, g.BadEvents, g.Events.Total, g.Events.Good, bad, total)
		}
		if math.Abs(g.BudgetConsumed-share) > 1e-12*share || g.Postmortem != (share > 0.2) {
			t.Errorf("incident %d: consumed %v postmortem %v, want %v", i, g.BudgetConsumed, g.Postmortem, share)
		}
		// The peak: the highest 5m error ratio over the budget (1%).
		peak := 0.0
		for b := w.start; b.Before(w.end); b = b.Add(5 * time.Minute) {
			bb := countergen.In([]countergen.Counter{cs["shop_errors_total"]}, ms(b), ms(b)+300_000)
			bt := countergen.In([]countergen.Counter{cs["shop_requests_total"]}, ms(b), ms(b)+300_000)
			peak = math.Max(peak, bb/bt/0.01)
		}
		if math.Abs(g.PeakBurn-peak) > 1e-12*peak || g.Active != w.active {
			t.Errorf("incident %d: peak %v active %v, want %v %v", i, g.PeakBurn, g.Active, peak, w.active)
		}
		if share > 0.2 {
			postmortems++
		}
	}
	if postmortems != 1 {
		t.Fatalf("the scenario needs exactly one incident over 20%%, has %d", postmortems)
	}
	if got.PostmortemRequired == nil || !*got.PostmortemRequired || !got.Active || got.Threshold != 10 || got.MergeGapSeconds != 1800 || got.PostmortemShare != 0.2 {
		t.Errorf("API: postmortem %v active %v threshold %v gap %v share %v", got.PostmortemRequired, got.Active, got.Threshold, got.MergeGapSeconds, got.PostmortemShare)
	}

	m = scrapeBySLO(t, d)["shop"]
	lastShare := countergen.In([]countergen.Counter{cs["shop_errors_total"]}, ms(want[4].start), ms(want[4].end)) / (0.01 * windowTotal)
	if m["slo_incident_active"] != 1 || m["slo_postmortem_required"] != 1 || math.Abs(m["slo_incident_budget_consumed_ratio"]-lastShare) > 1e-12*lastShare {
		t.Errorf("metrics: active %v postmortem %v consumed %v; want 1, 1, %v", m["slo_incident_active"], m["slo_postmortem_required"], m["slo_incident_budget_consumed_ratio"], lastShare)
	}

	// Capacity: the state the remaining budget puts the SLO in, by the
	// default policy's thresholds (caution from 25% to 50%: 50/40/10).
	remaining := 1 - windowBad/(0.01*windowTotal)
	if remaining < 0.25 || remaining >= 0.5 {
		t.Fatalf("the scenario leaves %v of the budget; it needs the caution state", remaining)
	}
	for kind, v := range map[string]float64{"features": 0.5, "reliability": 0.4, "innovation": 0.1} {
		if got := m["slo_capacity_ratio{"+kind+"}"]; got != v {
			t.Errorf("slo_capacity_ratio{kind=%q} = %v, want %v", kind, got, v)
		}
	}
}

// TestIncidentsOnStatusPageAndHistory: the detail view lists the capacity
// split and the incidents the API serves, its charts mark each of them, and
// the history API carries the same incidents.
func TestIncidentsOnStatusPageAndHistory(t *testing.T) {
	d, _ := incidentsDaemon(t)
	ctx := context.Background()
	at := time.UnixMilli(incidentsEnd).UTC()
	for i := 0; i < 20; i++ {
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("evaluation failed: %+v", d.Engine.Results())
		}
		if getIncidents(t, d).Complete {
			break
		}
		at = at.Add(30 * time.Second)
	}
	api := getIncidents(t, d)
	if !api.Complete || len(api.Incidents) != 5 {
		t.Fatalf("API: complete %v, %d incidents; the scenario has 5", api.Complete, len(api.Incidents))
	}
	_, page := request(t, d, "GET", "/slo/shop")
	for _, want := range []string{
		`<dt>Capacity</dt><dd class="capacity">50% features, 40% reliability, 10% learning</dd>`,
		`<dd class="incidents postmortem">incidents: 5 in the 7d window, 1 over 20% of the budget: POSTMORTEM REQUIRED`,
		`<li class="postmortem">` + api.Incidents[1].Start.Format("2006-01-02 15:04 UTC") + ` for 1h 30m,`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the detail view lacks %s", want)
		}
	}
	if n := strings.Count(page, `data-mark="incident"`); n == 0 || n%len(api.Incidents) != 0 {
		t.Errorf("%d incident marks on the detail charts, want a multiple of %d", n, len(api.Incidents))
	}
	_, body := request(t, d, "GET", "/api/v1/slos/shop/history")
	var hist struct {
		Incidents []struct{ Start, End time.Time }
	}
	if err := json.Unmarshal([]byte(body), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Incidents) != len(api.Incidents) {
		t.Fatalf("history API has %d incidents, incidents API %d", len(hist.Incidents), len(api.Incidents))
	}
	for i := range hist.Incidents {
		if !hist.Incidents[i].Start.Equal(api.Incidents[i].Start) || !hist.Incidents[i].End.Equal(api.Incidents[i].End) {
			t.Errorf("incident %d: history (%s, %s], incidents API (%s, %s]", i, hist.Incidents[i].Start, hist.Incidents[i].End, api.Incidents[i].Start, api.Incidents[i].End)
		}
	}
}

// backfillHours is what the first evaluation reads of the window's past.
const backfillHours = 12 * time.Hour
