package exporter

import (
	"math"
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/slo"
)

// sloLabels is the label list every SLO series starts with.
var sloLabels = []string{"service", "slo"}

func desc(name, help string, extra ...string) *prometheus.Desc {
	d := prometheus.NewDesc(name, help, append(append([]string{}, sloLabels...), extra...), nil)
	descSpecs[d] = descSpec{name: name, help: help, extra: extra}
	return d
}

var (
	objectiveDesc       = desc("slo_objective_ratio", "The SLO's objective as a ratio (0.999 for 99.9%).")
	sliDesc             = desc("slo_sli_ratio", "Good events over all events in the SLO window. Absent when the window saw no traffic.")
	windowEventsDesc    = desc("slo_window_events", "Events counted over the SLO window, by result (good, bad).", "result")
	budgetRatioDesc     = desc("slo_error_budget_remaining_ratio", "Share of the error budget left: 1 - (bad/total)/(1 - objective). Negative when overspent.")
	budgetSecondsDesc   = desc("slo_error_budget_remaining_seconds", "Budget left as seconds of full outage: window x (SLI - objective). Negative when overspent.")
	burnRateDesc        = desc("slo_burn_rate", "Error ratio over the window divided by the error budget; 1 spends the budget exactly over the SLO window. Absent for windows without traffic.", "window")
	exhaustionDesc      = desc("slo_error_budget_exhaustion_seconds", "Time until the remaining budget reaches 0 if the last hour's pace continues, on the rolling window (events leaving its trailing edge included): +Inf when it never does at this pace, 0 when exhausted.")
	recoveryDesc        = desc("slo_policy_recovery_seconds", "Time until the SLO climbs back into the next better policy state (label state) at the last hour's pace. Absent when it does not at this pace, or is in its policy's best state.", "state")
	dataMissingDesc     = desc("slo_data_missing", "1 while the SLI's total selector matched no series with samples in the SLO window: no data, which is not zero traffic. The SLO then has no budget, burn-rate, alert, policy-state, freeze or capacity series.")
	coverageDesc        = desc("slo_data_coverage_ratio", "Share of the SLO window covered by data: from the total selector's first sample (or the window's start) to the evaluation, over the window. Budget figures are computed over the covered part; below 0.5 the decision is provisional.")
	alertActiveDesc     = desc("slo_alert_active", "1 while the multiwindow multi-burn-rate condition of that severity holds.", "severity")
	policyStateDesc     = desc("slo_policy_state", "1 for the SLO's current error-budget policy state, 0 for the policy's other states.", "state")
	featureFreezeDesc   = desc("slo_feature_freeze", "1 while the current policy state freezes feature work.")
	featureCapacityDesc = desc("slo_feature_capacity_ratio", "Share of engineering capacity the current policy state allows for feature work.")
	evalSuccessDesc     = desc("slo_evaluation_success", "1 if the last evaluation of this SLO got all its data; 0 means the other numbers are stale or absent.")
	lastEvalDesc        = desc("slo_last_evaluation_timestamp_seconds", "When this SLO's numbers were last computed successfully.")
)

// infoLabels are slo_info's fixed labels after service and slo; user labels follow.
var infoLabels = []string{"objective", "window", "policy"}

// sloCollector turns the engine's latest results into const metrics at
// scrape time, so a scrape never waits for Prometheus.
type sloCollector struct {
	engine *engine.Engine
}

func (c sloCollector) Describe(ch chan<- *prometheus.Desc) {
	// Unchecked collector: slo_info's label set depends on the SLOs' labels.
}

func (c sloCollector) Collect(ch chan<- prometheus.Metric) {
	collectResults(constSink{ch}, c.engine.Snapshot().Results)
}

// collectResults sends every SLO series of results to out: the one place
// that decides which series exist, for both renderings (constSink for
// client_golang, textSink for the direct /metrics page).
func collectResults(out metricSink, results []slo.Result) {
	for _, r := range results {
		collectResultTo(out, r)
	}
	collectGroupCounts(out, results)
}

