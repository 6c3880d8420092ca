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
	// Exclusions are the agreed spans whose events count neither good nor
	// bad, from the SLO files' `exclusions:` and from --exclusions.file.
	// Parsed and validated; the engine applies them.
	Exclusions []Exclusion `json:"exclusions,omitempty"`
}

// Policy is an error-budget policy: an ordered list of states; the first state
// whose MinBudgetRemaining the remaining budget meets wins.
type Policy struct {
	Name   string        `json:"name"`
	States []PolicyState `json:"states"`
	// PostmortemBudgetShare is the share of the window's budget one incident
	// may consume before a postmortem is required (SRE Workbook: 0.20).
	PostmortemBudgetShare float64 `json:"postmortemBudgetShare"`
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
	// Capacity is the whole split of the team's capacity in this state;
	// Capacity.Features always equals FeatureShare.
	Capacity Capacity `json:"capacity"`
	Freeze   bool     `json:"freeze"`
	// Consequence is the plain-words effect of the state, used in alert
	// annotations and the status page. Optional.
	Consequence string `json:"consequence,omitempty"`
}

// Capacity splits a team's capacity between feature work, reliability work
// and innovation (learning); the three shares sum to 1.
type Capacity struct {
	Features    float64 `json:"features"`
	Reliability float64 `json:"reliability"`
	Innovation  float64 `json:"innovation"`
}

// Window is the SLO window: a rolling window as the config spells it ("28d")
// and as a duration, or a calendar period (Calendar set, Text "1M", "1w" or
// "1q"). For a calendar window Duration is the period's nominal length (30d,
// 7d, 90d), which scales the alert factors; the budget of a calendar window
// is over the period so far (see Period).
type Window struct {
	Text     string
	Duration time.Duration
	// Calendar is "month", "week" or "quarter"; empty for a rolling window.
	Calendar string
	// Location is the calendar's time zone; nil means UTC.
	Location *time.Location
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
	// Grouping makes one SLO instance per value combination of these labels
	// (discovered from the data), each with its own budget; at most MaxGroups.
	Grouping  []string `json:"grouping,omitempty"`
	MaxGroups int      `json:"maxGroups,omitempty"`
	// Incidents is the rule that turns fast burning into incidents.
	Incidents IncidentRule `json:"incidents"`

	// Where it was defined, for error messages.
	File string `json:"-"`
	Line int    `json:"-"`
	// Origin is set for an SLO read from another format (Sloth, Pyrra,
	// OpenSLO): which, and where the mapping changed meaning.
	Origin *Origin `json:"-"`
}

// Origin tells how an SLO was mapped from a peer format.
type Origin struct {
	Format string
	// Notes say, in a sentence each, what slobudget does differently from
	// the source format for this SLO; `convert` writes them as comments.
	Notes []string
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

// IncidentRule defines an incident: a contiguous spell in which the 5m burn
// rate exceeded BurnRate, spells less than MergeGap apart merged into one.
type IncidentRule struct {
	// BurnRate defaults to the page factor of the 1h/5m alert pair for the
	// SLO window (14.4 for 30d).
	BurnRate float64       `json:"burnRate"`
	MergeGap time.Duration `json:"mergeGap"`
}

// Alerting holds per-SLO options for the generated alert rules.
type Alerting struct {
	PageDisabled   bool              `json:"pageDisabled,omitempty"`
	TicketDisabled bool              `json:"ticketDisabled,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Annotations    map[string]string `json:"annotations,omitempty"`
	// For overrides the `for:` duration per severity ("page", "ticket") or per
	// alert ("freeze", "dataMissing", "postmortem"). Empty means the generator's default.
	For map[string]time.Duration `json:"for,omitempty"`
}

// SLIKind names the kind of SLI.
type SLIKind string

const (
	KindEvents    SLIKind = "events"
	KindLatency   SLIKind = "latency"
	KindTimeSlice SLIKind = "timeslice"
	// KindExpression is an SLI given as PromQL expressions that do not
	// reduce to counters: Prometheus evaluates them, an estimate.
	KindExpression SLIKind = "expression"
)

// SLI is exactly one of its kinds.
type SLI struct {
	Events     *EventsSLI     `json:"events,omitempty"`
	Latency    *LatencySLI    `json:"latency,omitempty"`
	TimeSlice  *TimeSliceSLI  `json:"timeslice,omitempty"`
	Expression *ExpressionSLI `json:"expression,omitempty"`
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
	case s.Expression != nil:
		return KindExpression
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
// Exactly one of Histogram and NativeHistogram is set; NativeHistogram
// selects a native histogram, good being its observations at or below the
// threshold.
type LatencySLI struct {
	Histogram       string  `json:"histogram,omitempty"`
	NativeHistogram string  `json:"nativeHistogram,omitempty"`
	Threshold       float64 `json:"threshold"`
}

// ExpressionSLI is an SLI written as PromQL expressions, the form Sloth and
// OpenSLO use. Either Total with one of Errors and Good, or ErrorRatio alone.
// Expressions may use {{.window}} where a range belongs. Those whose shape
// reduces to counters (promqlparse.ReduceCounters) can be counted exactly;
// the rest are estimates Prometheus evaluates.
type ExpressionSLI struct {
	Errors     string `json:"errors,omitempty"`
	Good       string `json:"good,omitempty"`
	Total      string `json:"total,omitempty"`
	ErrorRatio string `json:"errorRatio,omitempty"`
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
