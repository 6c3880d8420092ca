package slo

import (
	"testing"
	"time"
)

func TestWindowLabel(t *testing.T) {
	// Prometheus's own formatter would say "4w" for 28 days and "1w" for 7;
	// labels must match the config's spelling, which counts days.
	tests := []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Minute, "5m"},
		{30 * time.Minute, "30m"},
		{time.Hour, "1h"},
		{2 * time.Hour, "2h"},
		{6 * time.Hour, "6h"},
		{90 * time.Minute, "1h30m"},
		{24 * time.Hour, "1d"},
		{3 * 24 * time.Hour, "3d"},
		{7 * 24 * time.Hour, "7d"},
		{14 * 24 * time.Hour, "14d"},
		{28 * 24 * time.Hour, "28d"},
		{30 * 24 * time.Hour, "30d"},
		{90 * 24 * time.Hour, "90d"},
		{365 * 24 * time.Hour, "365d"},
		// Not a whole number of days: falls back to Prometheus's spelling.
		{36 * time.Hour, "1d12h"},
	}
	for _, tt := range tests {
		if got := WindowLabel(tt.d); got != tt.want {
			t.Errorf("WindowLabel(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestAlertPairsFactors(t *testing.T) {
	// factor = fraction × W / L (math.md), written out per window:
	//   30d = 720h: 0.02×720/1 = 14.4, 0.05×720/6 = 6, 0.10×720/24 = 3, 0.10×720/72 = 1
	//   28d = 672h: 0.02×672 = 13.44, 0.05×672/6 = 5.6, 0.10×672/24 = 2.8, 0.10×672/72 = 14/15
	//   90d = 2160h: 0.02×2160 = 43.2, 0.05×2160/6 = 18, 0.10×2160/24 = 9, 0.10×2160/72 = 3
	//   7d = 168h: 0.02×168 = 3.36, 0.05×168/6 = 1.4, 0.10×168/24 = 0.7, 0.10×168/72 = 7/30
	// The literals below are Go constants, rounded once to float64; the
	// factors must be the nearest float64 too, or "burn exactly at the factor"
	// would compare unequal.
	tests := []struct {
		window time.Duration
		want   [4]float64
	}{
		{30 * day, [4]float64{14.4, 6, 3, 1}},
		{28 * day, [4]float64{13.44, 5.6, 2.8, 14.0 / 15}},
		{90 * day, [4]float64{43.2, 18, 9, 3}},
		{7 * day, [4]float64{3.36, 1.4, 0.7, 7.0 / 30}},
	}
	wantShape := []struct {
		sev         string
		long, short time.Duration
		fraction    float64
	}{
		{"page", time.Hour, 5 * time.Minute, 0.02},
		{"page", 6 * time.Hour, 30 * time.Minute, 0.05},
		{"ticket", day, 2 * time.Hour, 0.10},
		{"ticket", 3 * day, 6 * time.Hour, 0.10},
	}
	for _, tt := range tests {
		pairs := AlertPairs(tt.window)
		if len(pairs) != len(wantShape) {
			t.Fatalf("AlertPairs(%s): %d pairs, want %d", WindowLabel(tt.window), len(pairs), len(wantShape))
		}
		for i, p := range pairs {
			w := wantShape[i]
			if p.Severity != w.sev || p.Long != w.long || p.Short != w.short || p.BudgetFraction != w.fraction {
				t.Errorf("AlertPairs(%s)[%d] = %s %v/%v fraction %v, want %s %v/%v fraction %v",
					WindowLabel(tt.window), i, p.Severity, p.Long, p.Short, p.BudgetFraction, w.sev, w.long, w.short, w.fraction)
			}
			if p.Factor != tt.want[i] {
				t.Errorf("AlertPairs(%s)[%d] (%s %v) factor = %v, want %v",
					WindowLabel(tt.window), i, p.Severity, p.Long, p.Factor, tt.want[i])
			}
		}
	}
}

func TestAlertPairsShortIsLongOverTwelve(t *testing.T) {
	for _, p := range AlertPairs(30 * day) {
		if p.Short*12 != p.Long {
			t.Errorf("%s pair %v/%v: short window is not long/12", p.Severity, p.Long, p.Short)
		}
	}
}

func TestBurnWindowsIncludeEveryPairWindow(t *testing.T) {
	// Evaluate only computes burn rates for BurnWindows; a pair whose window
	// is missing there could never fire.
	have := map[time.Duration]bool{}
	for _, w := range BurnWindows {
		have[w] = true
	}
	for _, p := range AlertPairs(30 * day) {
		if !have[p.Long] || !have[p.Short] {
			t.Errorf("%s pair %v/%v: window not in BurnWindows %v", p.Severity, p.Long, p.Short, BurnWindows)
		}
	}
}

func TestCheckStepDividesTheGrid(t *testing.T) {
	for _, ok := range []time.Duration{time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute} {
		if err := CheckStep(ok); err != nil {
			t.Errorf("CheckStep(%s): %v", ok, err)
		}
	}
	for _, bad := range []time.Duration{0, 500 * time.Millisecond, 7 * time.Second, 45 * time.Second, 10 * time.Minute} {
		if err := CheckStep(bad); err == nil {
			t.Errorf("CheckStep(%s) accepted an interval that does not divide %s", bad, StepGrid)
		}
	}
}

func TestWindowsListsTheSLOWindowFirst(t *testing.T) {
	s := &SLO{Window: Window{Text: "1d", Duration: day}}
	ws := s.Windows()
	if ws[0] != day || len(ws) != len(BurnWindows)+1 {
		t.Fatalf("Windows() = %v", ws)
	}
	if got := s.LongestWindow(); got != 3*day {
		t.Errorf("LongestWindow of a 1d SLO = %s, want the 3d burn window", got)
	}
}
