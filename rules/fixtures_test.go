package rules

import (
	"time"

	"github.com/slobudget/slobudget/slo"
)

const day = 24 * time.Hour

// testConfig is a config as the loader would produce it: an events SLI with
// an errors selector, one with a good selector, and a latency SLI, with the
// per-SLO alerting options exercised, and a time-slice SLI with a 30s slice.
func testConfig() *slo.Config {
	f := func(v float64) *float64 { return &v }
	return &slo.Config{
		Policies: []slo.Policy{{
			Name: "strict",
			States: []slo.PolicyState{
				{Name: "ok", MinBudgetRemaining: f(0.3), FeatureShare: 0.6},
				{Name: "frozen", MinBudgetRemaining: f(0), Freeze: true, FeatureShare: 0.1,
					Consequence: "feature releases frozen: only fixes for this service ship"},
				{Name: "overspent", Freeze: true, FeatureShare: 0},
			},
		}},
		SLOs: []slo.SLO{
			{
				Name: "checkout-availability", Service: "checkout",
				Objective: 99.9, Window: slo.Window{Text: "30d", Duration: 30 * day}, Policy: "default",
				Labels:     map[string]string{"team": "payments"},
				RunbookURL: "https://runbooks.example.com/checkout",
				SLI: slo.SLI{Events: &slo.EventsSLI{
					Errors: `http_requests_total{service="checkout",code=~"5.."}`,
					Total:  `http_requests_total{service="checkout"}`,
				}},
			},
			{
				Name: "search-good", Service: "search",
				Objective: 99.5, Window: slo.Window{Text: "28d", Duration: 28 * day}, Policy: "strict",
				Alerting: slo.Alerting{
					TicketDisabled: true,
					Labels:         map[string]string{"channel": "search-oncall"},
					Annotations:    map[string]string{"dashboard": "https://grafana.example.com/d/search"},
					For:            map[string]time.Duration{"page": 5 * time.Minute},
				},
				SLI: slo.SLI{Events: &slo.EventsSLI{
					Good:  `search_requests_total{outcome="ok"}`,
					Total: `search_requests_total`,
				}},
			},
			{
				Name: "checkout-latency", Service: "checkout",
				Objective: 99, Window: slo.Window{Text: "7d", Duration: 7 * day}, Policy: "default",
				SLI: slo.SLI{Latency: &slo.LatencySLI{
					Histogram: `http_request_duration_seconds{service="checkout"}`,
					Threshold: 0.5,
				}},
			},
			{
				Name: "orders-freshness", Service: "orders-pipeline",
				Objective: 99, Window: slo.Window{Text: "7d", Duration: 7 * day}, Policy: "default",
				SLI: slo.SLI{TimeSlice: &slo.TimeSliceSLI{
					Query: `pipeline_lag_seconds{pipeline="orders"}`, Op: "<", Threshold: 900, Slice: 30 * time.Second,
				}},
			},
		},
	}
}
