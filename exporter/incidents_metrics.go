package exporter

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/slo"
)

// The negotiation series: incidents, the postmortem trigger and the
// capacity split of the current policy state (contract.md, "Negotiation").
var (
	incidentActiveDesc   = desc("slo_incident_active", "1 while an incident is in progress: the 5m burn rate above the incident threshold (the page factor unless configured) in the last complete 5m bucket, spells less than the merge gap (30m) apart merged.")
	incidentConsumedDesc = desc("slo_incident_budget_consumed_ratio", "Share of the current window's error budget the current or last incident of the window consumed: its bad events over (1 - objective) x the window's total events. Absent when the window has no known incident.")
	postmortemDesc       = desc("slo_postmortem_required", "1 while an incident of the current window consumed more than the policy's postmortemBudgetShare (default 0.20) of the budget. Absent while 0 is not known yet: the daemon is still reading the window's past after a start or reload.")
	capacityDesc         = desc("slo_capacity_ratio", "Share of engineering capacity the current policy state gives to each kind of work (features, reliability, innovation); the three sum to 1.", "kind")
)

// collectIncidents adds an SLO's incident and capacity series; r has
// numbers (HasNumbers), so no data means none of them.
func collectIncidents(gauge func(d *prometheus.Desc, v float64, extra ...string), r slo.Result) {
	if c := r.Capacity; c != nil {
		gauge(capacityDesc, c.Features, "features")
		gauge(capacityDesc, c.Reliability, "reliability")
		gauge(capacityDesc, c.Innovation, "innovation")
	}
	w := r.Incidents
	if w == nil {
		return
	}
	gauge(incidentActiveDesc, boolFloat(w.Active()))
	if last, ok := w.Latest(); ok {
		gauge(incidentConsumedDesc, last.BudgetConsumed)
	}
	if required := w.PostmortemRequired(); required || w.Complete {
		gauge(postmortemDesc, boolFloat(required))
	}
}
