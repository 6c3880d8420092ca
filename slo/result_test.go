package slo

import (
	"encoding/json"
	"math"
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

// decodeKeys marshals r and returns its top-level keys as raw JSON.
func decodeKeys(t *testing.T, r Result) map[string]string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range raw {
		out[k] = string(v)
	}
	return out
}

func TestResultJSONDataMissing(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// What the engine produces when the total selector matches nothing: it
	// still evaluated (Prometheus answered), and Evaluate ran over zero
	// counts, so the Go fields hold a "healthy, 100% left" that must not leak.
	s := &SLO{Name: "a", Service: "s", Objective: 99.9, Window: Window{Text: "30d", Duration: 30 * 24 * time.Hour}}
	p := DefaultPolicy()
	r, err := Evaluate(s, &p, Input{At: at})
	if err != nil {
		t.Fatal(err)
	}
	r.DataMissing, r.MissingSelector = true, `http_requests_total{service="a"}`
	r.SetCoverage(0)
	r.RecoverySeconds = map[string]float64{}
	got := decodeKeys(t, r)
	want := map[string]string{
		"dataMissing": "true", "missingSelector": `"http_requests_total{service=\"a\"}"`,
		"policyState": "null", "featureFreeze": "null", "featureShare": "null",
		"budgetRemaining": "null", "budgetRemainingSeconds": "null", "events": "null",
		"sli": "null", "exhaustionSeconds": "null", "recoverySeconds": "null",
		"provisional": "false", "evaluatedAt": `"2026-03-01T12:00:00Z"`, "failingSince": "null",
		"coverage": "0", "coveredSeconds": "0", "burnRates": "{}",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if _, ok := got["consequence"]; ok {
		t.Errorf("a data-missing SLO states a policy consequence: %s", got["consequence"])
	}
	if r.HasNumbers() {
		t.Error("HasNumbers is true for a data-missing result")
	}
}

func TestResultJSONTrustFields(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := &SLO{Name: "a", Service: "s", Objective: 99, Window: Window{Text: "30d", Duration: 30 * 24 * time.Hour}}
	p := DefaultPolicy()
	// 2 bad of 100 at 99%: remaining −1, frozen.
	r, err := Evaluate(s, &p, Input{At: at, Window: Counts{Good: 98, Total: 100}})
	if err != nil {
		t.Fatal(err)
	}
	r.SetCoverage(52 * time.Hour) // 2d 4h of 30d
	r.RecoverySeconds = map[string]float64{"at-risk": 3600}
	r.Error, r.FailingSince = "connection refused", at.Add(3*time.Minute)
	got := decodeKeys(t, r)
	// 52h / 720h, computed here by hand: 0.07222…
	want := map[string]string{
		"policyState": `"frozen"`, "featureFreeze": "true", "provisional": "true",
		"coveredSeconds": "187200", "recoverySeconds": `{"at-risk":3600}`,
		"failingSince": `"2026-03-01T12:03:00Z"`, "dataMissing": "false",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if got["coverage"] != "0.07222222222222222" {
		t.Errorf("coverage = %s, want 52/720", got["coverage"])
	}
	if _, ok := got["missingSelector"]; ok {
		t.Error("missingSelector present although data exists")
	}
	var back Result
	b, _ := json.Marshal(r)
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the JSON:\n%s\n%s", b, b2)
	}
}

func TestSetCoverage(t *testing.T) {
	const w = 30 * 24 * time.Hour
	cases := []struct {
		covered     time.Duration
		ratio       float64
		provisional bool
	}{
		{48 * time.Hour, 48.0 / 720, true}, // metrics began 2 days ago: 0.0667
		{w / 2, 0.5, false},                // exactly half: not provisional
		{w/2 - time.Second, (360*3600 - 1) / (720.0 * 3600), true},
		{w, 1, false},
		{2 * w, 1, false},     // clamped: data older than the window
		{-time.Hour, 0, true}, // clock skew: clamped to none
	}
	for _, c := range cases {
		r := Result{WindowSeconds: w.Seconds()}
		r.SetCoverage(c.covered)
		if r.Coverage == nil || *r.Coverage != c.ratio || r.Provisional != c.provisional ||
			*r.CoveredSeconds != c.ratio*w.Seconds() {
			t.Errorf("SetCoverage(%s): coverage %v seconds %v provisional %v, want %v %v",
				c.covered, deref(r.Coverage), deref(r.CoveredSeconds), r.Provisional, c.ratio, c.provisional)
		}
	}
	var r Result
	r.SetCoverage(time.Hour)
	if r.Coverage != nil {
		t.Error("SetCoverage without a window recorded a coverage")
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestResultJSONInfiniteForecasts(t *testing.T) {
	inf := math.Inf(1)
	r := Result{Name: "a", EvaluatedAt: time.Unix(0, 0), ExhaustionSeconds: &inf,
		RecoverySeconds: map[string]float64{"caution": inf, "at-risk": 7200}}
	got := decodeKeys(t, r)
	if got["exhaustionSeconds"] != "null" || got["recoverySeconds"] != `{"at-risk":7200}` {
		t.Errorf("exhaustionSeconds %s, recoverySeconds %s", got["exhaustionSeconds"], got["recoverySeconds"])
	}
	if !math.IsInf(*r.ExhaustionSeconds, 1) || len(r.RecoverySeconds) != 2 {
		t.Error("marshalling changed the result")
	}
}
