package exporter

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metricSink receives the SLO series as collectResults decides them. Two
// implementations: constSink builds client_golang metrics (the registry's
// Collect, and every rendering other than the text format), textSink writes
// the text exposition directly (textmetrics.go), without an object per
// series.
type metricSink interface {
	// gauge is one series of one of the fixed families (desc made by
	// desc()): values are service, slo, the group's values (groups names
	// their labels, sorted), then the family's extra labels.
	gauge(d *prometheus.Desc, groups []string, values []string, v float64)
	// info is one slo_info series (value 1), whose label names vary by SLO.
	info(names, values []string)
}

const (
	infoName = "slo_info"
	infoHelp = "Static facts about the SLO; always 1."
)

type constSink struct{ ch chan<- prometheus.Metric }

func (s constSink) gauge(d *prometheus.Desc, groups []string, values []string, v float64) {
	if len(groups) > 0 {
		d = withGroupLabels(d, groups)
	}
	s.ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, values...)
}

func (s constSink) info(names, values []string) {
	d := prometheus.NewDesc(infoName, infoHelp, names, nil)
	s.ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, 1, values...)
}
