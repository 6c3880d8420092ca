package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/slo"
)

const reloadBase = `
slos:
  - name: api
    service: api
    description: API answers
    objective: 99
    window: 7d
    labels: {team: a}
    sli:
      events:
        errors: errors_a
        total: total
`

func loadConfig(t testing.TB, yml string) *slo.Config {
	t.Helper()
	cfg, err := slo.Parse("slos.yml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// reloadStore holds a week of steady traffic with two error counters, so a
// selector change has a different, known answer.
func reloadStore(end int64) (*memory.Store, map[string]countergen.Counter) {
	store := memory.New()
	start := end - 8*24*3600*1000
	cs := map[string]countergen.Counter{
		"total":    countergen.Steady(start, end, 60_000, 1000),
		"errors_a": countergen.Steady(start, end, 60_000, 3),
		"errors_b": countergen.Steady(start, end, 60_000, 7),
	}
	for name, c := range cs {
		c.Store(store, "__name__", name)
	}
	return store, cs
}

func TestReloadDropsOnlyWhatChanged(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, cs := reloadStore(end)
	e, err := New(loadConfig(t, reloadBase), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.UnixMilli(end - 3600_000)
	if failed := e.EvaluateAt(ctx, at); failed != 0 {
		t.Fatal("first evaluation failed")
	}
	first, _ := e.Result("api")
	// The incident ledger reads the window's past over several
	// evaluations; once it has, nothing of the history is read again.
	for first.Incidents == nil || !first.Incidents.Complete {
		at = at.Add(30 * time.Second)
		if failed := e.EvaluateAt(ctx, at); failed != 0 {
			t.Fatal("evaluation failed")
		}
		first, _ = e.Result("api")
	}
	counter := e.states["api"].counter
	window := int64(7 * 24 * 3600 * 1000)
	want := func(errors string, at time.Time) slo.Counts {
		total := countergen.In([]countergen.Counter{cs["total"]}, at.UnixMilli()-window, at.UnixMilli())
		bad := countergen.In([]countergen.Counter{cs[errors]}, at.UnixMilli()-window, at.UnixMilli())
		return slo.Counts{Good: total - bad, Total: total}
	}
	if first.Events != want("errors_a", at) {
		t.Fatalf("first evaluation: %+v, want %+v", first.Events, want("errors_a", at))
	}

	// Description and labels: the numbers and the history stay, the new
	// text shows at once.
	if err := e.SetConfig(loadConfig(t, strings.NewReplacer("API answers", "The API answers", "team: a", "team: b").Replace(reloadBase))); err != nil {
		t.Fatal(err)
	}
	r, _ := e.Result("api")
	if !r.EvaluatedAt.Equal(first.EvaluatedAt) || r.Events != first.Events || r.Description != "The API answers" || r.Labels["team"] != "b" {
		t.Errorf("after a description/labels change: evaluatedAt %s events %+v description %q labels %v", r.EvaluatedAt, r.Events, r.Description, r.Labels)
	}
	if e.states["api"].counter != counter {
		t.Error("a description change dropped the counts")
	}

	// The objective: the old figures go at once, the counts stay.
	if err := e.SetConfig(loadConfig(t, strings.Replace(reloadBase, "objective: 99", "objective: 99.5", 1))); err != nil {
		t.Fatal(err)
	}
	r, _ = e.Result("api")
	if !r.EvaluatedAt.IsZero() || r.Objective != 0.995 || r.SLI != nil {
		t.Errorf("after an objective change: evaluatedAt %s objective %v sli %v, want no figures until evaluated", r.EvaluatedAt, r.Objective, r.SLI)
	}
	if e.states["api"].counter != counter {
		t.Error("an objective change dropped the counts, which do not depend on it")
	}
	q0, _ := store.Reads()
	at = at.Add(30 * time.Second)
	e.EvaluateAt(ctx, at)
	if q1, _ := store.Reads(); q1-q0 > 4 {
		t.Errorf("the evaluation after an objective change sent %d queries: history was read again", q1-q0)
	}
	r, _ = e.Result("api")
	if r.EvaluatedAt.IsZero() || r.Events != want("errors_a", at) || r.Objective != 0.995 {
		t.Errorf("evaluated after the objective change: %+v objective %v", r.Events, r.Objective)
	}

	// A selector: everything goes at once, and the new selector is counted.
	changed := strings.Replace(strings.Replace(reloadBase, "objective: 99", "objective: 99.5", 1), "errors_a", "errors_b", 1)
	if err := e.SetConfig(loadConfig(t, changed)); err != nil {
		t.Fatal(err)
	}
	r, _ = e.Result("api")
	if !r.EvaluatedAt.IsZero() || e.states["api"].counter == counter {
		t.Errorf("after a selector change: evaluatedAt %s, same counter %v", r.EvaluatedAt, e.states["api"].counter == counter)
	}
	at = at.Add(30 * time.Second)
	e.EvaluateAt(ctx, at)
	if r, _ = e.Result("api"); r.Events != want("errors_b", at) {
		t.Errorf("after a selector change: %+v, want %+v", r.Events, want("errors_b", at))
	}

	// The window: the counts go too.
	counter = e.states["api"].counter
	if err := e.SetConfig(loadConfig(t, strings.Replace(changed, "window: 7d", "window: 6d", 1))); err != nil {
		t.Fatal(err)
	}
	if r, _ = e.Result("api"); !r.EvaluatedAt.IsZero() || e.states["api"].counter == counter || r.Window != "6d" {
		t.Errorf("after a window change: evaluatedAt %s window %s, same counter %v", r.EvaluatedAt, r.Window, e.states["api"].counter == counter)
	}
}

// An evaluation that was running while a reload changed the SLO must not
// publish figures of the old definition.
func TestEvaluationDuringReloadIsDiscardedWhenTheDefinitionChanged(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, _ := reloadStore(end)
	gate := &gatedSource{Store: store, release: make(chan struct{}), entered: make(chan struct{}, 100)}
	e, err := New(loadConfig(t, reloadBase), Options{Source: gate, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { e.EvaluateAt(context.Background(), time.UnixMilli(end)); close(done) }()
	<-gate.entered
	if err := e.SetConfig(loadConfig(t, strings.Replace(reloadBase, "objective: 99", "objective: 99.9", 1))); err != nil {
		t.Fatal(err)
	}
	close(gate.release)
	<-done
	if r, _ := e.Result("api"); !r.EvaluatedAt.IsZero() {
		t.Errorf("figures of the old objective published after the reload: objective %v evaluated at %s", r.Objective, r.EvaluatedAt)
	}
}

type gatedSource struct {
	*memory.Store
	release chan struct{}
	entered chan struct{}
}

func (g *gatedSource) Samples(ctx context.Context, sel string, from, to time.Time) ([]backend.Series, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Store.Samples(ctx, sel, from, to)
}
