package slo

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// Throughout: 99.9% over 30d, so the budget B = 0.001 and W = 30 × 86,400 =
// 2,592,000 s; the whole budget as outage time is W × B = 2,592 s = 43.2 min.
// Expected values are written as Go constants worked out by hand from math.md,
// never by calling the code under test.

var evalAt = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func testSLO(objective float64, window time.Duration) *SLO {
	return &SLO{
		Name:      "checkout-availability",
		Service:   "checkout",
		Objective: objective,
		Window:    Window{Text: WindowLabel(window), Duration: window},
		Policy:    "default",
		Labels:    map[string]string{"team": "payments"},
	}
}

// events builds counts from the number of requests and how many failed.
func events(total, bad float64) Counts { return Counts{Good: total - bad, Total: total} }

// near compares with a relative tolerance of 1e-12: far tighter than any
// figure a person reads, loose enough for the last bit of a division.
func near(got, want float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= 1e-12*math.Max(math.Abs(want), 1)
}

func evaluate(t *testing.T, s *SLO, p *Policy, window Counts, burn map[time.Duration]Counts) Result {
	t.Helper()
	if p == nil {
		d := DefaultPolicy()
		p = &d
	}
	r, err := Evaluate(s, p, Input{At: evalAt, Window: window, Burn: burn})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

func TestEvaluateBudget(t *testing.T) {
	tests := []struct {
		name             string
		window           Counts
		wantSLI          float64
		wantRemaining    float64
		wantSeconds      float64
		wantState        string
		wantFreeze       bool
		wantShare        float64
		wantExhausted    bool // exhaustion 0
		wantWindowBurn   float64
		wantNoExhaustion bool // exhaustion nil: nothing burning in the last hour
	}{
		{
			// no bad events: e = 0, consumed 0, remaining 1, 1 × 2592 s
			name: "untouched", window: events(1e6, 0),
			wantSLI: 1, wantRemaining: 1, wantSeconds: 2592,
			wantState: "healthy", wantShare: 0.70, wantWindowBurn: 0, wantNoExhaustion: true,
		},
		{
			// 400 bad of 1,000,000: e = 0.0004, consumed 0.0004/0.001 = 0.4,
			// remaining 0.6, 0.6 × 2592 s = 1555.2 s, SLI 0.9996
			name: "partly spent", window: events(1e6, 400),
			wantSLI: 0.9996, wantRemaining: 0.6, wantSeconds: 1555.2,
			wantState: "healthy", wantShare: 0.70, wantWindowBurn: 0.4, wantNoExhaustion: true,
		},
		{
			// 1000 bad of 1,000,000: e = 0.001 = B, consumed 1, remaining 0.
			// 0.00 means "not yet overspent": at-risk, not frozen; nothing left
			// to burn, so exhaustion is 0.
			name: "exactly spent", window: events(1e6, 1000),
			wantSLI: 0.999, wantRemaining: 0, wantSeconds: 0,
			wantState: "at-risk", wantShare: 0.30, wantExhausted: true, wantWindowBurn: 1,
		},
		{
			// 1200 bad: e = 0.0012, consumed 1.2, remaining −0.2,
			// −0.2 × 2592 s = −518.4 s; below every threshold: frozen
			name: "overspent", window: events(1e6, 1200),
			wantSLI: 0.9988, wantRemaining: -0.2, wantSeconds: -518.4,
			wantState: "frozen", wantFreeze: true, wantShare: 0, wantExhausted: true, wantWindowBurn: 1.2,
		},
		{
			// 500 bad: consumed 0.5, remaining exactly 0.50 meets healthy's
			// threshold (>=); 0.5 × 2592 = 1296 s
			name: "healthy threshold met exactly", window: events(1e6, 500),
			wantSLI: 0.9995, wantRemaining: 0.5, wantSeconds: 1296,
			wantState: "healthy", wantShare: 0.70, wantWindowBurn: 0.5, wantNoExhaustion: true,
		},
		{
			// 501 bad: remaining 1 − 0.501 = 0.499, just under: caution;
			// 0.499 × 2592 = 1293.408 s
			name: "just below healthy", window: events(1e6, 501),
			wantSLI: 0.999499, wantRemaining: 0.499, wantSeconds: 1293.408,
			wantState: "caution", wantShare: 0.50, wantWindowBurn: 0.501, wantNoExhaustion: true,
		},
		{
			// 750 bad: remaining 0.25 exactly: caution; 0.25 × 2592 = 648 s
			name: "caution threshold met exactly", window: events(1e6, 750),
			wantSLI: 0.99925, wantRemaining: 0.25, wantSeconds: 648,
			wantState: "caution", wantShare: 0.50, wantWindowBurn: 0.75, wantNoExhaustion: true,
		},
		{
			// 751 bad: remaining 0.249: at-risk; 0.249 × 2592 = 645.408 s
			name: "just below caution", window: events(1e6, 751),
			wantSLI: 0.999249, wantRemaining: 0.249, wantSeconds: 645.408,
			wantState: "at-risk", wantShare: 0.30, wantWindowBurn: 0.751, wantNoExhaustion: true,
		},
		{
			// 1001 bad: remaining −0.001: overspent by one request per million
			// is already frozen; −0.001 × 2592 = −2.592 s
			name: "overspent by a hair", window: events(1e6, 1001),
			wantSLI: 0.998999, wantRemaining: -0.001, wantSeconds: -2.592,
			wantState: "frozen", wantFreeze: true, wantShare: 0, wantExhausted: true, wantWindowBurn: 1.001,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := evaluate(t, testSLO(99.9, 30*day), nil, tt.window, nil)
			if r.SLI == nil {
				t.Fatalf("SLI = nil, want %v", tt.wantSLI)
			}
			if *r.SLI != tt.wantSLI {
				t.Errorf("SLI = %v, want %v", *r.SLI, tt.wantSLI)
			}
			// Exact: remaining is one rounding of the same fraction the
			// constant is, so even the last bit must agree.
			if r.BudgetRemaining != tt.wantRemaining {
				t.Errorf("BudgetRemaining = %v, want %v", r.BudgetRemaining, tt.wantRemaining)
			}
			if !near(r.BudgetRemainingSeconds, tt.wantSeconds) {
				t.Errorf("BudgetRemainingSeconds = %v, want %v", r.BudgetRemainingSeconds, tt.wantSeconds)
			}
			if r.BudgetTotalSeconds != 2592 {
				t.Errorf("BudgetTotalSeconds = %v, want 2592", r.BudgetTotalSeconds)
			}
			if r.PolicyState != tt.wantState || r.FeatureFreeze != tt.wantFreeze || r.FeatureShare != tt.wantShare {
				t.Errorf("policy = %s freeze=%v share=%v, want %s freeze=%v share=%v",
					r.PolicyState, r.FeatureFreeze, r.FeatureShare, tt.wantState, tt.wantFreeze, tt.wantShare)
			}
			if got, ok := r.BurnRates["30d"]; !ok || !near(got, tt.wantWindowBurn) {
				t.Errorf("BurnRates[30d] = %v (present %v), want %v", got, ok, tt.wantWindowBurn)
			}
			switch {
			case tt.wantExhausted:
				if r.ExhaustionSeconds == nil || *r.ExhaustionSeconds != 0 {
					t.Errorf("ExhaustionSeconds = %v, want 0", fmtPtr(r.ExhaustionSeconds))
				}
			case tt.wantNoExhaustion:
				if r.ExhaustionSeconds != nil {
					t.Errorf("ExhaustionSeconds = %v, want nil (no burn in the last hour)", *r.ExhaustionSeconds)
				}
			}
			if r.Alerts.Page || r.Alerts.Ticket {
				t.Errorf("alerts = %+v without any short-window data", r.Alerts)
			}
		})
	}
}