// collectResult sends one result's series as client_golang metrics.
func collectResult(ch chan<- prometheus.Metric, r slo.Result) { collectResultTo(constSink{ch}, r) }

func collectResultTo(out metricSink, r slo.Result) {
	base := []string{r.Service, r.Name}
	// A group's labels follow service and slo on every series of the
	// instance (groups.go), so each group's series are its own.
	groupNames, groupValues := groupLabels(r)
	base = append(base, groupValues...)
	values := make([]string, 0, len(base)+1)
	gauge := func(d *prometheus.Desc, v float64, extra ...string) {
		values = append(append(values[:0], base...), extra...)
		out.gauge(d, groupNames, values, v)
	}

	userKeys := make([]string, 0, len(r.Labels))
	for k := range r.Labels {
		userKeys = append(userKeys, k)
	}
	sort.Strings(userKeys)
	infoVals := []string{strconv.FormatFloat(r.Objective, 'f', -1, 64), r.Window, r.Policy}
	infoNames := append(append(append([]string{}, sloLabels...), groupNames...), infoLabels...)
	if r.Estimate {
		// Only estimates carry the label: slo_info{exact="false"} finds
		// them, and exact SLOs keep the label set they always had.
		infoNames = append(infoNames, "exact")
		infoVals = append(infoVals, "false")
	}
	for _, k := range userKeys {
		infoVals = append(infoVals, r.Labels[k])
	}
	out.info(append(infoNames, userKeys...), append(append([]string{}, base...), infoVals...))
	gauge(objectiveDesc, r.Objective)
	// Success means an evaluation of the current definition got all its
	// data: not a failure, and not "not evaluated yet".
	gauge(evalSuccessDesc, boolFloat(r.Error == "" && !r.EvaluatedAt.IsZero()))

	if r.EvaluatedAt.IsZero() {
		return // never computed: no numbers to show, and none invented
	}
	gauge(lastEvalDesc, float64(r.EvaluatedAt.UnixMilli())/1000)
	gauge(dataMissingDesc, boolFloat(r.DataMissing))
	if r.Coverage != nil {
		gauge(coverageDesc, *r.Coverage)
	}
	collectNegotiation(gauge, r)
	if !r.HasNumbers() {
		return // no data: nothing to count, so no budget and no decision
	}
	if r.SLI != nil {
		gauge(sliDesc, *r.SLI)
	}
	gauge(windowEventsDesc, r.Events.Good, "good")
	gauge(windowEventsDesc, r.Events.Bad(), "bad")
	gauge(budgetRatioDesc, r.BudgetRemaining)
	gauge(budgetSecondsDesc, r.BudgetRemainingSeconds)
	windows := make([]string, 0, len(r.BurnRates))
	for w := range r.BurnRates {
		windows = append(windows, w)
	}
	sort.Strings(windows)
	for _, w := range windows {
		gauge(burnRateDesc, r.BurnRates[w], w)
	}
	exhaustion := math.Inf(1)
	if r.ExhaustionSeconds != nil {
		exhaustion = *r.ExhaustionSeconds
	}
	gauge(exhaustionDesc, exhaustion)
	for _, st := range r.PolicyStates {
		if v, ok := r.RecoverySeconds[st]; ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			gauge(recoveryDesc, v, st)
		}
	}
	gauge(alertActiveDesc, boolFloat(r.Alerts.Page), "page")
	gauge(alertActiveDesc, boolFloat(r.Alerts.Ticket), "ticket")
	for _, st := range r.PolicyStates {
		gauge(policyStateDesc, boolFloat(st == r.PolicyState), st)
	}
	gauge(featureFreezeDesc, boolFloat(r.FeatureFreeze))
	gauge(featureCapacityDesc, r.FeatureShare)
	collectIncidents(gauge, r)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
