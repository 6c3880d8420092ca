package engine

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

// groupedConfig is one SLO grouped by route over a one-day window.
func groupedConfig(extra string) string {
	return `
slos:
  - name: api
    service: api
    objective: 99
    window: 1d
    grouping: [route]` + extra + `
    sli:
      events:
        errors: http_requests_total{code="500"}
        total: http_requests_total
`
}

// routeSeries is one series the test writes: a counter growing by inc
// every minute from first to last (ms, inclusive).
type routeSeries struct {
	route, code string
	inc         float64
	first, last int64
}

// groupsFixture writes the series into a memory store and keeps their
// samples, from which truth computes the expected counts independently of
// the engine.
type groupsFixture struct {
	store   *memory.Store
	samples map[routeSeries][]backend.Sample
}

func newGroupsFixture(series []routeSeries) *groupsFixture {
	f := &groupsFixture{store: memory.New(), samples: map[routeSeries][]backend.Sample{}}
	for _, s := range series {
		v := 100.0 // not 0: a counter seen mid-life
		var out []backend.Sample
		for t := s.first; t <= s.last; t += 60_000 {
			out = append(out, backend.Sample{T: t, V: v})
			v += s.inc
		}
		f.samples[s] = out
		f.store.Add(labels.FromStrings("__name__", "http_requests_total", "route", s.route, "code", s.code), out...)
	}
	return f
}

// truth sums, over the route's series (only code 500 when errorsOnly), the
// increase between each sample and the one before it for every sample in
// (from, to]: a series' first sample is its baseline.
func (f *groupsFixture) truth(route string, errorsOnly bool, from, to int64) float64 {
	sum := 0.0
	for s, ss := range f.samples {
		if s.route != route || (errorsOnly && s.code != "500") {
			continue
		}
		for i := 1; i < len(ss); i++ {
			if ss[i].T > from && ss[i].T <= to {
				sum += ss[i].V - ss[i-1].V
			}
		}
	}
	return sum
}

func instances(e *Engine, name string) map[string]slo.Result {
	out := map[string]slo.Result{}
	for _, r := range e.Results() {
		if r.Name == name {
			out[r.ID()] = r
		}
	}
	return out
}

