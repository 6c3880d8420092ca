package exporter

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/charts"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

// historyResponse is GET /api/v1/slos/{name}/history: every series the
// SLO's charts draw (slo.ChartData), at the result's evaluation instant.
type historyResponse struct {
	Name        string     `json:"name"`
	EvaluatedAt *time.Time `json:"evaluatedAt"`
	DataMissing bool       `json:"dataMissing"`
	Coverage    *float64   `json:"coverage"`
	slo.ChartData
}

// apiHistory serves GET /api/v1/slos/{name}/history. An SLO without numbers
// (no data, not evaluated yet) answers with empty series and says why.
func (d *Daemon) apiHistory(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	res, ok := d.Engine.Result(name)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no SLO named %q has been evaluated", name)})
		return
	}
	out := historyResponse{Name: name, DataMissing: res.DataMissing, Coverage: res.Coverage}
	if !res.EvaluatedAt.IsZero() {
		out.EvaluatedAt = &res.EvaluatedAt
	}
	data, err := d.Engine.ChartData(res)
	switch {
	case errors.Is(err, engine.ErrNoHistory):
		data = slo.ChartData{Objective: res.Objective, Window: res.Window, Remaining: []slo.SeriesPoint{},
			Thresholds: []slo.StateThreshold{}, Daily: []slo.PeriodSLI{}, BurnRates: map[string][]slo.SeriesPoint{},
			Factors: map[string]float64{}, BurnWindows: []string{}, PageSpans: []slo.Period{}, Monthly: []slo.PeriodSLI{}}
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	out.ChartData = data
	writeJSON(w, http.StatusOK, out)
}

// NewStatusPage builds the status page of this daemon's engine, with the
// charts drawn from the same series the history API serves. o's Ready and
// chart hooks are filled in.
func (d *Daemon) NewStatusPage(o statuspage.Options) http.Handler {
	o.Ready = d.Engine.Ready
	o.Scope = d.scope.describe
	o.RowChart = func(r slo.Result) template.HTML {
		data, err := d.Engine.ChartData(r)
		if err != nil {
			return ""
		}
		svg, err := charts.RowBurnDown("row-"+r.Slug(), data)
		if err != nil {
			d.log.Warn("drawing a row chart", zap.String("slo", r.Name), zap.Error(err))
			return ""
		}
		return svg
	}
	o.DetailCharts = func(r slo.Result) template.HTML {
		data, err := d.Engine.ChartData(r)
		if err != nil {
			return ""
		}
		detail, err := charts.DetailCharts("detail-"+r.Slug(), data, d.location(r.Name))
		if err != nil {
			d.log.Warn("drawing the detail charts", zap.String("slo", r.Name), zap.Error(err))
			return ""
		}
		return detail.HTML()
	}
	return statuspage.Handler(d.Engine.Results, o)
}

// location is the time zone an SLO's days and months are drawn in: its
// calendar window's, or UTC.
func (d *Daemon) location(name string) *time.Location {
	for _, s := range d.Engine.Config().SLOs {
		if s.Name == name && s.Window.Location != nil {
			return s.Window.Location
		}
	}
	return time.UTC
}
