package slo

import (
	"errors"
	"math"
)

// CheckObjective is the one objective guard, shared by config validation and
// Evaluate: nil when percent is a usable objective (a percentage strictly
// between 1 and 100 that leaves an error budget).
func CheckObjective(percent float64) error {
	if msg := checkObjective(percent); msg != "" {
		return errors.New(msg)
	}
	if num, den := budgetFraction(percent); num <= 0 || num >= den {
		return errors.New("leaves no error budget: it must be above 0 and below 100")
	}
	return nil
}

// budgetFraction returns the error budget of an objective written in percent as
// the exact fraction num/den of two integers held in float64s: 99.9 gives 1/1000.
//
// Why: 1 − 99.9/100 is 0.0009999999999998899 in binary floating point, so one
// bad request in a thousand read as a remaining budget of −1.1e-13 (frozen
// instead of at-risk), 0.5 remaining read as 0.49999999999994 (caution instead
// of healthy), and a burn rate of exactly 14.4 read as 14.400000000001585 (a
// page that must not fire). Objectives are decimals people type; keeping the
// budget as a decimal fraction makes every ratio below a single rounding of
// exact integers, so "exactly at the threshold" stays exactly at it.
func budgetFraction(objectivePercent float64) (num, den float64) {
	gap := 100 - objectivePercent
	scale := 100.0 // the percent sign
	// Six decimals in the percent (99.999999) is far past any real objective;
	// beyond that the objective is not a typed decimal and plain arithmetic is
	// as good as anything.
	for range 7 {
		n := math.Round(gap)
		// n ≥ 1: at six decimals (99.999999) the unscaled gap itself is
		// within the tolerance of 0, which is no budget at all.
		if n >= 1 && math.Abs(gap-n) < 1e-6 {
			return n, scale
		}
		gap *= 10
		scale *= 10
	}
	return 100 - objectivePercent, 100
}

// BudgetFraction returns the SLO's error budget as the exact decimal fraction
// num/den of two integers held in float64s (99.9 gives 1, 1000), the split the
// daemon's arithmetic uses. Code that computes burn rates or remaining budgets
// elsewhere (the generated PromQL rules) uses it to round exactly as the
// daemon does, so a value exactly at a threshold compares the same way.
func (s *SLO) BudgetFraction() (num, den float64) {
	return budgetFraction(s.Objective)
}

// burnRate is (bad/total)/(1 − objective), computed as one division of two
// products that are exact for integer counts below 2^53/den.
func burnRate(bad, total, num, den float64) float64 {
	return (bad * den) / (total * num)
}
