package rules

import (
	"fmt"
	"strings"

	"github.com/slobudget/slobudget/slo"
)

// `slobudget rules --source=daemon`: the same alerts as the standalone rules
// (names, labels, annotations), computed from the metrics a running
// `slobudget serve` exports instead of from recording rules. The daemon reads
// the whole window from Prometheus itself, so the alerts are right from the
// first scrape of the daemon: no rules-backfill, no restart.
//
// Every figure is read through `max by (service, slo)`: replicas of the
// daemon (HA pairs, restarts, a rollout) export the same series with their
// own instance and pod labels, and one alert per SLO must come out. Replicas
// on the same evaluation grid export identical values, so the max is their
// value; while they disagree (one has not caught up yet) an alert holds when
// any replica says it does.

const alertPostmortem = "SLOPostmortemRequired"

// Daemon metric names, from the contract.
const (
	daemonBurn         = "slo_burn_rate"
	daemonAlertActive  = "slo_alert_active"
	daemonRemaining    = "slo_error_budget_remaining_ratio"
	daemonExhaustion   = "slo_error_budget_exhaustion_seconds"
	daemonPolicyState  = "slo_policy_state"
	daemonFreeze       = "slo_feature_freeze"
	daemonDataMissing  = "slo_data_missing"
	daemonEvalSuccess  = "slo_evaluation_success"
	daemonPostmortem   = "slo_postmortem_required"
	daemonIncidentUsed = "slo_incident_budget_consumed_ratio"
)

// daemonSource reads the daemon's metrics for one SLO.
type daemonSource struct{ r *sloRules }

// matchers is the SLO's matcher list plus extra name/value pairs, every value
// a PromQL string literal.
func (d daemonSource) matchers(extra ...string) string {
	parts := []string{"service=" + promQLString(d.r.s.Service), "slo=" + promQLString(d.r.s.Name)}
	for i := 0; i+1 < len(extra); i += 2 {
		parts = append(parts, extra[i]+"="+promQLString(extra[i+1]))
	}
	return strings.Join(parts, ",")
}

// by is the labels that identify one SLO instance among the daemon's
// series: service and slo, plus the grouping labels of a grouped SLO.
func (d daemonSource) by() string {
	return strings.Join(append([]string{"service", "slo"}, d.r.s.Grouping...), ", ")
}

// metric is one daemon metric of this SLO, deduplicated across replicas.
func (d daemonSource) metric(name string, extra ...string) string {
	return fmt.Sprintf("max by (%s) (%s{%s})", d.by(), name, d.matchers(extra...))
}

// burn holds while both windows' burn rates exceed the factor, as the
// standalone rule says, and the daemon's own decision for the severity
// agrees: the burn rates give the pair its labels and $value, the decision
// keeps the daemon authoritative (it is exactly the OR of the pairs).
func (d daemonSource) burn(p slo.AlertPair, _, _, factor string) string {
	return fmt.Sprintf("%s > %s\nand\n%s > %s\nand\n%s == 1",
		d.metric(daemonBurn, "window", slo.WindowLabel(p.Long)), factor,
		d.metric(daemonBurn, "window", slo.WindowLabel(p.Short)), factor,
		d.metric(daemonAlertActive, "severity", p.Severity))
}

// freeze holds while the daemon puts the SLO in state st and says the state
// freezes; the daemon already applies the policy's first-match order, so the
// thresholds are not repeated here. Its value is the remaining budget.
func (d daemonSource) freeze(st slo.PolicyState, _ *float64) string {
	return fmt.Sprintf("%s\nand\n%s == 1\nand\n%s == 1",
		d.metric(daemonRemaining), d.metric(daemonPolicyState, "state", st.Name), d.metric(daemonFreeze))
}

