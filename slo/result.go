package slo

import (
	"encoding/json"
	"math"
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

// ProvisionalCoverage is the share of the SLO window below which a decision is
// provisional: with data for less than half the window, one quiet or one bad
// day decides the state, and the next weeks can overturn it.
const ProvisionalCoverage = 0.5

// Result is the evaluated state of one SLO: the contract's API shape.
type Result struct {
	Name        string            `json:"name"`
	Service     string            `json:"service"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Objective   float64           `json:"objective"` // ratio
	Window      string            `json:"window"`
	// WindowSeconds is the SLO window's length; for a calendar window the
	// current period's (SetCalendarPeriod).
	WindowSeconds float64 `json:"windowSeconds"`
	// PeriodStart and PeriodEnd bound a calendar window's current period
	// [start, end): the budget counts events since PeriodStart and resets
	// at PeriodEnd. Zero (absent from JSON) for a rolling window.
	PeriodStart time.Time `json:"periodStart,omitzero"`
	PeriodEnd   time.Time `json:"periodEnd,omitzero"`
	// PeriodZone is the calendar window's IANA time zone ("Europe/Berlin").
	PeriodZone string `json:"periodZone,omitempty"`
	// Exclusions lists the agreed exclusions that apply to the SLO and reach
	// into its window, with the events each removed; Events and every
	// figure leave those events out.
	Exclusions []ExcludedSpan `json:"exclusions,omitempty"`
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

	// DataMissing is true when the SLI's total selector matched no series
	// with samples anywhere in the SLO window. That is not zero traffic
	// (series that exist and did not increase, budget untouched): there is
	// nothing to count, so there is no budget and no policy decision, and
	// every output says NO DATA. Prometheus answered: Error stays empty.
	DataMissing bool `json:"dataMissing"`
	// MissingSelector is the selector that matched nothing, as the config
	// spells it, when DataMissing.
	MissingSelector string `json:"missingSelector,omitempty"`
	// Coverage is the share of the SLO window covered by data: from the
	// total selector's first sample (or the window's start, if earlier) to
	// the evaluation instant, divided by the window; 1 once the data spans
	// the whole window. Budget figures are computed over the covered part.
	// Nil when not measured. Set it with SetCoverage.
	Coverage *float64 `json:"coverage"`
	// CoveredSeconds is the covered span itself ("over 2d 4h of 30d").
	CoveredSeconds *float64 `json:"coveredSeconds"`
	// Provisional is true when the decision rests on data for less than
	// ProvisionalCoverage of the window.
	Provisional bool `json:"provisional"`
	// RecoverySeconds maps a better policy state to the time until the SLO,
	// at the current pace, climbs back into it ("freeze lifts in about 3d
	// 4h"). A better state missing from the map is not reached at this pace;
	// nil means not computed.
	RecoverySeconds map[string]float64 `json:"recoverySeconds"`

	// EvaluatedAt is when these numbers were computed successfully (the
	// evaluation instant). Zero before the first success.
	EvaluatedAt time.Time `json:"evaluatedAt"`
	// Error is empty when the last evaluation got all its data; otherwise the
	// numbers above are the last good ones (stale) or absent.
	Error string `json:"error"`
	// FailingSince is when the current run of failed evaluations began
	// ("Prometheus unreachable since 12:03"); zero while evaluations succeed.
	FailingSince time.Time `json:"failingSince"`
	// Notes carries non-fatal observations, e.g. windows without traffic.
	Notes []string `json:"notes,omitempty"`

	// Forecast is what the budget does at the current pace (ForecastBudget),
	// the source of ExhaustionSeconds, RecoverySeconds and their words; nil
	// when not computed.
	Forecast *Forecast `json:"forecast,omitempty"`
	// History is the window's hourly counts at EvaluatedAt, and PageSpans
	// where the page condition held at the engine's evaluations in the
	// window: what the charts and the history API draw from. Not part of
	// the result's JSON; the history API serves them.
	History   *HourlyHistory `json:"-"`
	PageSpans []Period       `json:"-"`
}

// HasNumbers reports whether the result carries budget figures and a policy
// decision: it was evaluated successfully at least once and there was data to
// count. Every renderer asks this one question before showing a number.
func (r Result) HasNumbers() bool { return !r.EvaluatedAt.IsZero() && !r.DataMissing }

// SetCoverage records that data covers covered of the SLO window (clamped to
// the window), and marks the decision provisional below ProvisionalCoverage.
// WindowSeconds must be set first; without it nothing is recorded.
func (r *Result) SetCoverage(covered time.Duration) {
	if r.WindowSeconds <= 0 {
		return
	}
	sec := min(max(covered.Seconds(), 0), r.WindowSeconds)
	ratio := sec / r.WindowSeconds
	r.CoveredSeconds, r.Coverage = &sec, &ratio
	r.Provisional = ratio < ProvisionalCoverage
}

// MarshalJSON writes as null what a result without numbers does not have
// (see HasNumbers): events, budget, policy state, freeze, feature share,
// exhaustion and recovery, rather than Go's zero values, which would read as
// "budget exhausted" or "not frozen". An SLO never evaluated also has a null
// evaluatedAt and coverage; a data-missing SLO keeps its evaluatedAt (the
// instant Prometheus said there was nothing). failingSince is null while
// evaluations succeed. An exhaustion of +Inf (never at this pace) is null,
// like "not burning", and +Inf recovery entries are left out.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // no methods: no recursion
	out := struct {
		plain
		Events                 *Counts            `json:"events"`
		BudgetRemaining        *float64           `json:"budgetRemaining"`
		BudgetRemainingSeconds *float64           `json:"budgetRemainingSeconds"`
		PolicyState            *string            `json:"policyState"`
		FeatureFreeze          *bool              `json:"featureFreeze"`
		FeatureShare           *float64           `json:"featureShare"`
		Consequence            string             `json:"consequence,omitempty"`
		ExhaustionSeconds      *float64           `json:"exhaustionSeconds"`
		RecoverySeconds        map[string]float64 `json:"recoverySeconds"`
		Forecast               *Forecast          `json:"forecast,omitempty"`
		EvaluatedAt            *time.Time         `json:"evaluatedAt"`
		FailingSince           *time.Time         `json:"failingSince"`
	}{plain: plain(r)}
	if r.HasNumbers() {
		out.Events, out.BudgetRemaining, out.BudgetRemainingSeconds = &r.Events, &r.BudgetRemaining, &r.BudgetRemainingSeconds
		out.PolicyState, out.FeatureFreeze, out.FeatureShare = &r.PolicyState, &r.FeatureFreeze, &r.FeatureShare
		out.Consequence = r.Consequence
		out.ExhaustionSeconds, out.RecoverySeconds = finiteOrNil(r.ExhaustionSeconds), finiteOnly(r.RecoverySeconds)
		out.Forecast = r.Forecast
	} else {
		out.SLI = nil
		out.Provisional = false
	}
	if !r.EvaluatedAt.IsZero() {
		out.EvaluatedAt = &r.EvaluatedAt
	} else {
		out.Coverage, out.CoveredSeconds = nil, nil
	}
	if !r.FailingSince.IsZero() {
		out.FailingSince = &r.FailingSince
	}
	return json.Marshal(out)
}

// finiteOrNil maps "never at this pace" (+Inf, which JSON cannot carry) to
// null, the API's "not burning": both say the budget does not run out.
func finiteOrNil(p *float64) *float64 {
	if p == nil || math.IsInf(*p, 0) {
		return nil
	}
	return p
}

// finiteOnly drops states never reached (+Inf) from a recovery map: a state
// missing from the map is the API's "not at this pace".
func finiteOnly(m map[string]float64) map[string]float64 {
	if m == nil {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		if !math.IsInf(v, 0) {
			out[k] = v
		}
	}
	return out
}
