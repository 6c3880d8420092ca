package statuspage

import (
	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// incidentsView is what the detail view shows for the planning meeting: the
// current state's capacity split and the incidents of the current window
// (the charts mark the same incidents).
type incidentsView struct {
	Capacity string // "70% features, 20% reliability, 10% learning"
	// Incidents is the summary line (report.IncidentsSummary); IncidentList
	// one line per incident, newest first.
	Incidents    string
	IncidentList []incidentItem
	Postmortem   bool
}

type incidentItem struct {
	Text       string
	Postmortem bool
}

func newIncidentsView(r slo.Result) incidentsView {
	var n incidentsView
	if !r.HasNumbers() {
		return n
	}
	if r.Capacity != nil {
		n.Capacity = report.CapacityText(*r.Capacity)
	}
	n.Incidents = report.IncidentsSummary(r)
	if w := r.Incidents; w != nil {
		n.Postmortem = w.PostmortemRequired()
		for i := len(w.Incidents) - 1; i >= 0; i-- {
			inc := w.Incidents[i]
			n.IncidentList = append(n.IncidentList, incidentItem{Text: report.IncidentText(inc), Postmortem: inc.Postmortem})
		}
	}
	return n
}
