package slo_test

import (
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// BenchmarkForecastBudget is one SLO's forecast per evaluation: a 30d window
// of hourly buckets, not on the hour (both edges cut buckets), burning.
func BenchmarkForecastBudget(b *testing.B) {
	s := fcSLO(99.9, 30*24*time.Hour)
	p := slo.DefaultPolicy()
	hist := hourly(fcAt, 721, func(i int) (float64, float64) { return float64(500 + i%24*20), float64(i % 5) })
	in := slo.ForecastInput{At: fcAt, History: hist, LastHour: slo.Counts{Good: 990, Total: 1000}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := slo.ForecastBudget(s, &p, in); err != nil {
			b.Fatal(err)
		}
	}
}

func fiveMinuteBuckets(days int) []slo.Bucket {
	n := days * 288
	out := make([]slo.Bucket, n)
	for i := range n {
		st := fcAt.Add(time.Duration(i-n) * 5 * time.Minute)
		bad := float64(i % 7)
		if i%500 < 3 {
			bad = 40
		}
		out[i] = slo.Bucket{Start: st, End: st.Add(5 * time.Minute), Counts: slo.Counts{Good: 100 - bad, Total: 100}}
	}
	return out
}

// BenchmarkDetectIncidents scans a 30d window of 5m buckets.
func BenchmarkDetectIncidents(b *testing.B) {
	s := fcSLO(99.9, 30*24*time.Hour)
	fine := fiveMinuteBuckets(30)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := slo.DetectIncidents(s, fine, slo.IncidentOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSimulateAlerts replays the alert conditions at every 5 minutes
// of 90 days, as the review does per SLO.
func BenchmarkSimulateAlerts(b *testing.B) {
	s := fcSLO(99.9, 30*24*time.Hour)
	fine := fiveMinuteBuckets(93)
	from := fine[3*288].Start
	b.ReportAllocs()
	for b.Loop() {
		if _, err := slo.SimulateAlerts(s, fine, from, fcAt, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
