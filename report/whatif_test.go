package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// TestWhatIfSideBySide: 700 bad of 1e6 over 30d is 30.0% of a 99.9% budget
// left (caution) and 86.0% of a 99.5% one (healthy); 1,200 bad of 1e6 is
// overspent at 99.9% (-20.0%, frozen) and 76.0% left at 99.5%. Outage time
// at 99.5% over 30d: 0.86 × 12,960 s = 11,145.6 s → "3h 6m left of 3h 36m".
func TestWhatIfSideBySide(t *testing.T) {
	const day = 24 * time.Hour
	actual := []slo.Result{
		evaluated(t, "a-availability", "a", 99.9, 30*day, reportAt, events(1e6, 700), nil),
		evaluated(t, "b-availability", "b", 99.9, 30*day, reportAt, events(1e6, 1200), nil),
	}
	wi := WhatIf{ObjectivePercent: 99.5, SLOs: []slo.Result{
		evaluated(t, "a-availability", "a", 99.5, 30*day, reportAt, events(1e6, 700), nil),
		evaluated(t, "b-availability", "b", 99.5, 30*day, reportAt, events(1e6, 1200), nil),
	}}
	var buf bytes.Buffer
	if err := WriteWhatIf(&buf, actual, wi, reportAt, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, render(t, "table", actual)) {
		t.Errorf("the what-if table does not start with the real report:\n%s", out)
	}
	_, section, ok := strings.Cut(out, "What-if: the same events under a 99.5% objective\n")
	if !ok {
		t.Fatalf("no what-if section:\n%s", out)
	}
	want := [][]string{
		// worst first: b (frozen) before a
		{"b-availability", "actual", "99.9%", "30d", "-20.0%", "overspent by", "frozen", "FREEZE"},
		{"b-availability", "what-if", "99.5%", "30d", "76.0%", "left of 3h 36m", "healthy", "no"},
		{"a-availability", "actual", "99.9%", "30d", "30.0%", "left of 43m 12s", "caution", "no"},
		{"a-availability", "what-if", "99.5%", "30d", "86.0%", "3h 6m left of 3h 36m", "healthy", "no"},
	}
	lines := strings.Split(strings.TrimSpace(section), "\n")
	if len(lines) != 1+len(want) {
		t.Fatalf("what-if section has %d lines, want %d:\n%s", len(lines), 1+len(want), section)
	}
	for i, cells := range want {
		for _, c := range cells {
			if !strings.Contains(lines[i+1], c) {
				t.Errorf("row %d %q lacks %q", i, lines[i+1], c)
			}
		}
	}

	buf.Reset()
	if err := WriteWhatIf(&buf, actual, wi, reportAt, Options{Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SLOs   []slo.Result `json:"slos"`
		WhatIf WhatIf       `json:"whatIf"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.SLOs) != 2 || len(doc.WhatIf.SLOs) != 2 || doc.WhatIf.ObjectivePercent != 99.5 ||
		!sameFloat(doc.WhatIf.SLOs[1].BudgetRemaining, 0.86) || !sameFloat(doc.SLOs[0].BudgetRemaining, -0.2) {
		t.Errorf("json what-if: %+v", doc)
	}

	buf.Reset()
	if err := WriteWhatIf(&buf, actual, wi, reportAt, Options{Format: "markdown"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "### What-if: the same events under a 99.5% objective") ||
		!strings.Contains(buf.String(), "| a-availability | what-if | 99.5% | 30d | 86.0% |") {
		t.Errorf("markdown what-if:\n%s", buf.String())
	}
}

func sameFloat(a, b float64) bool { d := a - b; return d < 1e-12 && d > -1e-12 }
