package slo

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestResultJSONEvaluatedAt(t *testing.T) {
	never, err := json.Marshal(Result{Name: "a", BurnRates: map[string]float64{}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(never), `"evaluatedAt":null`) || strings.Contains(string(never), "0001-01-01") {
		t.Errorf("never-evaluated result: %s", never)
	}
	for _, key := range []string{"events", "budgetRemaining", "budgetRemainingSeconds", "policyState", "featureFreeze", "featureShare", "sli", "exhaustionSeconds"} {
		if !strings.Contains(string(never), `"`+key+`":null`) {
			t.Errorf("never-evaluated result has a value for %s: %s", key, never)
		}
	}
	at := time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC)
	done, err := json.Marshal(Result{Name: "a", EvaluatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(done), `"evaluatedAt"`) != 1 || !strings.Contains(string(done), `"evaluatedAt":"2026-11-22T10:00:30Z"`) {
		t.Errorf("evaluated result: %s", done)
	}
	if strings.Count(string(done), `"budgetRemaining":0`) != 1 || strings.Count(string(done), `"policyState"`) != 1 {
		t.Errorf("evaluated result must carry its numbers once each: %s", done)
	}
	var back Result
	if err := json.Unmarshal(done, &back); err != nil || !back.EvaluatedAt.Equal(at) || back.Name != "a" {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestWindowSpelledInHoursAlsoHasStandardLabel(t *testing.T) {
	s := &SLO{Name: "a", Service: "s", Objective: 99, Window: Window{Text: "72h", Duration: 72 * time.Hour}}
	p := DefaultPolicy()
	r, err := Evaluate(s, &p, Input{Window: Counts{Good: 990, Total: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	// 10 bad of 1000 over a 1% budget: burn 1.
	if r.BurnRates["72h"] != 1 || r.BurnRates["3d"] != 1 {
		t.Errorf("burn rates %v: want both 72h (the config's spelling) and 3d at 1", r.BurnRates)
	}
}
