package slo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWorstFirstOrder(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ok := func(name string, remaining float64, page bool) Result {
		return Result{Name: name, EvaluatedAt: at, BudgetRemaining: remaining, Alerts: Alerts{Page: page}}
	}
	failed := func(r Result) Result { r.Error = "connection refused"; return r }
	// Each line names the rule that puts it there; the literal order below
	// is written by hand from the rules in order.go, not by the comparator.
	results := []Result{
		ok("healthy-b", 0.8, false),
		ok("healthy-a", 0.8, false),  // same budget: by name
		ok("overspent", -0.2, false), // lowest budget of the current ones
		ok("paging-rich", 0.9, true), // paging beats any budget
		ok("paging-poor", 0.1, true), // two paging: by budget
		failed(ok("stale-rich", 0.9, false)),
		failed(ok("stale-paging", 0.95, true)), // stale group, paging first inside it
		{Name: "never", Error: "no such host"}, // no numbers
		{Name: "missing", EvaluatedAt: at, DataMissing: true, BudgetRemaining: 1},
		{Name: "zero-traffic", EvaluatedAt: at, BudgetRemaining: 1}, // has data: sorts by budget
	}
	want := "missing never stale-paging stale-rich paging-poor paging-rich overspent healthy-a healthy-b zero-traffic"
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(results), func(i, j int) { results[i], results[j] = results[j], results[i] })
		got := slices.Clone(results)
		SortWorstFirst(got)
		var names []string
		for _, r := range got {
			names = append(names, r.Name)
		}
		if strings.Join(names, " ") != want {
			t.Fatalf("order\n got %s\nwant %s", strings.Join(names, " "), want)
		}
	}
}

func TestWorstFirstCustomStale(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	old := Result{Name: "old", EvaluatedAt: at.Add(-time.Hour), BudgetRemaining: 0.9}
	fresh := Result{Name: "fresh", EvaluatedAt: at, BudgetRemaining: 0.1}
	cmpFn := WorstFirst(func(r Result) bool { return at.Sub(r.EvaluatedAt) > 5*time.Minute })
	if cmpFn(old, fresh) >= 0 {
		t.Error("numbers an hour old must sort before fresh ones when the caller calls them stale")
	}
	if WorstFirst(nil)(old, fresh) <= 0 {
		t.Error("without a stale rule, the lower budget sorts first")
	}
}

func TestWorstFirstTiesByService(t *testing.T) {
	a := Result{Name: "x", Service: "b", DataMissing: true}
	b := Result{Name: "x", Service: "a", DataMissing: true}
	if WorstFirst(nil)(a, b) <= 0 {
		t.Error("same name: service a sorts before b")
	}
}
