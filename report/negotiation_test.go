package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestNegotiationLinesUnderTheSLO: a calendar month in Berlin with one
// exclusion prints the period and the exclusion, in Berlin's time, under
// the SLO in the table and the markdown. The expected lines are written by
// hand: 23:00 UTC on 31 October is midnight CET, 01:00-03:00 UTC on 2
// November is 02:00-04:00 CET.
func TestNegotiationLinesUnderTheSLO(t *testing.T) {
	at := mustTime(t, "2026-11-03T00:00:00Z")
	sli := 0.999
	r := slo.Result{
		Name: "berlin", Service: "shop", Objective: 0.999, Window: "1M", WindowSeconds: 30 * 86400,
		SLI: &sli, Events: slo.Counts{Good: 287_712, Total: 288_000}, BudgetRemaining: 0.5,
		BudgetTotalSeconds: 2592, BudgetRemainingSeconds: 1296, Policy: "default", PolicyState: "healthy",
		PolicyStates: []string{"healthy"}, FeatureShare: 1, EvaluatedAt: at,
		PeriodStart: mustTime(t, "2026-10-31T23:00:00Z"), PeriodEnd: mustTime(t, "2026-11-30T23:00:00Z"), PeriodZone: "Europe/Berlin",
		Exclusions: []slo.ExcludedSpan{{
			From: mustTime(t, "2026-11-02T01:00:00Z"), To: mustTime(t, "2026-11-02T03:00:00Z"),
			Reason: "DB migration", ApprovedBy: "Jane", GoodEvents: 11_305, BadEvents: 1_234,
		}},
	}
	period := "calendar 1M window in Europe/Berlin: counting since 2026-11-01 00:00 CET; the budget resets at 2026-12-01 00:00 CET"
	excl := "excluded 1,234 bad and 11,305 good events 2026-11-02 02:00–04:00 CET: DB migration, approved by Jane"
	if v := Verdict(r, at); !strings.Contains(v, "50.0% budget left (21m 36s left of 43m 12s) after excluding 1,234 bad events (1 agreed exclusion)") {
		t.Errorf("verdict %q does not say what was excluded", v)
	}
	for _, format := range []string{"table", "markdown"} {
		var b bytes.Buffer
		if err := Write(&b, []slo.Result{r}, at, Options{Format: format}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{period, excl} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s report lacks %q:\n%s", format, want, b.String())
			}
		}
	}
}

// TestExclusionSpanAcrossDays names both dates, in UTC for a rolling window.
func TestExclusionSpanAcrossDays(t *testing.T) {
	e := slo.ExcludedSpan{From: mustTime(t, "2026-11-02T23:30:00Z"), To: mustTime(t, "2026-11-03T00:30:00Z"),
		Reason: "failover drill", ApprovedBy: "Ana", BadEvents: 7}
	want := "excluded 7 bad and 0 good events 2026-11-02 23:30 UTC – 2026-11-03 00:30 UTC: failover drill, approved by Ana"
	if got := ExclusionLine(e, time.UTC); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