func TestGroupingOneBudgetPerRoute(t *testing.T) {
	const hour, day = int64(3600_000), int64(24 * 3600_000)
	t0 := int64(1_700_006_400_000) // a multiple of an hour
	start, end := t0-2*day, t0+27*hour
	f := newGroupsFixture([]routeSeries{
		{"/a", "200", 10, start, end}, {"/a", "500", 1, start, end},
		{"/b", "200", 20, start, t0}, {"/b", "500", 2, start, t0}, // stops at t0
		{"/c", "200", 4, t0 + hour, end}, {"/c", "500", 3, t0 + hour, end}, // born an hour after t0
	})
	e, err := New(loadConfig(t, groupedConfig("")), Options{Source: f.store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(at int64, want []string) {
		t.Helper()
		if failed := e.EvaluateAt(ctx, time.UnixMilli(at)); failed != 0 {
			t.Fatalf("evaluation at %d failed: %+v", at, e.Results())
		}
		got := instances(e, "api")
		if len(got) != len(want) {
			t.Fatalf("at %s: instances %v, want %v", time.UnixMilli(at).UTC(), keys(got), want)
		}
		for _, route := range want {
			key := `api{route="` + route + `"}`
			r, ok := got[key]
			if !ok {
				t.Fatalf("no instance %s among %v", key, keys(got))
			}
			total := f.truth(route, false, at-day, at)
			bad := f.truth(route, true, at-day, at)
			if r.Events.Total != total || r.Events.Bad() != bad {
				t.Errorf("%s: events good %v total %v, want good %v total %v", key, r.Events.Good, r.Events.Total, total-bad, total)
			}
			wantSLI := 1 - bad/total
			if r.SLI == nil || math.Abs(*r.SLI-wantSLI) > 1e-15 {
				t.Errorf("%s: SLI %v, want %v", key, r.SLI, wantSLI)
			}
			wantBurn := (f.truth(route, true, at-hour, at) / f.truth(route, false, at-hour, at)) / 0.01
			if got := r.BurnRates["1h"]; math.Abs(got-wantBurn) > 1e-12 {
				t.Errorf("%s: 1h burn rate %v, want %v", key, got, wantBurn)
			}
			if r.Group["route"] != route || r.Instance != key {
				t.Errorf("%s: group %v instance %q", key, r.Group, r.Instance)
			}
			if r.Groups == nil || r.Groups.Found != len(want) || r.Groups.Evaluated != len(want) || r.Groups.Max != 100 {
				t.Errorf("%s: groups %+v, want %d found and evaluated of at most 100", key, r.Groups, len(want))
			}
			if one, ok := e.Result(key); !ok || one.Instance != key {
				t.Errorf("Result(%q) = %v, %v", key, one.Instance, ok)
			}
		}
	}
	check(t0, []string{"/a", "/b"})
	// 26 hours later /b has had no sample for more than the window: gone;
	// /c, born since, has its own budget from its first increase.
	check(t0+26*hour, []string{"/a", "/c"})
}

func keys(m map[string]slo.Result) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestGroupingKeepsTheFirstMaxGroupsByValue(t *testing.T) {
	const day = int64(24 * 3600_000)
	at := int64(1_700_006_400_000)
	var series []routeSeries
	for _, route := range []string{"/d", "/b", "/a", "/c", "/e"} {
		series = append(series, routeSeries{route, "200", 7, at - 2*day, at}, routeSeries{route, "500", 1, at - 2*day, at})
	}
	f := newGroupsFixture(series)
	e, err := New(loadConfig(t, groupedConfig("\n    maxGroups: 2")), Options{Source: f.store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if failed := e.EvaluateAt(context.Background(), time.UnixMilli(at)); failed != 0 {
		t.Fatal("evaluation failed")
	}
	got := instances(e, "api")
	if len(got) != 2 {
		t.Fatalf("instances %v, want the first two by route", keys(got))
	}
	for _, route := range []string{"/a", "/b"} {
		r, ok := got[`api{route="`+route+`"}`]
		if !ok {
			t.Fatalf("route %s not kept: %v", route, keys(got))
		}
		if r.Events.Total != f.truth(route, false, at-day, at) {
			t.Errorf("%s: total %v, want %v", route, r.Events.Total, f.truth(route, false, at-day, at))
		}
		if *r.Groups != (slo.GroupCount{Found: 5, Evaluated: 2, Max: 2}) {
			t.Errorf("%s: groups %+v", route, *r.Groups)
		}
		note := strings.Join(r.Notes, "\n")
		want := fmt.Sprintf(`the window holds 5 groups, more than maxGroups 2; only the first 2 by label values are evaluated, 3 are left out (from {route="/c"}, {route="/d"}, {route="/e"})`)
		if !strings.Contains(note, want) {
			t.Errorf("%s: notes %q do not say %q", route, note, want)
		}
	}
}

func TestGroupingWithoutDataSaysNoData(t *testing.T) {
	at := int64(1_700_006_400_000)
	e, err := New(loadConfig(t, groupedConfig("")), Options{Source: memory.New(), Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.EvaluateAt(context.Background(), time.UnixMilli(at))
	got := instances(e, "api")
	r, ok := got["api"]
	if len(got) != 1 || !ok || !r.DataMissing || r.HasNumbers() {
		t.Fatalf("results %+v, want one no-data result named api", got)
	}
}

// TestGroupingReload keeps a grouped SLO's per-group counts across a reload
// that changes only the objective, and starts afresh when the grouping
// changes.
func TestGroupingReload(t *testing.T) {
	const day = int64(24 * 3600_000)
	at := int64(1_700_006_400_000)
	f := newGroupsFixture([]routeSeries{
		{"/a", "200", 10, at - 2*day, at + day}, {"/a", "500", 1, at - 2*day, at + day},
		{"/b", "200", 20, at - 2*day, at + day}, {"/b", "500", 2, at - 2*day, at + day},
	})
	e, err := New(loadConfig(t, groupedConfig("")), Options{Source: f.store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.EvaluateAt(ctx, time.UnixMilli(at))
	groups := e.states["api"].groups
	counterA := groups.members[`route="/a"`].counter
	if err := e.SetConfig(loadConfig(t, strings.Replace(groupedConfig(""), "objective: 99", "objective: 99.5", 1))); err != nil {
		t.Fatal(err)
	}
	if e.states["api"].groups != groups || groups.members[`route="/a"`].counter != counterA {
		t.Fatal("an objective change dropped the groups' counts")
	}
	if r, _ := e.Result("api"); !r.EvaluatedAt.IsZero() || len(instances(e, "api")) != 1 {
		t.Errorf("after the objective change: %v instances, want one skeleton until the next evaluation", keys(instances(e, "api")))
	}
	next := at + 60_000
	e.EvaluateAt(ctx, time.UnixMilli(next))
	r, ok := e.Result(`api{route="/a"}`)
	if !ok || r.Objective != 0.995 || r.Events.Total != f.truth("/a", false, next-day, next) {
		t.Errorf("after the reload: %+v", r)
	}
	if err := e.SetConfig(loadConfig(t, strings.Replace(groupedConfig(""), "grouping: [route]", "grouping: [code]", 1))); err != nil {
		t.Fatal(err)
	}
	if e.states["api"].groups == groups {
		t.Fatal("a grouping change kept the old groups")
	}
	e.EvaluateAt(ctx, time.UnixMilli(next+60_000))
	if got := instances(e, "api"); len(got) != 2 || got[`api{code="500"}`].Events.Good != 0 {
		t.Errorf("grouped by code: %v", keys(got))
	}
}

// TestGroupingTimeSlices groups a time-slice SLI by pipeline: each
// pipeline's slices are judged by its own gauge alone.
func TestGroupingTimeSlices(t *testing.T) {
	const minute, day = int64(60_000), int64(24 * 3600_000)
	at := int64(1_700_006_400_000)
	store := memory.New()
	lag := func(pipeline string, ts int64) float64 {
		if pipeline == "b" && ts > at-100*minute && ts <= at-90*minute {
			return 1500 // b lags for ten minutes
		}
		return 60
	}
	for _, p := range []string{"a", "b"} {
		var ss []backend.Sample
		for ts := at - 2*day; ts <= at; ts += 15_000 {
			ss = append(ss, backend.Sample{T: ts, V: lag(p, ts)})
		}
		store.Add(labels.FromStrings("__name__", "pipeline_lag_seconds", "pipeline", p), ss...)
	}
	cfg := `
slos:
  - name: fresh
    service: data
    objective: 99
    window: 1d
    grouping: [pipeline]
    sli:
      timeslice:
        condition: pipeline_lag_seconds < 900
        slice: 1m
`
	e, err := New(loadConfig(t, cfg), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if failed := e.EvaluateAt(context.Background(), time.UnixMilli(at)); failed != 0 {
		t.Fatalf("evaluation failed: %+v", e.Results())
	}
	for _, p := range []string{"a", "b"} {
		// The truth: every 1m slice of the window, judged by the last
		// sample in it.
		var want slo.Counts
		for end := at - day + minute; end <= at; end += minute {
			last := end - end%15_000 // samples every 15s on the grid
			want.Total++
			if lag(p, last) < 900 {
				want.Good++
			}
		}
		r, ok := e.Result(`fresh{pipeline="` + p + `"}`)
		if !ok || r.Events != want {
			t.Errorf("pipeline %s: %v %+v, want %+v", p, ok, r.Events, want)
		}
	}
}
