package exporter

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/statefile"
)

// withStateFile wraps src with the --storage.path state file when the
// backend computes hourly totals (a backend that cannot has nothing to
// keep), and registers the file's figures with the daemon's own metrics.
func (d *Daemon) withStateFile(src backend.Source, dir, identity string) (backend.Source, error) {
	hs, ok := src.(backend.HourlySource)
	if dir == "" || !ok {
		return src, nil
	}
	st, err := statefile.Open(hs, statefile.Options{Dir: dir, Identity: identity, OnError: func(err error) {
		d.log.Warn("state file", zap.Error(err))
	}})
	if err != nil {
		return nil, err
	}
	d.state = st
	for _, f := range []struct {
		by string
		v  func(statefile.Stats) int64
	}{
		{"file", func(s statefile.Stats) int64 { return s.HoursFromFile }},
		{"backend", func(s statefile.Stats) int64 { return s.HoursAsked }},
	} {
		d.selfReg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "slobudget_state_file_hours_total",
			Help:        "Completed hourly totals the counting asked for at start-up (and after reloads), by who answered: the --storage.path state file or the backend.",
			ConstLabels: prometheus.Labels{"answered_by": f.by},
		}, func() float64 { return float64(f.v(st.Stats())) }))
	}
	d.selfReg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "slobudget_state_file_dropped_selectors_total",
		Help: "Selectors whose kept hours disagreed with the backend's spot check at start-up and were read again.",
	}, func() float64 { return float64(st.Stats().Dropped) }))
	return st, nil
}

// Close writes the state file, if there is one. Call it on shutdown.
func (d *Daemon) Close() error {
	if d.state == nil {
		return nil
	}
	return d.state.Close()
}

// StateStats returns what the state file answered, and false without one.
func (d *Daemon) StateStats() (statefile.Stats, bool) {
	if d.state == nil {
		return statefile.Stats{}, false
	}
	return d.state.Stats(), true
}
