package e2e

import (
	"testing"

	"github.com/slobudget/slobudget/backend"
)

// TestReportMatchesTruthOnVictoriaMetrics is TestReportMatchesTruth with the
// history imported into VictoriaMetrics instead of backfilled into
// Prometheus: every figure must equal the same truth.
func TestReportMatchesTruthOnVictoriaMetrics(t *testing.T) {
	f := sharedFixture(t)
	vm := f.startVictoriaMetrics(t)
	reportMatchesTruth(t, f, buildSlobudget(t), vm.URL, "--backend.flavor=victoriametrics")
}

// TestServeMatchesTruthOnVictoriaMetrics is TestServeMatchesTruth (the
// daemon's engine, hourly history computed by the backend, every evaluation
// and /metrics compared with the truth) on VictoriaMetrics.
func TestServeMatchesTruthOnVictoriaMetrics(t *testing.T) {
	f := sharedFixture(t)
	vm := f.startVictoriaMetrics(t)
	serveMatchesTruth(t, f, backend.Options{URL: vm.URL, Flavor: string(backend.FlavorVictoriaMetrics)})
}
