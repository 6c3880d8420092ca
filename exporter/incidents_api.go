package exporter

import (
	"fmt"
	"net/http"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// incidentsResponse is GET /api/v1/slos/{name}/incidents: the incidents of
// the current window at the result's evaluation instant, with the rule that
// found them and how much of the window it has read.
type incidentsResponse struct {
	Name        string     `json:"name"`
	EvaluatedAt *time.Time `json:"evaluatedAt"`
	DataMissing bool       `json:"dataMissing"`
	// Detected is false when the SLO has no numbers (no data, not
	// evaluated yet): then nothing else is known.
	Detected           bool   `json:"detected"`
	Note               string `json:"note,omitempty"`
	PostmortemRequired *bool  `json:"postmortemRequired"`
	Active             bool   `json:"active"`
	*slo.WindowIncidents
	Incidents []incidentView `json:"incidents"`
}

// incidentView is one incident with the figures people ask for spelled out.
type incidentView struct {
	slo.Incident
	DurationSeconds float64 `json:"durationSeconds"`
	BadEvents       float64 `json:"badEvents"`
}

// apiIncidents serves GET /api/v1/slos/{name}/incidents.
func (d *Daemon) apiIncidents(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	res, ok := d.Engine.Result(name)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no SLO named %q has been evaluated", name)})
		return
	}
	writeJSON(w, http.StatusOK, newIncidentsResponse(res))
}

func newIncidentsResponse(res slo.Result) incidentsResponse {
	out := incidentsResponse{Name: res.Name, DataMissing: res.DataMissing, Incidents: []incidentView{}}
	if !res.EvaluatedAt.IsZero() {
		out.EvaluatedAt = &res.EvaluatedAt
	}
	wi := res.Incidents
	switch {
	case res.DataMissing:
		out.Note = "no data: the total selector matched no series in the SLO window"
		return out
	case !res.HasNumbers():
		out.Note = "not evaluated yet"
		return out
	case wi == nil:
		out.Note = "incidents are not detected for an estimated SLI: its 5m counts would be estimates"
		return out
	}
	out.Detected, out.WindowIncidents, out.Active = true, wi, wi.Active()
	if required := wi.PostmortemRequired(); required || wi.Complete {
		out.PostmortemRequired = &required
	} else {
		out.Note = fmt.Sprintf("incidents known since %s: the window's past is still being read", wi.KnownFrom.Format(time.RFC3339))
	}
	for _, inc := range wi.Incidents {
		out.Incidents = append(out.Incidents, incidentView{Incident: inc, DurationSeconds: inc.Duration().Seconds(), BadEvents: inc.Events.Bad()})
	}
	return out
}
