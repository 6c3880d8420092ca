package slo

import (
	"math/big"
	"strconv"
	"testing"
)

// TestBudgetFractionIsExactDecimal checks the exported fraction against exact
// rational arithmetic on the objective as typed: (100 − objective)/100.
func TestBudgetFractionIsExactDecimal(t *testing.T) {
	for _, typed := range []string{"99.9", "99", "99.95", "99.99", "99.999", "95", "99.5", "90.125", "99.999999", "50"} {
		obj, err := strconv.ParseFloat(typed, 64)
		if err != nil {
			t.Fatal(err)
		}
		s := &SLO{Objective: obj}
		num, den := s.BudgetFraction()
		if num != float64(int64(num)) || den != float64(int64(den)) {
			t.Errorf("%s: %g/%g are not integers", typed, num, den)
			continue
		}
		want, _ := new(big.Rat).SetString(typed)
		want.Sub(big.NewRat(100, 1), want).Quo(want, big.NewRat(100, 1))
		got := big.NewRat(int64(num), int64(den))
		if got.Cmp(want) != 0 {
			t.Errorf("%s: budget %s, want %s", typed, got, want)
		}
		if s.ErrorBudget() != num/den {
			t.Errorf("%s: ErrorBudget %g disagrees with BudgetFraction %g/%g", typed, s.ErrorBudget(), num, den)
		}
	}
}

func TestCheckObjectiveIsTheConfigRule(t *testing.T) {
	for _, ok := range []float64{1.5, 50, 99, 99.9, 99.999999} {
		if err := CheckObjective(ok); err != nil {
			t.Errorf("CheckObjective(%g): %v", ok, err)
		}
	}
	for _, bad := range []float64{0, -1, 0.999, 1, 100, 100.5} {
		err := CheckObjective(bad)
		if err == nil {
			t.Errorf("CheckObjective(%g) accepted it", bad)
			continue
		}
		if msg := checkObjective(bad); msg != "" && err.Error() != msg {
			t.Errorf("CheckObjective(%g) = %q, config validation says %q", bad, err, msg)
		}
	}
}
