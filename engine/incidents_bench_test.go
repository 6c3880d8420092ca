package engine

import (
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// benchLedger is a 30d window of 5m counts with a hot hour every day.
func benchLedger(b *testing.B) (*incidentLedger, *slo.SLO, *slo.Policy, time.Time) {
	cfg, err := slo.Parse("slos.yml", []byte("slos:\n  - name: api\n    service: api\n    objective: 99.9\n    window: 30d\n    sli:\n      events:\n        errors: e\n        total: t\n"))
	if err != nil {
		b.Fatal(err)
	}
	pol, _ := cfg.PolicyByName(cfg.SLOs[0].Policy)
	end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	l := &incidentLedger{from: end.Add(-30 * 24 * time.Hour).UnixMilli()}
	for i := 0; i < 8640; i++ {
		c := slo.Counts{Good: 4995, Total: 5000}
		if i%288 < 12 {
			c.Good = 4000
		}
		l.counts.append(c)
	}
	return l, &cfg.SLOs[0], pol, end.Add(-30 * 24 * time.Hour)
}

// BenchmarkIncidentDetect is what a completed 5m bucket costs: detection
// over the whole 30d window (30 incidents).
func BenchmarkIncidentDetect(b *testing.B) {
	l, def, pol, start := benchLedger(b)
	b.ReportAllocs()
	for b.Loop() {
		sc := getScratch()
		if _, _, err := l.detect(def, pol, start, sc); err != nil {
			b.Fatal(err)
		}
		putScratch(sc)
	}
	b.ReportMetric(float64(len(l.counts.buf)), "ledger-bytes")
}

// BenchmarkIncidentScore is what every other evaluation costs: scoring the
// incidents found against the window's total.
func BenchmarkIncidentScore(b *testing.B) {
	l, def, pol, start := benchLedger(b)
	w, _, err := l.detect(def, pol, start, &evalScratch{})
	if err != nil || len(w.Incidents) != 30 {
		b.Fatalf("%v, %d incidents", err, len(w.Incidents))
	}
	b.ReportAllocs()
	for b.Loop() {
		incs := append([]slo.Incident(nil), w.Incidents...)
		if err := slo.ScoreIncidents(def, incs, 8640*5000, 0.2); err != nil {
			b.Fatal(err)
		}
	}
}
