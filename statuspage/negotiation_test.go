package statuspage

import (
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/slobudget/slobudget/slo"
)

// TestExclusionAndPeriodShown: an SLO with an agreed exclusion shows it
// under its row on the overview and in its details, with the count, the
// span, the reason and the approver; its calendar period is in the details.
// The lines are written by hand (times in Berlin's CET).
func TestExclusionAndPeriodShown(t *testing.T) {
	sli := 0.9995
	r := slo.Result{
		Name: "berlin", Service: "shop", Objective: 0.999, Window: "1M", WindowSeconds: 30 * 86400,
		SLI: &sli, Events: slo.Counts{Good: 19_990, Total: 20_000}, BudgetRemaining: 0.5,
		BudgetTotalSeconds: 2592, BudgetRemainingSeconds: 1296, Policy: "default", PolicyState: "healthy",
		PolicyStates: []string{"healthy"}, FeatureShare: 1, EvaluatedAt: testNow,
		PeriodStart: time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC),
		PeriodZone: "Europe/Berlin",
		Exclusions: []slo.ExcludedSpan{{
			From: time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 3, 3, 0, 0, 0, time.UTC),
			Reason: "DB migration", ApprovedBy: "Jane", GoodEvents: 56_000, BadEvents: 1_234,
		}},
	}
	excl := "excluded 1,234 bad and 56,000 good events 2026-03-03 02:00–04:00 CET: DB migration, approved by Jane"
	period := "calendar 1M window in Europe/Berlin: counting since 2026-03-01 00:00 CET; the budget resets at 2026-04-01 00:00 CEST"
	h := newTestHandler(t, []slo.Result{r}, Options{})

	_, body := get(t, h, "/")
	lines := findAll(parse(t, body), byClass("exclusion"))
	if len(lines) != 1 || text(lines[0]) != excl || attr(lines[0], "data-for") != "berlin" {
		t.Errorf("overview exclusion rows %d, first %q; want one for berlin: %q", len(lines), firstText(lines), excl)
	}

	_, body = get(t, h, "/?slo=berlin")
	doc := parse(t, body)
	details := byID(doc, "details")
	if details == nil {
		t.Fatal("no details section")
	}
	found := map[string]bool{}
	for _, dd := range findAll(details, byTag("dd")) {
		found[text(dd)] = true
	}
	for _, want := range []string{excl, period} {
		if !found[want] {
			t.Errorf("details lack %q", want)
		}
	}
}

func firstText(ns []*html.Node) string {
	if len(ns) == 0 {
		return ""
	}
	return text(ns[0])
}
