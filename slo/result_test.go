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
	at := time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC)
	done, err := json.Marshal(Result{Name: "a", EvaluatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(done), `"evaluatedAt"`) != 1 || !strings.Contains(string(done), `"evaluatedAt":"2026-11-22T10:00:30Z"`) {
		t.Errorf("evaluated result: %s", done)
	}
	var back Result
	if err := json.Unmarshal(done, &back); err != nil || !back.EvaluatedAt.Equal(at) || back.Name != "a" {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}
