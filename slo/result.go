package slo

import (
	"encoding/json"
	"time"
)

// Counts is the number of events in one window. Bad is Total − Good.
type Counts struct {
	Good  float64 `json:"good"`
	Total float64 `json:"total"`
}

// Bad returns the number of bad events.
func (c Counts) Bad() float64 { return c.Total - c.Good }

// Input is everything Evaluate needs: event counts per window, all taken at
// the same instant At.
type Input struct {
	At time.Time
	// Window holds the counts over the SLO window.
	Window Counts
	// Burn holds the counts per short window (keys from BurnWindows). A missing
	// key or a zero total means no traffic in that window.
	Burn map[time.Duration]Counts
}

// Alerts says which multiwindow multi-burn-rate conditions hold.
type Alerts struct {
	Page   bool `json:"page"`
	Ticket bool `json:"ticket"`
}

// Result is the evaluated state of one SLO: the contract's API shape.
type Result struct {
	Name        string            `json:"name"`
	Service     string            `json:"service"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Objective   float64           `json:"objective"` // ratio
	Window      string            `json:"window"`
	// WindowSeconds is the SLO window's length.
	WindowSeconds float64 `json:"windowSeconds"`
	// SLI is nil when the SLO window saw no traffic.
	SLI    *float64 `json:"sli"`
	Events Counts   `json:"events"`
	// BudgetRemaining is 1 − consumed; negative when overspent; 1 when the
	// window saw no traffic (nothing was spent).
	BudgetRemaining        float64 `json:"budgetRemaining"`
	BudgetRemainingSeconds float64 `json:"budgetRemainingSeconds"`
	// BudgetTotalSeconds is the whole budget as outage time: window × (1 − objective).
	BudgetTotalSeconds float64 `json:"budgetTotalSeconds"`
	// BurnRates is keyed by window label; windows without traffic have no key.
	BurnRates map[string]float64 `json:"burnRates"`
	Alerts    Alerts             `json:"alerts"`
	Policy    string             `json:"policy"`
	// PolicyState is the name of the current state; PolicyStates lists all
	// states of the policy in order.
	PolicyState   string   `json:"policyState"`
	PolicyStates  []string `json:"policyStates"`
	FeatureFreeze bool     `json:"featureFreeze"`
	FeatureShare  float64  `json:"featureShare"`
	Consequence   string   `json:"consequence,omitempty"`
	// ExhaustionSeconds is nil when the budget is not burning (no traffic or
	// no errors in the last hour), 0 when already exhausted.
	ExhaustionSeconds *float64 `json:"exhaustionSeconds"`
	// EvaluatedAt is when these numbers were computed successfully (the
	// evaluation instant). Zero before the first success.
	EvaluatedAt time.Time `json:"evaluatedAt"`
	// Error is empty when the last evaluation got all its data; otherwise the
	// numbers above are the last good ones (stale) or absent.
	Error string `json:"error"`
	// Notes carries non-fatal observations, e.g. windows without traffic.
	Notes []string `json:"notes,omitempty"`
}

// MarshalJSON writes the figures of an SLO never evaluated successfully as
// null (evaluatedAt, events, budget, policy state, freeze, feature share)
// rather than Go's zero values, which would read as "budget exhausted in year 1".
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // no methods: no recursion
	out := struct {
		plain
		Events                 *Counts    `json:"events"`
		BudgetRemaining        *float64   `json:"budgetRemaining"`
		BudgetRemainingSeconds *float64   `json:"budgetRemainingSeconds"`
		PolicyState            *string    `json:"policyState"`
		FeatureFreeze          *bool      `json:"featureFreeze"`
		FeatureShare           *float64   `json:"featureShare"`
		EvaluatedAt            *time.Time `json:"evaluatedAt"`
	}{plain: plain(r)}
	if !r.EvaluatedAt.IsZero() {
		out.Events, out.BudgetRemaining, out.BudgetRemainingSeconds = &r.Events, &r.BudgetRemaining, &r.BudgetRemainingSeconds
		out.PolicyState, out.FeatureFreeze, out.FeatureShare = &r.PolicyState, &r.FeatureFreeze, &r.FeatureShare
		out.EvaluatedAt = &r.EvaluatedAt
	}
	return json.Marshal(out)
}
