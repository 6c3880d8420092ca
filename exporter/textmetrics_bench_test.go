package exporter

import (
	"math/rand"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slobudget/slobudget/slo"
)

// BenchmarkMetricsPage10k renders /metrics for 10,000 results, directly and
// through client_golang: -benchmem shows what each allocates per page.
func BenchmarkMetricsPage10k(b *testing.B) {
	results := randomResults(rand.New(rand.NewSource(1)), 10000)
	sloReg := prometheus.NewRegistry()
	sloReg.MustRegister(fixedCollector{results})
	self := selfRegistry()
	// The render cache's recorder, which the page is written into.
	run := func(b *testing.B, serve func(*recorder)) {
		for b.Loop() {
			rec := &recorder{header: http.Header{}}
			serve(rec)
			b.SetBytes(int64(rec.body.Len()))
		}
	}
	direct := textMetricsHandler(func() []slo.Result { return results }, sloReg, self)
	golden := promhttp.HandlerFor(prometheus.Gatherers{sloReg, self}, promhttp.HandlerOpts{})
	b.Run("direct", func(b *testing.B) {
		run(b, func(rec *recorder) { direct.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil)) })
	})
	b.Run("client_golang", func(b *testing.B) {
		run(b, func(rec *recorder) { golden.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil)) })
	})
}
