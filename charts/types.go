package charts

import "time"

// Point is one value of a series.
type Point struct {
	At    time.Time
	Value float64
}

// Line is a horizontal reference line: a policy threshold, an alert factor,
// the objective.
type Line struct {
	Name  string
	Value float64
}

// Span is a shaded stretch (Start, End]: where a page would have fired.
type Span struct {
	Start, End time.Time
	Label      string
}

// Mark is an instant marked on the time axis: an incident.
type Mark struct {
	At    time.Time
	Label string
}

// Bar is one bar of an SLI chart: a day or a month. Value is nil without
// traffic; Met says whether it met the objective (decided by the caller's
// exact comparison, never re-derived from the float here).
type Bar struct {
	Label      string
	Start, End time.Time
	Value      *float64
	Met        *bool
	// Partial marks a period only partly covered by the data.
	Partial bool
}

// Size is a chart's size in CSS pixels.
type Size struct{ Width, Height int }

var (
	// Small fits a status-page row.
	Small = Size{Width: 240, Height: 64}
	// Large is the detail page's and the review's width.
	Large = Size{Width: 720, Height: 220}
)
