package slo

import (
	"cmp"
	"slices"
)

// The worst-first order is the one order every list of SLOs uses (the status
// page, report, and anything that prints a verdict), so a planning meeting
// reads the same ranking on the screen and on paper:
//
//  1. no numbers: data missing (the selector matched nothing) or never
//     evaluated. Nothing is known, and that is the first thing to fix;
//  2. failed or stale: the numbers shown are old and may hide anything;
//  3. paging: an incident is burning the budget now, whatever is left;
//  4. the rest by remaining budget, lowest (most overspent) first.
//
// Inside each group the same keys apply in the same order (paging, then
// budget), and ties go by name, then service, so the order does not jump
// between refreshes. Zero traffic is not "no numbers": its untouched budget
// sorts like any other.

// urgency ranks the groups above; lower is worse.
const (
	urgencyNoNumbers = iota
	urgencyStale
	urgencyCurrent
)

// WorstFirst returns the worst-first comparison (see above) for
// slices.SortStableFunc. stale says whether a result's numbers are old; nil
// means "its last evaluation failed" (Error is set). The status page also
// counts numbers older than a few evaluation intervals as stale.
func WorstFirst(stale func(Result) bool) func(a, b Result) int {
	if stale == nil {
		stale = func(r Result) bool { return r.Error != "" }
	}
	urgency := func(r Result) int {
		switch {
		case !r.HasNumbers():
			return urgencyNoNumbers
		case stale(r):
			return urgencyStale
		}
		return urgencyCurrent
	}
	return func(a, b Result) int {
		ua, ub := urgency(a), urgency(b)
		if c := cmp.Compare(ua, ub); c != 0 {
			return c
		}
		if ua != urgencyNoNumbers {
			if a.Alerts.Page != b.Alerts.Page {
				if a.Alerts.Page {
					return -1
				}
				return 1
			}
			if c := cmp.Compare(a.BudgetRemaining, b.BudgetRemaining); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Service, b.Service))
	}
}

// SortWorstFirst sorts results in place, worst first, with failed
// evaluations as the stale ones.
func SortWorstFirst(results []Result) { slices.SortStableFunc(results, WorstFirst(nil)) }
