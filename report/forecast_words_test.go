package report

import (
	"math"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

func TestForecastWords(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	f := func(v float64) *float64 { return &v }
	inf := math.Inf(1)
	tests := []struct {
		name                string
		f                   slo.Forecast
		exhaustion, recover string
	}{
		{"runs out", slo.Forecast{At: at, State: "caution", NextBetter: "healthy", Pace: f(3), Settles: f(-2), ExhaustionSeconds: 6*3600 + 52*60 + 10},
			"runs out in 6h 52m at the last hour's pace", "stays caution at this pace"},
		{"settles", slo.Forecast{At: at, State: "healthy", Pace: f(0.45), Settles: f(0.55), ExhaustionSeconds: inf},
			"never at this pace: settles near 55% left", ""},
		{"frozen, lifting", slo.Forecast{At: at, State: "frozen", Freeze: true, NextBetter: "at-risk", Pace: f(0.2), ExhaustionSeconds: 0,
			Recovery: &slo.Recovery{From: "frozen", State: "at-risk", Seconds: (3*24 + 4) * 3600}},
			"budget exhausted", "freeze lifts in about 3d 4h at the current pace"},
		{"frozen for good", slo.Forecast{At: at, State: "frozen", Freeze: true, NextBetter: "at-risk", Pace: f(2), ExhaustionSeconds: 0},
			"budget exhausted", "stays frozen at this pace"},
		{"at-risk, climbing", slo.Forecast{At: at, State: "at-risk", NextBetter: "caution", Pace: f(0.1), ExhaustionSeconds: inf, Settles: f(0.9),
			Recovery: &slo.Recovery{From: "at-risk", State: "caution", Seconds: 4 * 86400}},
			"never at this pace: settles near 90% left", "back to caution in about 4d at the current pace"},
		{"quiet", slo.Forecast{At: at, State: "healthy", ExhaustionSeconds: inf},
			"no traffic in the last hour: nothing is being spent", ""},
		{"calendar, lasting", slo.Forecast{At: at, State: "healthy", Calendar: true, PeriodEnd: at.Add(5*24*time.Hour + 2*time.Hour), Pace: f(0.8), EndRemaining: f(0.404), ExhaustionSeconds: inf},
			"lasts until the period resets in 5d 2h at this pace, with about 40% left", ""},
		{"calendar, running out", slo.Forecast{At: at, State: "caution", NextBetter: "healthy", Calendar: true, PeriodEnd: at.Add(10 * 24 * time.Hour), Pace: f(3), ExhaustionSeconds: 3600 * 50,
			Recovery: &slo.Recovery{From: "caution", State: "healthy", Seconds: 10 * 86400, AtReset: true}},
			"runs out in 2d 2h at the last hour's pace, before the period resets", "back to healthy when the period resets in 10d"},
	}
	for _, tc := range tests {
		if got := ExhaustionWords(tc.f); got != tc.exhaustion {
			t.Errorf("%s: ExhaustionWords = %q, want %q", tc.name, got, tc.exhaustion)
		}
		if got := RecoveryWords(tc.f); got != tc.recover {
			t.Errorf("%s: RecoveryWords = %q, want %q", tc.name, got, tc.recover)
		}
	}
}