func fmtPtr(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestEvaluateResultIdentity(t *testing.T) {
	r := evaluate(t, testSLO(99.9, 30*day), nil, events(1e6, 400), nil)
	if r.Name != "checkout-availability" || r.Service != "checkout" || r.Labels["team"] != "payments" {
		t.Errorf("identity = %q/%q/%v", r.Name, r.Service, r.Labels)
	}
	// 99.9 / 100 in floating point is 0.9990000000000001; the API must say 0.999.
	if r.Objective != 0.999 {
		t.Errorf("Objective = %v, want 0.999", r.Objective)
	}
	if r.Window != "30d" || r.WindowSeconds != 2592000 {
		t.Errorf("Window = %q / %v s, want 30d / 2592000 s", r.Window, r.WindowSeconds)
	}
	if !r.EvaluatedAt.Equal(evalAt) {
		t.Errorf("EvaluatedAt = %v, want %v", r.EvaluatedAt, evalAt)
	}
	if r.Events != events(1e6, 400) {
		t.Errorf("Events = %+v", r.Events)
	}
	if r.Policy != "default" || !slices.Equal(r.PolicyStates, []string{"healthy", "caution", "at-risk", "frozen"}) {
		t.Errorf("Policy = %q states %v", r.Policy, r.PolicyStates)
	}
	if r.Consequence == "" {
		t.Error("Consequence is empty; the default policy's states all have one")
	}
	if r.Error != "" || len(r.Notes) != 0 {
		t.Errorf("Error = %q, Notes = %v on a clean evaluation", r.Error, r.Notes)
	}
}

func TestEvaluateOtherObjectives(t *testing.T) {
	tests := []struct {
		objective     float64
		window        time.Duration
		counts        Counts
		wantRemaining float64
		wantSeconds   float64
		wantTotal     float64
		wantState     string
	}{
		// 99% over 28d: B = 0.01, W = 2,419,200 s, total 24,192 s.
		// 1 bad of 200: e = 0.005, consumed 0.5, remaining 0.5 (healthy), 12,096 s.
		{99, 28 * day, events(200, 1), 0.5, 12096, 24192, "healthy"},
		// 99.95% over 7d: B = 0.0005, W = 604,800 s, total 302.4 s.
		// 375 bad of 1e6: e = 0.000375, consumed 0.75, remaining 0.25 (caution), 75.6 s.
		{99.95, 7 * day, events(1e6, 375), 0.25, 75.6, 302.4, "caution"},
		// 99.99% over 90d: B = 0.0001, W = 7,776,000 s, total 777.6 s.
		// 100 bad of 1e6: e = 0.0001, consumed 1, remaining 0 (at-risk), 0 s.
		{99.99, 90 * day, events(1e6, 100), 0, 0, 777.6, "at-risk"},
		// 95% over 30d: B = 0.05, total 129,600 s.
		// 3 bad of 20: e = 0.15, consumed 3, remaining −2 (frozen), −259,200 s.
		{95, 30 * day, events(20, 3), -2, -259200, 129600, "frozen"},
	}
	for _, tt := range tests {
		r := evaluate(t, testSLO(tt.objective, tt.window), nil, tt.counts, nil)
		if !near(r.BudgetRemaining, tt.wantRemaining) || !near(r.BudgetRemainingSeconds, tt.wantSeconds) ||
			!near(r.BudgetTotalSeconds, tt.wantTotal) || r.PolicyState != tt.wantState {
			t.Errorf("%v%% over %s: remaining %v (%v s of %v s) %s, want %v (%v s of %v s) %s",
				tt.objective, WindowLabel(tt.window), r.BudgetRemaining, r.BudgetRemainingSeconds, r.BudgetTotalSeconds,
				r.PolicyState, tt.wantRemaining, tt.wantSeconds, tt.wantTotal, tt.wantState)
		}
	}
}

func TestEvaluateNoTrafficInWindow(t *testing.T) {
	r := evaluate(t, testSLO(99.9, 30*day), nil, Counts{}, nil)
	if r.SLI != nil {
		t.Errorf("SLI = %v, want nil without traffic", *r.SLI)
	}
	// Nothing was spent: remaining 1, the whole 2592 s of outage time left.
	if r.BudgetRemaining != 1 || r.BudgetRemainingSeconds != 2592 {
		t.Errorf("remaining = %v (%v s), want 1 (2592 s)", r.BudgetRemaining, r.BudgetRemainingSeconds)
	}
	if _, ok := r.BurnRates["30d"]; ok || len(r.BurnRates) != 0 {
		t.Errorf("BurnRates = %v, want no keys", r.BurnRates)
	}
	if r.BurnRates == nil {
		t.Error("BurnRates is nil; the API shape wants {} not null")
	}
	if r.ExhaustionSeconds != nil {
		t.Errorf("ExhaustionSeconds = %v, want nil", *r.ExhaustionSeconds)
	}
	if r.PolicyState != "healthy" || r.Alerts.Page || r.Alerts.Ticket {
		t.Errorf("state %s alerts %+v, want healthy and none", r.PolicyState, r.Alerts)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "no traffic in the 30d window") {
		t.Errorf("Notes = %q, want a no-traffic note", r.Notes)
	}
}

func TestEvaluateNoTrafficInShortWindows(t *testing.T) {
	// 1h: 1000 bad of 100,000 → e = 0.01, burn 10 — far above the 14.4/6
	// page factors? No: 10 < 14.4, but it is above 6 and the 6h/30m pair has
	// no data at all. 5m saw no requests: key absent. 30m and the rest are not
	// in the input at all: key absent too.
	burn := map[time.Duration]Counts{
		time.Hour:       events(100000, 1000),
		5 * time.Minute: {},
		6 * time.Hour:   events(600000, 6000), // burn 10 > 6, but 30m is missing
	}
	r := evaluate(t, testSLO(99.9, 30*day), nil, events(1e6, 400), burn)
	want := map[string]float64{"1h": 10, "6h": 10, "30d": 0.4}
	if len(r.BurnRates) != len(want) {
		t.Errorf("BurnRates = %v, want exactly the keys of %v", r.BurnRates, want)
	}
	for k, v := range want {
		if got, ok := r.BurnRates[k]; !ok || !near(got, v) {
			t.Errorf("BurnRates[%s] = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if r.Alerts.Page || r.Alerts.Ticket {
		t.Errorf("alerts = %+v; a pair with a window without traffic must not fire", r.Alerts)
	}
	// 0.6 × 2,592,000 s / 10 = 155,520 s = 1.8 days
	if r.ExhaustionSeconds == nil || !near(*r.ExhaustionSeconds, 155520) {
		t.Errorf("ExhaustionSeconds = %v, want 155520", fmtPtr(r.ExhaustionSeconds))
	}
}

func TestEvaluateAlertPairs(t *testing.T) {
	// Burn rates per window at 99.9% (B = 0.001): bad/total/0.001.
	//   1h  of 100,000: 1440 bad → 14.4, 1441 → 14.41
	//   5m  of  10,000:  144 bad → 14.4,  145 → 14.5
	//   6h  of 600,000: 3600 bad → 6,    3601 → 6.001666…
	//   30m of  50,000:  300 bad → 6,     301 → 6.02
	//   1d  of 2.4e6:   7200 bad → 3,    7201 → 3.000416…
	//   2h  of 200,000:  600 bad → 3,     601 → 3.005
	//   3d  of 7.2e6:   7200 bad → 1,    7201 → 1.000138…
	//   6h  of 600,000:  600 bad → 1,     601 → 1.001666…
	// The condition is strict: burn(L) > k AND burn(S) > k.
	type w = map[time.Duration]Counts
	const h = time.Hour
	tests := []struct {
		name       string
		window     time.Duration
		burn       w
		page, tick bool
	}{
		{"1h/5m exactly at 14.4 does not page", 30 * day,
			w{h: events(1e5, 1440), 5 * time.Minute: events(1e4, 144)}, false, false},
		{"1h/5m just above 14.4 pages", 30 * day,
			w{h: events(1e5, 1441), 5 * time.Minute: events(1e4, 145)}, true, false},
		{"1h above but 5m exactly at 14.4 does not page", 30 * day,
			w{h: events(1e5, 1441), 5 * time.Minute: events(1e4, 144)}, false, false},
		{"1h above but 5m far below does not page", 30 * day,
			w{h: events(1e5, 5000), 5 * time.Minute: events(1e4, 1)}, false, false},
		{"5m above but 1h below does not page", 30 * day,
			w{h: events(1e5, 1000), 5 * time.Minute: events(1e4, 1000)}, false, false},
		{"6h/30m exactly at 6 does not page", 30 * day,
			w{6 * h: events(6e5, 3600), 30 * time.Minute: events(5e4, 300)}, false, false},
		{"6h/30m just above 6 pages", 30 * day,
			w{6 * h: events(6e5, 3601), 30 * time.Minute: events(5e4, 301)}, true, false},
		{"1d/2h exactly at 3 does not ticket", 30 * day,
			w{24 * h: events(2.4e6, 7200), 2 * h: events(2e5, 600)}, false, false},
		{"1d/2h just above 3 tickets", 30 * day,
			w{24 * h: events(2.4e6, 7201), 2 * h: events(2e5, 601)}, false, true},
		{"3d/6h exactly at 1 does not ticket", 30 * day,
			w{72 * h: events(7.2e6, 7200), 6 * h: events(6e5, 600)}, false, false},
		{"3d/6h just above 1 tickets", 30 * day,
			w{72 * h: events(7.2e6, 7201), 6 * h: events(6e5, 601)}, false, true},
		{"3d above but 6h below does not ticket", 30 * day,
			w{72 * h: events(7.2e6, 7201), 6 * h: events(6e5, 599)}, false, false},
		{"page and ticket together", 30 * day,
			w{h: events(1e5, 2000), 5 * time.Minute: events(1e4, 200),
				72 * h: events(7.2e6, 7201), 6 * h: events(6e5, 601)}, true, true},
		// 28d: factor 0.02 × 672 = 13.44. 1344 bad of 1e5 → 13.44: not above.
		{"28d: 1h/5m exactly at 13.44 does not page", 28 * day,
			w{h: events(1e5, 1344), 5 * time.Minute: events(1e4, 135)}, false, false},
		// 1345 → 13.45 > 13.44 (and 135 of 1e4 → 13.5): pages, though it
		// would not under the 30d factor 14.4.
		{"28d: 1h/5m at 13.45 pages", 28 * day,
			w{h: events(1e5, 1345), 5 * time.Minute: events(1e4, 135)}, true, false},
		{"30d: 1h/5m at 13.45 does not page", 30 * day,
			w{h: events(1e5, 1345), 5 * time.Minute: events(1e4, 135)}, false, false},
		// 28d ticket 3d/6h factor 14/15 = 0.9333…: 94 bad of 1e5 → 0.94 > it.
		{"28d: 3d/6h at 0.94 tickets", 28 * day,
			w{72 * h: events(1e5, 94), 6 * h: events(1e5, 94)}, false, true},
		{"30d: 3d/6h at 0.94 does not ticket", 30 * day,
			w{72 * h: events(1e5, 94), 6 * h: events(1e5, 94)}, false, false},
		// 90d: factor 0.02 × 2160 = 43.2.
		{"90d: 1h/5m exactly at 43.2 does not page", 90 * day,
			w{h: events(1e5, 4320), 5 * time.Minute: events(1e4, 432)}, false, false},
		{"90d: 1h/5m just above 43.2 pages", 90 * day,
			w{h: events(1e5, 4321), 5 * time.Minute: events(1e4, 433)}, true, false},
		{"90d: 1h/5m at 20 does not page", 90 * day,
			w{h: events(1e5, 2000), 5 * time.Minute: events(1e4, 200)}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := evaluate(t, testSLO(99.9, tt.window), nil, events(1e9, 0), tt.burn)
			if r.Alerts.Page != tt.page || r.Alerts.Ticket != tt.tick {
				t.Errorf("alerts = page %v ticket %v, want page %v ticket %v (burn rates %v)",
					r.Alerts.Page, r.Alerts.Ticket, tt.page, tt.tick, r.BurnRates)
			}
		})
	}
}

func TestEvaluateBurnRateValues(t *testing.T) {
	// One distinct rate per window so a mixed-up key shows. B = 0.001.
	burn := map[time.Duration]Counts{
		5 * time.Minute:  events(1000, 1),     // 0.001/0.001 = 1
		30 * time.Minute: events(1000, 2),     // 2
		time.Hour:        events(1000, 3),     // 3
		2 * time.Hour:    events(1000, 4),     // 4
		6 * time.Hour:    events(1000, 5),     // 5
		day:              events(1000, 6),     // 6
		3 * day:          events(1000, 7),     // 7
		30 * day:         events(1000, 1000),  // ignored: the SLO window uses Input.Window
		7 * day:          events(1000, 1000),  // not a burn window: ignored
		time.Minute:      events(1000, 1000),  // not a burn window: ignored
		15 * time.Minute: events(1000, 0.5e3), // not a burn window: ignored
	}
	r := evaluate(t, testSLO(99.9, 30*day), nil, events(1e6, 250), burn)
	// 30d: 250/1e6/0.001 = 0.25
	want := map[string]float64{"5m": 1, "30m": 2, "1h": 3, "2h": 4, "6h": 5, "1d": 6, "3d": 7, "30d": 0.25}
	if len(r.BurnRates) != len(want) {
		t.Errorf("BurnRates = %v, want keys of %v", r.BurnRates, want)
	}
	for k, v := range want {
		if got, ok := r.BurnRates[k]; !ok || !near(got, v) {
			t.Errorf("BurnRates[%s] = %v (present %v), want %v", k, got, ok, v)
		}
	}
}

func TestEvaluateWindowLabelSpelling(t *testing.T) {
	// A 28d SLO's own burn rate is keyed "28d", never "4w".
	r := evaluate(t, testSLO(99.9, 28*day), nil, events(1e6, 100), nil)
	if _, ok := r.BurnRates["28d"]; !ok || r.Window != "28d" {
		t.Errorf("Window %q, BurnRates %v: want key 28d", r.Window, r.BurnRates)
	}
}

func TestEvaluateTimeToExhaustion(t *testing.T) {
	// Full budget (no bad events in the window, remaining 1), so exhaustion =
	// 1 × 2,592,000 s / burn(1h). In the last hour, of 100,000 requests:
	tests := []struct {
		name      string
		remaining Counts
		hourBad   float64
		want      float64
	}{
		{"burn 1 lasts the window", events(1e9, 0), 100, 2592000},                // 100/1e5/0.001 = 1 → 30d
		{"burn 2 lasts half", events(1e9, 0), 200, 1296000},                      // 2 → 15d
		{"burn 10", events(1e9, 0), 1000, 259200},                                // 10 → 3d
		{"burn 1000 (every request fails)", events(1e9, 0), 100000, 2592},        // 1000 → 43.2 min
		{"60% left at burn 2", events(1e6, 400), 200, 0.6 * 2592000 / 2},         // 777,600 s = 9d
		{"exhausted budget is 0 whatever the burn", events(1e6, 1000), 200, 0},   // remaining 0
		{"overspent budget is 0, not negative", events(1e6, 2000), 100000, 0},    // remaining −1
		{"overspent and not burning is still 0", events(1e6, 2000), 0, 0},        // nothing in 1h
		{"exhausted and no traffic in the last hour", events(1e6, 1000), -1, 0},  // 1h absent
		{"partly spent, no errors in the last hour", events(1e6, 400), 0, -1},    // nil
		{"partly spent, no traffic in the last hour", events(1e6, 400), -1, -1},  // nil
		{"untouched and not burning", events(1e6, 0), 0, -1},                     // nil
		{"no traffic at all", Counts{}, -1, -1},                                  // nil
		{"no window traffic but errors this hour", Counts{}, 1000, 259200},       // remaining 1, burn 10
		{"caution budget burning fast", events(1e6, 700), 100000, 0.3 * 2592},    // 0.3 × 2592000/1000 = 777.6 s
		{"budget exactly 0.5 at burn 1", events(1e6, 500), 100, 0.5 * 2592000.0}, // 15d
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			burn := map[time.Duration]Counts{}
			if tt.hourBad >= 0 {
				burn[time.Hour] = events(1e5, tt.hourBad)
			}
			r := evaluate(t, testSLO(99.9, 30*day), nil, tt.remaining, burn)
			if tt.want < 0 {
				if r.ExhaustionSeconds != nil {
					t.Errorf("ExhaustionSeconds = %v, want nil (not burning)", *r.ExhaustionSeconds)
				}
				return
			}
			if r.ExhaustionSeconds == nil || !near(*r.ExhaustionSeconds, tt.want) {
				t.Errorf("ExhaustionSeconds = %v, want %v", fmtPtr(r.ExhaustionSeconds), tt.want)
			}
		})
	}
}

