package exporter

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/slobudget/slobudget/slo"
)

// metricsPage serves /metrics. The text format (what Prometheus scrapes
// with, and curl gets) is written directly from the engine's results by
// textSink, the same bytes client_golang writes; every other case (the
// protobuf format, a name[] filter, an error in the process's own metrics,
// anything textSink cannot write exactly) goes through promhttp as before.
func (d *Daemon) metricsPage() http.Handler {
	return textMetricsHandler(func() []slo.Result { return d.Engine.Snapshot().Results }, d.sloReg, d.selfReg)
}

// textMetricsHandler serves the page of the results (as sloReg collects
// them) and self's metrics.
func textMetricsHandler(results func() []slo.Result, sloReg, self prometheus.Gatherer) http.Handler {
	full := promhttp.HandlerFor(prometheus.Gatherers{sloReg, self}, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultAcceptedFormats()...)
		if format.FormatType() != expfmt.TypeTextPlain || r.URL.Query().Has("name[]") {
			full.ServeHTTP(w, r)
			return
		}
		own, err := self.Gather()
		if err != nil {
			full.ServeHTTP(w, r)
			return
		}
		sink := newTextSink()
		collectResults(sink, results())
		if !sink.ready(own) {
			full.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Accept")
		h.Add("Vary", "Accept-Encoding")
		h.Set("Content-Type", string(format))
		// Uncompressed: the render cache compresses once for gzip clients.
		_ = sink.write(w, own, format)
	})
}
