package rules

import (
	"math"
	"strconv"
)

// budgetFraction is the error budget of an objective in percent as num/den of
// two integers (99.9 gives 1/1000), the same split the slo package uses. Burn
// rates are then computed as (bad × den) / (total × num) in PromQL exactly as
// in Go: one rounding of exact integers, so a burn rate exactly at a factor
// compares the same way in the rules and in the daemon.
//
// TODO(lead): the slo package has this as the unexported budgetFraction;
// exporting it (e.g. SLO.BudgetFraction()) would let this copy go.
func budgetFraction(objectivePercent float64) (num, den float64) {
	gap := 100 - objectivePercent
	scale := 100.0
	for range 7 {
		n := math.Round(gap)
		if math.Abs(gap-n) < 1e-6 {
			return n, scale
		}
		gap *= 10
		scale *= 10
	}
	return 100 - objectivePercent, 100
}

// num prints a float the shortest way that parses back to the same float.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
