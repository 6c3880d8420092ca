package rules

import "time"

// defaultForPostmortem rides out one scrape of a daemon replica that has
// just started and is still reading the window's past.
const defaultForPostmortem = 5 * time.Minute

// postmortemAlert is SLOPostmortemRequired in the standalone rules. Incidents
// are found in the window's 5m counts, which a rule cannot scan, so it reads
// the daemon's slo_postmortem_required exactly as `--source=daemon` does
// (same expression, labels and annotations; Prometheus must scrape
// `slobudget serve`), and waits `alerting.for.postmortem` (default 5m).
func (r *sloRules) postmortemAlert() rule {
	a := daemonSource{r}.postmortem()
	a.For = r.forDuration("postmortem", defaultForPostmortem)
	return a
}
