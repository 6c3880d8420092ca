package statuspage

import (
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// testNow is the pinned clock of every test: the page shows times and ages.
var testNow = time.Date(2026, 3, 15, 14, 20, 30, 0, time.UTC)

const day = 24 * time.Hour

// scenario is one SLO with hand-made counts and the figures expected from
// them, computed here from the definitions in math.md rather than by the code
// under test.
type scenario struct {
	name, service, desc string
	objective           float64 // percent
	window              time.Duration
	windowText          string
	good, total         float64 // over the SLO window
	burn                map[time.Duration]slo.Counts
	at                  time.Time
	err                 string // evaluation error: stale numbers
	never               bool   // never evaluated successfully
	failingSince        time.Time
	missingSelector     string        // set: the total selector matched nothing (data missing)
	covered             time.Duration // set: data covers only this much of the window
	recovery            map[string]float64
}

func counts(bad, total float64) slo.Counts { return slo.Counts{Good: total - bad, Total: total} }

// scenarios covers every state the page distinguishes.
func scenarios() []scenario {
	return []scenario{
		{
			// 2,000 bad of 10M at 99.9%: 20% of the budget spent, 80% left.
			name: "checkout-availability", service: "checkout", desc: "Checkout API answers without a server error",
			objective: 99.9, window: 30 * day, windowText: "30d",
			good: 10_000_000 - 2_000, total: 10_000_000,
			burn: map[time.Duration]slo.Counts{
				5 * time.Minute: counts(0, 1_200), 30 * time.Minute: counts(1, 7_000),
				time.Hour: counts(3, 14_000), 2 * time.Hour: counts(5, 28_000),
				6 * time.Hour: counts(16, 80_000), day: counts(60, 320_000), 3 * day: counts(200, 1_000_000),
			},
			at: testNow,
		},
		{
			// An outage now: 1h and 5m both burn above 14.4, so it pages; 6,500
			// bad of 10M leaves 35% (caution).
			name: "search-latency", service: "search", desc: "Search answers within 500 ms",
			objective: 99.9, window: 30 * day, windowText: "30d",
			good: 10_000_000 - 6_500, total: 10_000_000,
			burn: map[time.Duration]slo.Counts{
				5 * time.Minute: counts(40, 1_700), 30 * time.Minute: counts(200, 10_000),
				time.Hour: counts(400, 20_000), 2 * time.Hour: counts(420, 40_000),
				6 * time.Hour: counts(500, 120_000), day: counts(700, 480_000), 3 * day: counts(1_500, 1_440_000),
			},
			at: testNow,
		},
		{
			// 12,000 bad of 10M at 99.9%: 120% spent, overspent by 20%: frozen.
			name: "payments-api", service: "payments",
			objective: 99.9, window: 30 * day, windowText: "30d",
			good: 10_000_000 - 12_000, total: 10_000_000,
			burn: map[time.Duration]slo.Counts{
				time.Hour: counts(10, 10_000), 5 * time.Minute: counts(1, 900),
			},
			at: testNow,
		},
		{
			// 99% over 28d, 300 bad of 100k: 30% spent, 70% left; 1d and 2h
			// burn above 2.8 (the 28d ticket factor), so a ticket.
			name: "batch-success", service: "billing", desc: "Nightly billing batches finish",
			objective: 99, window: 28 * day, windowText: "28d",
			good: 100_000 - 300, total: 100_000,
			burn: map[time.Duration]slo.Counts{
				2 * time.Hour: counts(20, 500), day: counts(120, 4_000), 3 * day: counts(200, 12_000),
			},
			at: testNow,
		},
		{
			// The last evaluation failed 10 minutes after these numbers.
			name: "profile-availability", service: "profile",
			objective: 99.5, window: 7 * day, windowText: "7d",
			good: 99_900, total: 100_000,
			burn:         map[time.Duration]slo.Counts{time.Hour: counts(1, 1_000)},
			at:           testNow.Add(-10 * time.Minute),
			err:          `querying Prometheus: Get "http://prometheus:9090/api/v1/query": connection refused`,
			failingSince: testNow.Add(-9*time.Minute - 30*time.Second),
		},
		{
			name: "pipeline-freshness", service: "etl", desc: "Warehouse lag under 15 minutes",
			objective: 99, window: 30 * day, windowText: "30d",
			at: testNow,
		},
		{
			name: "quality-checks", service: "etl", objective: 99.95, window: 30 * day, windowText: "30d",
			never: true, err: `query "dq_checks_total" returned no series`,
		},
		{
			// Prometheus answered, but the total selector matches no series.
			name: "orders-availability", service: "orders", objective: 99.9, window: 30 * day, windowText: "30d",
			at: testNow, missingSelector: `http_requests_total{service="orders"}`,
		},
		{
			// Metrics began 2d 4h ago: 52h of 720h covered, provisional. 40
			// bad of 50,000 at 99.9%: 80% spent, 20% left: at-risk; at the
			// current pace it is back to caution in 3d 4h.
			name: "signup-availability", service: "signup", desc: "Sign-up form submits",
			objective: 99.9, window: 30 * day, windowText: "30d",
			good: 50_000 - 40, total: 50_000, at: testNow, covered: 52 * time.Hour,
			burn:     map[time.Duration]slo.Counts{time.Hour: counts(0, 1_000)},
			recovery: map[string]float64{"caution": 3*86400 + 4*3600},
		},
	}
}

func (sc scenario) def() (*slo.SLO, *slo.Policy) {
	p := slo.DefaultPolicy()
	return &slo.SLO{
		Name: sc.name, Service: sc.service, Description: sc.desc, Objective: sc.objective,
		Window: slo.Window{Text: sc.windowText, Duration: sc.window}, Policy: p.Name,
		Labels: map[string]string{"team": sc.service + "-team"},
	}, &p
}

// result runs the real slo.Evaluate, then applies what the engine does on
// failure: keep the last good numbers and set Error, or a bare skeleton.
func (sc scenario) result(t testing.TB) slo.Result {
	t.Helper()
	def, pol := sc.def()
	if sc.never {
		r := slo.Result{
			Name: def.Name, Service: def.Service, Objective: def.ObjectiveRatio(), Window: sc.windowText,
			WindowSeconds: sc.window.Seconds(), Policy: pol.Name, BurnRates: map[string]float64{}, Error: sc.err,
		}
		for _, st := range pol.States {
			r.PolicyStates = append(r.PolicyStates, st.Name)
		}
		return r
	}
	r, err := slo.Evaluate(def, pol, slo.Input{At: sc.at, Window: slo.Counts{Good: sc.good, Total: sc.total}, Burn: sc.burn})
	if err != nil {
		t.Fatalf("evaluating %s: %v", sc.name, err)
	}
	r.Error, r.FailingSince = sc.err, sc.failingSince
	if sc.missingSelector != "" {
		r.DataMissing, r.MissingSelector = true, sc.missingSelector
		r.SetCoverage(0)
	}
	if sc.covered > 0 {
		r.SetCoverage(sc.covered)
	}
	r.RecoverySeconds = sc.recovery
	return r
}

func allResults(t testing.TB) []slo.Result {
	var out []slo.Result
	for _, sc := range scenarios() {
		out = append(out, sc.result(t))
	}
	return out
}

// budgetRemaining is 1 − (bad/total)/(1 − objective), straight from math.md.
func (sc scenario) budgetRemaining() float64 {
	if sc.total == 0 {
		return 1
	}
	return 1 - ((sc.total-sc.good)/sc.total)/(1-sc.objective/100)
}

// budgetSeconds is the whole budget as outage time: W × (1 − objective).
func (sc scenario) budgetSeconds() float64 {
	return sc.window.Seconds() * (1 - sc.objective/100)
}

// burn is e/B for one window's counts.
func (sc scenario) burnRate(c slo.Counts) float64 {
	return ((c.Total - c.Good) / c.Total) / (1 - sc.objective/100)
}
