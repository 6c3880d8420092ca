package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// ErrNoHistory says a result has nothing to draw: no data, or not evaluated
// successfully yet.
var ErrNoHistory = errors.New("no history: the SLO has no numbers yet")

// ChartData computes the series an SLO's pictures draw (slo.ChartSeries)
// from a result's own history and page record, for the status page's charts
// and the history API alike: one computation, so the two always agree.
func (e *Engine) ChartData(r slo.Result) (slo.ChartData, error) {
	if !r.HasNumbers() || r.History == nil {
		return slo.ChartData{}, ErrNoHistory
	}
	cfg := e.Config()
	var def *slo.SLO
	for i := range cfg.SLOs {
		if cfg.SLOs[i].Name == r.Name {
			def = &cfg.SLOs[i]
		}
	}
	if def == nil {
		return slo.ChartData{}, fmt.Errorf("slo %q is no longer in the config", r.Name)
	}
	pol, ok := cfg.PolicyByName(def.Policy)
	if !ok {
		return slo.ChartData{}, fmt.Errorf("slo %q: policy %q is not defined", r.Name, def.Policy)
	}
	spans := r.PageSpans
	if spans == nil {
		spans = []slo.Period{} // the engine's record, empty: never replayed from nothing
	}
	loc := def.Window.Location
	if loc == nil {
		loc = time.UTC
	}
	in := slo.ChartInput{Window: r.History.Buckets(), Cuts: r.History.Cuts, PageSpans: spans, Location: loc, Incidents: []slo.Incident{}}
	if r.Incidents != nil {
		in.Incidents = r.Incidents.Incidents // the engine's own, never replayed from nothing
	}
	d, err := slo.ChartSeries(def, pol, in)
	if err != nil {
		return slo.ChartData{}, fmt.Errorf("slo %q: chart series: %w", r.Name, err)
	}
	return d, nil
}
