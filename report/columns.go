package report

import "github.com/slobudget/slobudget/slo"

// column is one column of the table and markdown formats.
type column struct {
	header string
	cell   func(row) string
}

// narrowColumns is the default table: what a planning meeting needs, in at
// most 120 characters for names up to nameWidth. Everything else is in the
// row's consequence line or in --wide.
var narrowColumns = []column{
	{"SLO", func(w row) string { return w.name }},
	{"OBJECTIVE", func(w row) string { return joinKnown(w.objective, w.window) }},
	{"SLI", func(w row) string { return w.sli }},
	{"BUDGET LEFT", func(w row) string {
		if w.budget == missing {
			return missing
		}
		return w.budget + " (" + w.left + ")"
	}},
	{"POLICY", func(w row) string {
		if w.freeze == "FREEZE" {
			return w.state + " FREEZE"
		}
		return w.state
	}},
	{"ALERTS", func(w row) string { return w.alerts }},
	{"RUNS OUT", func(w row) string { return w.runsOut }},
	{"DATA", func(w row) string { return w.data }},
}

// wideColumns shows every figure of the row.
var wideColumns = func() []column {
	cols := []column{
		{"SLO", func(w row) string { return w.name }},
		{"SERVICE", func(w row) string { return w.service }},
		{"OBJECTIVE", func(w row) string { return w.objective }},
		{"WINDOW", func(w row) string { return w.window }},
		{"SLI", func(w row) string { return w.sli }},
		{"EVENTS", func(w row) string { return w.events }},
		{"BUDGET LEFT", func(w row) string { return w.budget }},
		{"OUTAGE TIME", func(w row) string { return w.outage }},
		{"STATE", func(w row) string { return w.state }},
		{"FREEZE", func(w row) string { return w.freeze }},
		{"FEATURES", func(w row) string { return w.features }},
		{"COVERAGE", func(w row) string { return w.coverage }},
	}
	for _, d := range slo.BurnWindows {
		label := slo.WindowLabel(d)
		cols = append(cols, column{"BURN " + label, func(w row) string { return w.burns[label] }})
	}
	return append(cols,
		column{"BURN WINDOW", func(w row) string { return w.burnWindow }},
		column{"ALERTS", func(w row) string { return w.alerts }},
		column{"RUNS OUT", func(w row) string { return w.runsOut }},
		column{"DATA", func(w row) string { return w.data }},
	)
}()

func columnsFor(wide bool) []column {
	if wide {
		return wideColumns
	}
	return narrowColumns
}

func joinKnown(a, b string) string {
	if a == missing {
		return missing
	}
	return a + " " + b
}

// legend explains every column, mark and status of the table, in the order
// of the narrow table's columns.
var legend = [][2]string{
	{"BUDGET LEFT", "share of the error budget not yet spent (negative: overspent), and in brackets the full-outage time it still absorbs"},
	{"POLICY", "the error-budget policy state; FREEZE: feature releases stop; * provisional: decided on data for less than half the window"},
	{"ALERTS", "multiwindow burn-rate alerts holding now: page (on-call acts now), ticket (act within days)"},
	{"RUNS OUT", "when the budget reaches 0 at the current pace; not burning: no errors in the last hour"},
	{"BURN", "error rate over the window divided by the budget's rate: 1 spends the budget exactly over the SLO window; - no traffic"},
	{"DATA", "fresh: numbers from this evaluation (says nothing about health); STALE: the evaluation failed, older numbers shown; " +
		"NO DATA: the SLI's series do not exist, so no budget and no decision; FAILED: never evaluated, no numbers"},
}
