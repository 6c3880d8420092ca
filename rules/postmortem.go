package rules

import (
	"fmt"
	"strconv"
	"time"

	"github.com/slobudget/slobudget/slo"
)

const (
	alertPostmortem = "SLOPostmortemRequired"
	// metricPostmortem is the daemon's series: incidents are found in the
	// window's 5m counts, which a rule cannot scan, so this alert reads
	// what the daemon exports (Prometheus must scrape slobudget serve).
	metricPostmortem = "slo_postmortem_required"
	// defaultForPostmortem rides out one scrape of a daemon replica that
	// has just started and is still reading the window's past.
	defaultForPostmortem = 5 * time.Minute
)

// postmortemAlert fires while an incident of the current window consumed
// more than the policy's postmortemBudgetShare of the budget, as the daemon
// says. max by (service, slo) keeps the alert's labels those of the SLO
// whatever job and instance labels the scrape adds, and answers 1 when any
// replica does.
func (r *sloRules) postmortemAlert() rule {
	share := r.policy.PostmortemBudgetShare
	if share == 0 {
		share = slo.DefaultPostmortemBudgetShare
	}
	sel := fmt.Sprintf("{service=%s,slo=%s}", strconv.Quote(r.s.Service), strconv.Quote(r.s.Name))
	return rule{
		Alert:  alertPostmortem,
		Expr:   fmt.Sprintf("max by (service, slo) (%s%s) == 1", metricPostmortem, sel),
		For:    r.forDuration("postmortem", defaultForPostmortem),
		Labels: r.alertLabels("severity", "ticket"),
		Annotations: r.annotations(
			fmt.Sprintf("SLO %s (%s): an incident used more than %s of the %s error budget; a postmortem is required", r.s.Name, r.s.Service, pct(share), r.s.Window.Text),
			fmt.Sprintf("An incident of the current %s window of %s (objective %s) consumed more than %s of the window's error budget, the %q policy's postmortem trigger. "+
				"The incidents, their bad events and budget shares are at slobudget's /api/v1/slos/%s/incidents. The alert resolves when the incident leaves the window.",
				r.s.Window.Text, r.s.Name, pct(r.s.ObjectiveRatio()), pct(share), r.policy.Name, r.s.Name)),
	}
}
