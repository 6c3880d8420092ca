package exporter

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/backend"
)

// batchEvaluations is how many SLOs are evaluated at once when reads are
// joined: the joined queries are only as large as the evaluations that ask
// for the same range at the same time, so many run at once (they mostly
// wait for their joined query; --query.concurrency still bounds the
// queries in flight).
const batchEvaluations = 4096

// withBatcher wraps src with a backend.Batcher (--query.batch), registers
// its figures with the daemon's own metrics and returns the number of SLOs
// to evaluate at once.
func (d *Daemon) withBatcher(src backend.Source, o backend.Options) (backend.Source, int) {
	src = backend.NewBatcher(src, backend.BatchOptions{MaxResponseBytes: o.MaxResponseBytes})
	b, _ := backend.BatcherOf(src)
	for _, f := range []struct {
		mode string
		v    func(backend.BatchStats) int64
	}{
		{"batched", func(s backend.BatchStats) int64 { return s.Batched }},
		{"direct", func(s backend.BatchStats) int64 { return s.Direct }},
		{"shared", func(s backend.BatchStats) int64 { return s.Shared }},
	} {
		d.selfReg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "slobudget_backend_reads_total",
			Help:        "Raw reads the counting asked for (--query.batch), by how they were answered: batched (one joined query for many selectors of a metric name), direct (the selector's own query) or shared (an identical read in flight).",
			ConstLabels: prometheus.Labels{"mode": f.mode},
		}, func() float64 { return float64(f.v(b.Stats())) }))
	}
	d.selfReg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "slobudget_backend_joined_queries_total",
		Help: "Joined queries sent for batched raw reads (--query.batch).",
	}, func() float64 { return float64(b.Stats().Queries) }))
	return src, max(o.Concurrency, batchEvaluations)
}
