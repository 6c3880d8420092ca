// Package slo holds SLO definitions, their validation, and the pure error-budget
// math. Nothing in this package touches the network.
package slo

import (
	"fmt"
	"time"
)

// Config is the merged content of one or more config files.
type Config struct {
	Policies []Policy `json:"policies"`
	SLOs     []SLO    `json:"slos"`
}

// Policy is an error-budget policy: an ordered list of states; the first state
// whose MinBudgetRemaining the remaining budget meets wins.
type Policy struct {
	Name   string        `json:"name"`
	States []PolicyState `json:"states"`
	// Where it was defined; empty for the built-in default.
	File string `json:"-"`
	Line int    `json:"-"`
}

// PolicyState is one rung of a policy. MinBudgetRemaining is nil on the last,
// catch-all state.
type PolicyState struct {
	Name               string   `json:"name"`
	MinBudgetRemaining *float64 `json:"minBudgetRemaining,omitempty"`
	FeatureShare       float64  `json:"featureShare"`
	Freeze             bool     `json:"freeze"`
	// Consequence is the plain-words effect of the state, used in alert
	// annotations and the status page. Optional.
	Consequence string `json:"consequence,omitempty"`
}

// Window is a rolling window as the config spells it ("28d") and as a duration.
type Window struct {
	Text     string
	Duration time.Duration
}

// Seconds returns the window length in seconds.
func (w Window) Seconds() float64 { return w.Duration.Seconds() }

// SLO is one validated SLO definition.
type SLO struct {
	Name        string            `json:"name"`
	Service     string            `json:"service"`
	Description string            `json:"description,omitempty"`
	Objective   float64           `json:"objective"` // percent, as written: 99.9
	Window      Window            `json:"-"`
	Policy      string            `json:"policy"` // resolved: "default" when not given
	Labels      map[string]string `json:"labels,omitempty"`
	RunbookURL  string            `json:"runbookURL,omitempty"`
	Alerting    Alerting          `json:"alerting"`
	SLI         SLI               `json:"sli"`

	// Where it was defined, for error messages.
	File string `json:"-"`
	Line int    `json:"-"`
}

// ObjectiveRatio returns the objective as a ratio: 0.999 for 99.9 (not the
// 0.9990000000000001 that 99.9/100 gives; see budgetFraction).
func (s *SLO) ObjectiveRatio() float64 {
	num, den := budgetFraction(s.Objective)
	return (den - num) / den
}

// ErrorBudget returns 1 - objective ratio, as the nearest float64 to the
// decimal value: 0.001 for 99.9.
func (s *SLO) ErrorBudget() float64 {
	num, den := budgetFraction(s.Objective)
	return num / den
}

// Alerting holds per-SLO options for the generated alert rules.
type Alerting struct {
	PageDisabled   bool              `json:"pageDisabled,omitempty"`
	TicketDisabled bool              `json:"ticketDisabled,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Annotations    map[string]string `json:"annotations,omitempty"`
	// For overrides the `for:` duration per severity ("page", "ticket") or per
	// alert ("freeze", "dataMissing"). Empty means the generator's default.
	For map[string]time.Duration `json:"for,omitempty"`
}

// SLIKind names the kind of SLI.
type SLIKind string

const (
	KindEvents    SLIKind = "events"
	KindLatency   SLIKind = "latency"
	KindTimeSlice SLIKind = "timeslice"
)

// SLI is exactly one of its kinds.
type SLI struct {
	Events    *EventsSLI    `json:"events,omitempty"`
	Latency   *LatencySLI   `json:"latency,omitempty"`
	TimeSlice *TimeSliceSLI `json:"timeslice,omitempty"`
}

// Kind returns which kind is set.
func (s SLI) Kind() SLIKind {
	switch {
	case s.Events != nil:
		return KindEvents
	case s.Latency != nil:
		return KindLatency
	case s.TimeSlice != nil:
		return KindTimeSlice
	}
	return ""
}

// EventsSLI counts good or bad events from counters. Exactly one of Errors and
// Good is set; Total is always set. Each is a plain PromQL vector selector.
type EventsSLI struct {
	Errors string `json:"errors,omitempty"`
	Good   string `json:"good,omitempty"`
	Total  string `json:"total"`
}

// LatencySLI counts requests faster than Threshold seconds from a classic
// histogram: good = <histogram>_bucket{le=Threshold}, total = <histogram>_count.
// Histogram is a plain vector selector naming the histogram without suffix.
type LatencySLI struct {
	Histogram string  `json:"histogram"`
	Threshold float64 `json:"threshold"`
}

// TimeSliceSLI counts evaluation slices in which a gauge condition held
// (OpenSLO "Timeslices"): good = slices where Query returned a sample
// satisfying the condition, over slices where Query returned a sample.
type TimeSliceSLI struct {
	// Query is a plain vector selector of a gauge.
	Query string `json:"query"`
	// Op is one of <, <=, >, >=, ==, !=.
	Op        string  `json:"op"`
	Threshold float64 `json:"threshold"`
	// Slice is the slice length; defaults to 1m.
	Slice time.Duration `json:"slice"`
}

// Holds reports whether a gauge value satisfies the condition. NaN satisfies
// only "!=", as in PromQL.
func (t *TimeSliceSLI) Holds(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Threshold
	case "<=":
		return v <= t.Threshold
	case ">":
		return v > t.Threshold
	case ">=":
		return v >= t.Threshold
	case "==":
		return v == t.Threshold
	case "!=":
		return v != t.Threshold
	}
	panic(fmt.Sprintf("unknown comparison %q", t.Op))
}
