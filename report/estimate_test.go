package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// TestEstimateIsFlagged: an estimated SLO shows its SLI as "~97.50%" in the
// table and markdown with its note, its verdict (gate) says so, and JSON
// says "exact": false; an exact one shows none of it and says "exact": true.
func TestEstimateIsFlagged(t *testing.T) {
	at := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	def := &slo.SLO{Name: "ratio", Service: "api", Objective: 99, Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour}}
	pol := slo.DefaultPolicy()
	r, err := slo.Evaluate(def, &pol, slo.Input{At: at, Window: slo.Counts{Good: 97.5, Total: 100}})
	if err != nil {
		t.Fatal(err)
	}
	exact := r
	exact.Name = "counted"
	r.Estimate = true
	r.Notes = []string{"estimate: Prometheus evaluated the expression hourly"}
	for _, format := range []string{"table", "markdown"} {
		var buf bytes.Buffer
		if err := Write(&buf, []slo.Result{r, exact}, at, Options{Format: format}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Count(out, "~97.50%") != 1 || !strings.Contains(out, "estimate: Prometheus evaluated the expression hourly") {
			t.Errorf("%s: want the estimate's SLI as ~97.50%% once, and its note:\n%s", format, out)
		}
	}
	if v := Verdict(r, at); !strings.Contains(v, "an estimate (exact: false)") {
		t.Errorf("verdict %q does not say it is an estimate", v)
	}
	if v := Verdict(exact, at); strings.Contains(v, "estimate") {
		t.Errorf("verdict of an exact SLO %q mentions an estimate", v)
	}
	var buf bytes.Buffer
	if err := Write(&buf, []slo.Result{r, exact}, at, Options{Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		SLOs []struct {
			Name  string `json:"name"`
			Exact *bool  `json:"exact"`
		} `json:"slos"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, s := range got.SLOs {
		if s.Exact == nil || *s.Exact != (s.Name == "counted") {
			t.Errorf("%s: exact %v", s.Name, s.Exact)
		}
	}
}
