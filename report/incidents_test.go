package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

func TestCapacityText(t *testing.T) {
	for _, c := range []struct {
		in   slo.Capacity
		want string
	}{
		{slo.Capacity{Features: 0.7, Reliability: 0.2, Innovation: 0.1}, "70% features, 20% reliability, 10% learning"},
		{slo.Capacity{Features: 0, Reliability: 1, Innovation: 0}, "0% features, 100% reliability, 0% learning"},
		{slo.Capacity{Features: 1.0 / 3, Reliability: 1.0 / 3, Innovation: 1.0 / 3}, "33.3% features, 33.3% reliability, 33.3% learning"},
	} {
		if got := CapacityText(c.in); got != c.want {
			t.Errorf("CapacityText(%+v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// incidentResult is a 30d result with two incidents, the first over 20% of
// a budget of 1,000 bad events (1,000,000 events at 99.9%).
func incidentResult() slo.Result {
	t0 := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	sli := 0.9995
	capacity := slo.Capacity{Features: 0.5, Reliability: 0.4, Innovation: 0.1}
	return slo.Result{
		Name: "checkout", Service: "checkout", Objective: 0.999, Window: "30d", WindowSeconds: 30 * 86400,
		SLI: &sli, Events: slo.Counts{Good: 999_500, Total: 1_000_000}, BudgetRemaining: 0.5,
		PolicyState: "caution", PolicyStates: []string{"healthy", "caution"}, FeatureShare: 0.5, Capacity: &capacity,
		EvaluatedAt: t0.Add(10 * 24 * time.Hour),
		Incidents: &slo.WindowIncidents{
			Complete: true, Threshold: 14.4, MergeGapSeconds: 1800, PostmortemShare: 0.2,
			Incidents: []slo.Incident{
				{Start: t0, End: t0.Add(90 * time.Minute), Events: slo.Counts{Good: 11_750, Total: 12_000},
					BudgetConsumed: 0.25, PeakBurn: 40, Postmortem: true},
				{Start: t0.Add(9 * 24 * time.Hour), End: t0.Add(9*24*time.Hour + 10*time.Minute), Events: slo.Counts{Good: 1_950, Total: 2_000},
					BudgetConsumed: 0.05, PeakBurn: 20.5, Active: true},
			},
		},
	}
}

func TestIncidentLinesInReport(t *testing.T) {
	r := incidentResult()
	want := []string{
		"capacity: 50% features, 40% reliability, 10% learning",
		"incidents: 2 in the 30d window, 1 over 20% of the budget: POSTMORTEM REQUIRED (5m burn above 14.4, spells under 30m apart merged)",
		"- 2026-11-29 14:00 UTC, in progress for 10m, 50 bad events, 5.0% of the budget, peak burn 20.5",
		"- 2026-11-20 14:00 UTC for 1h 30m, 250 bad events, 25.0% of the budget, peak burn 40.0, POSTMORTEM",
	}
	got := detailLines(r)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("detail lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var table, md bytes.Buffer
	if err := Write(&table, []slo.Result{r}, r.EvaluatedAt, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&md, []slo.Result{r}, r.EvaluatedAt, Options{Format: "markdown"}); err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if len(w) > lineWidth-4 {
			w = w[:strings.LastIndex(w[:lineWidth-4], " ")] // wrapped
		}
		if !strings.Contains(table.String(), "    "+w+"\n") {
			t.Errorf("table lacks %q:\n%s", w, table.String())
		}
	}
	if !strings.Contains(md.String(), "\n    - 2026-11-20 14:00 UTC for 1h 30m, 250 bad events, 25.0% of the budget, peak burn 40.0, POSTMORTEM\n") ||
		!strings.Contains(md.String(), "\n  - incidents: 2 in the 30d window") {
		t.Errorf("markdown lacks the incidents as nested items:\n%s", md.String())
	}
}

func TestIncidentsSummarySaysWhatIsNotKnown(t *testing.T) {
	r := incidentResult()
	r.Incidents.Incidents = nil
	r.Incidents.Complete = false
	r.Incidents.KnownFrom = time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)
	want := "incidents: none in the 30d window (5m burn above 14.4, spells under 30m apart merged); known only since 2026-11-29T02:00:00Z, the window's past is still being read"
	if got := IncidentsSummary(r); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	r.DataMissing = true
	if got := detailLines(r); len(got) != 0 {
		t.Errorf("no data: %q, want no capacity and no incidents", got)
	}
}

// TestIncidentListIsBounded: the latest five and every postmortem are
// listed, the rest counted.
func TestIncidentListIsBounded(t *testing.T) {
	r := incidentResult()
	first := r.Incidents.Incidents[0]
	var incs []slo.Incident
	incs = append(incs, first) // the postmortem, oldest
	for i := 1; i <= 8; i++ {
		inc := r.Incidents.Incidents[1]
		inc.Active = false
		inc.Start = first.Start.Add(time.Duration(i) * 24 * time.Hour)
		inc.End = inc.Start.Add(10 * time.Minute)
		incs = append(incs, inc)
	}
	r.Incidents.Incidents = incs
	lines := incidentLines(r)
	// summary + 5 latest + the postmortem + "and 3 earlier"
	if len(lines) != 8 || !strings.HasSuffix(lines[6], "POSTMORTEM") || lines[7] != "- and 3 earlier, smaller incidents" {
		t.Errorf("lines:\n%s", strings.Join(lines, "\n"))
	}
}
