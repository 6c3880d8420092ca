package dashboards

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Template variable references as they appear inside queries. Grafana
// replaces them before the query reaches Prometheus; every one of them sits
// inside a label matcher's string, so the unreplaced query is valid PromQL
// too and the tests can parse it as written.
const (
	varService = "$service"
	varTeam    = "$team"
	varSLO     = "$slo"
)

// qb builds the queries that collapse replicas to one series per SLO
// instance. An SLO with grouping has one instance per group, its series
// carrying the group labels (README "Grouping"): every collapse keeps the
// grouping labels of the config's SLOs, so a grouped SLO shows one row or
// line per group and never the max over its groups. For an SLO without
// grouping the labels are absent and change nothing.
type qb struct{ groups []string }

func newQB(cfg *slo.Config) qb {
	seen := map[string]bool{}
	var q qb
	for _, s := range cfg.SLOs {
		for _, l := range s.Grouping {
			if !seen[l] {
				seen[l] = true
				q.groups = append(q.groups, l)
			}
		}
	}
	sort.Strings(q.groups)
	return q
}

// by returns labels followed by the grouping labels, for a by (...) or
// on (...) clause; labels may be empty.
func (q qb) by(labels string) string {
	parts := []string{}
	if labels != "" {
		parts = append(parts, labels)
	}
	return strings.Join(append(parts, q.groups...), ", ")
}

// max is "max", or "max by (route)" to keep the grouping labels.
func (q qb) max() string {
	if len(q.groups) == 0 {
		return "max"
	}
	return "max by (" + q.by("") + ") "
}

// legend appends the grouping labels to a legend format.
func (q qb) legend(base string) string {
	for _, l := range q.groups {
		base += " {{" + l + "}}"
	}
	return strings.TrimSpace(base)
}

// overviewSel selects a metric for the SLOs the overview's service and team
// filters allow. The team is a user label, which only slo_info carries, so
// the filter joins on the SLO's identity. `and` keeps the left side's labels
// and values and tolerates several slo_info series per SLO.
func overviewSel(metric, extra string) string {
	return fmt.Sprintf(`%s{service=~"%s"%s} and on (service, slo) slo_info{team=~"%s"}`, metric, varService, extra, varTeam)
}

// perSLO collapses a filtered metric to one series per SLO. Two slobudget
// replicas scraped into one Prometheus export the same SLO twice (with
// different instance labels); max by (service, slo) counts it once and lets
// the table join its columns on the SLO.
func (q qb) perSLO(metric, extra string) string {
	return fmt.Sprintf("max by (%s) (%s)", q.by("service, slo"), overviewSel(metric, extra))
}

// countOrZero sums per-SLO 0/1 flags; an empty selection means zero SLOs,
// which a stat panel must show as 0, not as "No data".
func (q qb) countOrZero(metric, extra string) string {
	return fmt.Sprintf("sum(%s) or vector(0)", q.perSLO(metric, extra))
}

// complianceExpr is the share of SLOs whose SLI over the SLO window meets
// the objective. Both sides are reduced to one series per SLO first, so the
// comparison matches exactly on (service, slo) whatever other labels the
// scrape added; an SLO without traffic has no SLI and counts as not
// meeting. The numerator falls back to 0 so that "none meet" reads 0%.
func (q qb) complianceExpr() string {
	return fmt.Sprintf("(count(%s >= on (%s) %s) or vector(0)) / count(%s)",
		q.perSLO("slo_sli_ratio", ""), q.by("service, slo"), q.perSLO("slo_objective_ratio", ""), q.perSLO("slo_objective_ratio", ""))
}

// detailSel selects a metric of the SLO chosen on the detail dashboard.
func detailSel(metric, extra string) string {
	return fmt.Sprintf(`%s{service=~"%s", slo="%s"%s}`, metric, varService, varSLO, extra)
}

// detailOne is one SLO's series of a metric without extra labels, as one
// series even when several slobudget replicas are scraped.
func (q qb) detailOne(metric string) string {
	return fmt.Sprintf("max by (%s) (%s)", q.by("service, slo"), detailSel(metric, ""))
}

// windowsOf returns the distinct SLO windows of cfg, as the config spells
// them, with their durations, sorted by duration then spelling.
func windowsOf(cfg *slo.Config) []slo.Window {
	seen := map[string]bool{}
	var out []slo.Window
	for _, s := range cfg.SLOs {
		if seen[s.Window.Text] {
			continue
		}
		seen[s.Window.Text] = true
		out = append(out, s.Window)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Duration != out[j].Duration {
			return out[i].Duration < out[j].Duration
		}
		return out[i].Text < out[j].Text
	})
	return out
}

// severityPairs returns the alert window pairs of one severity. The long and
// short windows of the pairs do not depend on the SLO window, only their
// factors do, so any window gives the same list of windows.
func severityPairs(severity string) []slo.AlertPair {
	var out []slo.AlertPair
	for _, p := range slo.AlertPairs(30 * 24 * time.Hour) {
		if p.Severity == severity {
			out = append(out, p)
		}
	}
	return out
}

// thresholdExpr draws the burn-rate factor of the pair-th pair of severity
// as a constant series for the chosen SLO. The factor depends on the SLO's
// window (f × window / long), which only the generator knows as a number;
// slo_info carries the window as a label, so there is one branch per window
// the config uses and exactly one of them selects the chosen SLO. Factors
// come from slo.AlertPairs, the same source as the generated alert rules.
func thresholdExpr(windows []slo.Window, severity string, pair int) string {
	var branches []string
	for _, w := range windows {
		var sevPairs []slo.AlertPair
		for _, p := range slo.AlertPairs(w.Duration) {
			if p.Severity == severity {
				sevPairs = append(sevPairs, p)
			}
		}
		factor := strconv.FormatFloat(sevPairs[pair].Factor, 'g', -1, 64)
		branches = append(branches, fmt.Sprintf("%s * group(%s)", factor, detailSel("slo_info", fmt.Sprintf(`, window="%s"`, w.Text))))
	}
	return strings.Join(branches, " or ")
}

// windowRegex matches the window label of the burn rates a severity's
// alert pairs read, long windows first.
func windowRegex(pairs []slo.AlertPair) string {
	var parts []string
	for _, p := range pairs {
		parts = append(parts, slo.WindowLabel(p.Long), slo.WindowLabel(p.Short))
	}
	return strings.Join(parts, "|")
}