func TestEvaluateDataErrors(t *testing.T) {
	def := DefaultPolicy()
	tests := []struct {
		name      string
		objective float64
		window    Counts
		burn      map[time.Duration]Counts
		wantErr   string
	}{
		{"good above total over the SLO window", 99.9, Counts{Good: 1001, Total: 1000}, nil,
			"good events exceed total over 30d (good 1001 > total 1000)"},
		{"good above total in a short window", 99.9, events(1e6, 0),
			map[time.Duration]Counts{5 * time.Minute: {Good: 11, Total: 10}},
			"good events exceed total over 5m"},
		{"good above total in a window Evaluate would skip for no traffic", 99.9, events(1e6, 0),
			map[time.Duration]Counts{time.Hour: {Good: 3, Total: 0}},
			"good events exceed total over 1h"},
		{"negative total", 99.9, Counts{Good: 0, Total: -5}, nil, "negative event count over 30d"},
		{"negative good", 99.9, Counts{Good: -1, Total: 5}, nil, "negative event count over 30d"},
		{"NaN total", 99.9, Counts{Good: 1, Total: math.NaN()}, nil, "not a finite number"},
		{"NaN good", 99.9, Counts{Good: math.NaN(), Total: 10}, nil, "not a finite number"},
		{"infinite total in a short window", 99.9, events(10, 0),
			map[time.Duration]Counts{6 * time.Hour: {Good: 1, Total: math.Inf(1)}}, "not a finite number"},
		{"objective 100 has no budget", 100, events(10, 0), nil, "leaves no error budget"},
		// The same guard as config validation (CheckObjective), so the same words.
		{"objective above 100", 100.5, events(10, 0), nil, "not a percentage between 1 and 100"},
		{"negative objective", -1, events(10, 0), nil, "not a percentage between 1 and 100"},
		{"objective as a ratio", 0.999, events(10, 0), nil, "looks like a ratio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(testSLO(tt.objective, 30*day), &def, Input{At: evalAt, Window: tt.window, Burn: tt.burn})
			if err == nil {
				t.Fatalf("Evaluate: no error, want one containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Evaluate error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestEvaluateCustomPolicy(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	strict := Policy{Name: "strict", States: []PolicyState{
		{Name: "green", MinBudgetRemaining: f(0.80), FeatureShare: 1.0},
		{Name: "amber", MinBudgetRemaining: f(0.50), FeatureShare: 0.6, Consequence: "slow down"},
		{Name: "red", Freeze: true, FeatureShare: 0.1, Consequence: "stop"},
	}}
	// A policy whose last state has a threshold: below it, the last state
	// still applies (it is the catch-all).
	noCatchAll := Policy{Name: "thresholds-only", States: []PolicyState{
		{Name: "fine", MinBudgetRemaining: f(0.5), FeatureShare: 0.9},
		{Name: "spent", MinBudgetRemaining: f(0), FeatureShare: 0.2, Freeze: true},
	}}
	tests := []struct {
		policy    *Policy
		bad       float64 // of 1e6 at 99.9%: remaining = 1 − bad/1000
		wantState string
		wantShare float64
		freeze    bool
		conseq    string
	}{
		{&strict, 0, "green", 1.0, false, ""},            // remaining 1
		{&strict, 200, "green", 1.0, false, ""},          // 0.8 exactly: meets green
		{&strict, 201, "amber", 0.6, false, "slow down"}, // 0.799
		{&strict, 500, "amber", 0.6, false, "slow down"}, // 0.5 exactly
		{&strict, 501, "red", 0.1, true, "stop"},         // 0.499
		{&strict, 5000, "red", 0.1, true, "stop"},        // −4
		{&noCatchAll, 400, "fine", 0.9, false, ""},       // 0.6
		{&noCatchAll, 1000, "spent", 0.2, true, ""},      // 0
		{&noCatchAll, 1500, "spent", 0.2, true, ""},      // −0.5: below every threshold, last state
	}
	for _, tt := range tests {
		r := evaluate(t, testSLO(99.9, 30*day), tt.policy, events(1e6, tt.bad), nil)
		if r.PolicyState != tt.wantState || r.FeatureShare != tt.wantShare || r.FeatureFreeze != tt.freeze ||
			r.Consequence != tt.conseq || r.Policy != tt.policy.Name {
			t.Errorf("%s with %v bad: %s/%s share %v freeze %v %q, want %s share %v freeze %v %q",
				tt.policy.Name, tt.bad, r.Policy, r.PolicyState, r.FeatureShare, r.FeatureFreeze, r.Consequence,
				tt.wantState, tt.wantShare, tt.freeze, tt.conseq)
		}
		var names []string
		for _, st := range tt.policy.States {
			names = append(names, st.Name)
		}
		if !slices.Equal(r.PolicyStates, names) {
			t.Errorf("PolicyStates = %v, want %v", r.PolicyStates, names)
		}
	}
}

func TestObjectiveAsExactDecimal(t *testing.T) {
	// The right-hand sides are untyped Go constants: exact decimal arithmetic
	// rounded once to float64, i.e. the nearest float64 to the true value.
	tests := []struct {
		objective         float64
		wantRatio, budget float64
	}{
		{99.9, 0.999, 1 - 0.999},
		{99, 0.99, 0.01},
		{99.5, 0.995, 0.005},
		{99.95, 0.9995, 0.0005},
		{99.99, 0.9999, 0.0001},
		{99.999, 0.99999, 0.00001},
		{95, 0.95, 0.05},
		{90, 0.9, 0.1},
		{99.123, 0.99123, 0.00877},
	}
	for _, tt := range tests {
		s := SLO{Objective: tt.objective}
		if got := s.ObjectiveRatio(); got != tt.wantRatio {
			t.Errorf("ObjectiveRatio(%v) = %v, want %v", tt.objective, got, tt.wantRatio)
		}
		if got := s.ErrorBudget(); got != tt.budget {
			t.Errorf("ErrorBudget(%v) = %v, want %v", tt.objective, got, tt.budget)
		}
	}
}