// missing fires in the three cases where the daemon has no decision for the
// SLO: it found no data (slo_data_missing), no replica evaluated it
// successfully (stale or not yet computed), or no daemon exports it at all
// (down, not scraped, or the SLO is not in its config). absent() of a
// selector copies its equality matchers, so it carries service and slo too.
func (d daemonSource) missing() (string, string, string) {
	r := d.r
	missing := d.metric(daemonDataMissing) + " == 1"
	failing := d.metric(daemonEvalSuccess) + " == 0"
	expr := fmt.Sprintf("%s\nor\n%s\nor\nabsent(%s{%s})", missing, failing, daemonEvalSuccess, d.matchers())
	summary := fmt.Sprintf("SLO %s (%s) has no data: the slobudget daemon has no budget figures for it", r.name(), r.service())
	desc := fmt.Sprintf("{{ with query %s }}The daemon found no data: the SLI's total selector matched no series with samples in the %s window."+
		"{{ else }}{{ with query %s }}The daemon's last evaluation of %s did not get all its data, so its figures are stale or absent; its notes on the status page say why."+
		"{{ else }}No slobudget daemon exports %s: it is down, not scraped by this Prometheus, or does not have the SLO in its config.{{ end }}{{ end }}"+
		" The error budget and burn rates of %s are unknown and its burn and freeze alerts cannot fire.",
		templateQuery(missing), templateText(r.s.Window.Text), templateQuery(failing), r.name(), r.name(), r.name())
	return expr, summary, desc
}

func (d daemonSource) remaining() string  { return d.metric(daemonRemaining) }
func (d daemonSource) exhaustion() string { return d.metric(daemonExhaustion) }

// The daemon's forecast is on the rolling window: errors leaving its
// trailing edge pay the budget back, so a slow burn may never exhaust it.
func (d daemonSource) neverExhausted() string {
	return "At the last hour's pace, with old errors leaving the window, it never runs out."
}

// postmortem is the ticket the daemon's incident tracking asks for; the
// standalone rules have no incident tracking, so only this source has it.
// The metric is the contract's; until the daemon exports it the rule is
// silent (a rule over an absent series fires nothing).
func (d daemonSource) postmortem() rule {
	r := d.r
	share := r.policy.PostmortemBudgetShare
	if share <= 0 {
		share = slo.DefaultPostmortemBudgetShare
	}
	return rule{
		Alert:  alertPostmortem,
		Expr:   d.metric(daemonPostmortem) + " == 1",
		Labels: r.alertLabels("severity", "ticket"),
		Annotations: r.annotations(
			fmt.Sprintf("SLO %s (%s): an incident consumed more than %s of the error budget; a postmortem is required", r.name(), r.service(), pct(share)),
			fmt.Sprintf("An incident in the current %s window of %s consumed {{ with query %s }}{{ . | first | value | humanizePercentage }}{{ else }}an unknown share{{ end }} of the window's error budget, above the %s policy's postmortem share of %s.",
				templateText(r.s.Window.Text), r.name(), templateQuery(d.metric(daemonIncidentUsed)), templateText(fmt.Sprintf("%q", r.policy.Name)), pct(share))),
	}
}

// daemonGroup is the group of one SLO's alerts over the daemon's metrics.
func daemonGroup(cfg *slo.Config, s *slo.SLO, opts Options) (group, error) {
	p, ok := cfg.PolicyByName(s.Policy)
	if !ok {
		return group{}, fmt.Errorf("policy %q is not defined", s.Policy)
	}
	if len(p.States) == 0 {
		return group{}, fmt.Errorf("policy %q has no states", p.Name)
	}
	// Only what the alert texts need: the daemon does the counting, so SLI
	// kinds the standalone rules cannot count (expressions) are fine here.
	r := &sloRules{s: s, policy: p, opts: opts}
	r.num, r.den = s.BudgetFraction()
	if r.num <= 0 || r.num >= r.den {
		return group{}, fmt.Errorf("objective %g%% leaves no error budget: it must be above 0 and below 100", s.Objective)
	}
	src := daemonSource{r}
	r.src = src
	alerts, err := r.alerts()
	if err != nil {
		return group{}, err
	}
	return group{
		Name:     DaemonGroupName(s.Name),
		Interval: dur(opts.Interval),
		Rules:    append(alerts, src.postmortem()),
	}, nil
}

// DaemonGroupName is the rule group of an SLO's alerts over the daemon's
// metrics; distinct from GroupName so both files can be loaded during a move
// from one source to the other.
func DaemonGroupName(sloName string) string { return "slobudget-daemon-" + sloName }
