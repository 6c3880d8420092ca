package slo

import (
	"fmt"
	"math"
	"time"
)

// Evaluate turns event counts into the SLO's budget, burn rates, alert flags
// and policy decision. It is pure: the same input always gives the same result.
//
// Zero traffic in a window means that window has no SLI and no burn rate. Zero
// traffic over the whole SLO window leaves the budget untouched (remaining 1).
// A good count above the total is a data error, never an SLI above 1.
func Evaluate(s *SLO, p *Policy, in Input) (Result, error) {
	r := Result{
		Name:          s.Name,
		Service:       s.Service,
		Description:   s.Description,
		Labels:        s.Labels,
		Objective:     s.ObjectiveRatio(),
		Window:        s.Window.Text,
		WindowSeconds: s.Window.Seconds(),
		Estimate:      !s.SLI.Exact(),
		BurnRates:     map[string]float64{},
		Policy:        p.Name,
		EvaluatedAt:   in.At,
		Events:        in.Window,
	}
	// The budget as the exact decimal fraction num/den (budgetFraction): with
	// 1 − 0.999 in floating point, thresholds met exactly were missed.
	if err := CheckObjective(s.Objective); err != nil {
		return Result{}, fmt.Errorf("objective %g: %w", s.Objective, err)
	}
	num, den := budgetFraction(s.Objective)
	windowSeconds := s.Window.Seconds()
	r.BudgetTotalSeconds = windowSeconds * num / den

	if err := checkCounts(s.Window.Text, in.Window); err != nil {
		return Result{}, err
	}
	r.BudgetRemaining = 1
	if in.Window.Total > 0 {
		// Each figure is one division of exact products, not 1 − x: with
		// 1 − 1.2 the remaining budget would read −0.19999999999999996.
		sli := in.Window.Good / in.Window.Total
		r.SLI = &sli
		consumedScaled := in.Window.Bad() * den
		allowedScaled := in.Window.Total * num
		r.BudgetRemaining = (allowedScaled - consumedScaled) / allowedScaled
		r.BurnRates[s.Window.Text] = consumedScaled / allowedScaled
	} else {
		r.Notes = append(r.Notes, fmt.Sprintf("no traffic in the %s window", s.Window.Text))
	}
	// W × (S − G) rewritten as W × B × remaining: the same number without the
	// cancellation of subtracting two ratios close to 1.
	r.BudgetRemainingSeconds = windowSeconds * num * r.BudgetRemaining / den

	burn := map[time.Duration]float64{}
	for _, w := range BurnWindows {
		c, ok := in.Burn[w]
		if w == s.Window.Duration {
			c, ok = in.Window, true
		}
		if err := checkCounts(WindowLabel(w), c); err != nil {
			return Result{}, err
		}
		if !ok || c.Total <= 0 {
			continue
		}
		rate := burnRate(c.Bad(), c.Total, num, den)
		burn[w] = rate
		// An SLO window spelled "72h" keeps its own spelling and also
		// appears as the standard "3d" burn window that dashboards ask for.
		if w != s.Window.Duration || WindowLabel(w) != s.Window.Text {
			r.BurnRates[WindowLabel(w)] = rate
		}
	}

	for _, pair := range AlertPairs(s.Window.Duration) {
		long, okLong := burn[pair.Long]
		short, okShort := burn[pair.Short]
		if !okLong || !okShort || long <= pair.Factor || short <= pair.Factor {
			continue
		}
		switch pair.Severity {
		case "page":
			r.Alerts.Page = true
		case "ticket":
			r.Alerts.Ticket = true
		}
	}

	switch hourly, ok := burn[time.Hour]; {
	case r.BudgetRemaining <= 0:
		zero := 0.0
		r.ExhaustionSeconds = &zero
	case ok && hourly > 0:
		left := r.BudgetRemaining * windowSeconds / hourly
		r.ExhaustionSeconds = &left
	}

	state := p.StateFor(r.BudgetRemaining)
	r.PolicyState = state.Name
	r.FeatureFreeze = state.Freeze
	r.FeatureShare = state.FeatureShare
	r.Consequence = state.Consequence
	capacity := state.Capacity
	r.Capacity = &capacity
	for _, st := range p.States {
		r.PolicyStates = append(r.PolicyStates, st.Name)
	}
	return r, nil
}

func checkCounts(window string, c Counts) error {
	// NaN passes every comparison below and would be read as "no traffic".
	if math.IsNaN(c.Good) || math.IsNaN(c.Total) || math.IsInf(c.Good, 0) || math.IsInf(c.Total, 0) {
		return fmt.Errorf("event count over %s is not a finite number (good %g, total %g)", window, c.Good, c.Total)
	}
	if c.Total < 0 || c.Good < 0 {
		return fmt.Errorf("negative event count over %s (good %g, total %g)", window, c.Good, c.Total)
	}
	if c.Good > c.Total {
		return fmt.Errorf("good events exceed total over %s (good %g > total %g): the good and total selectors do not count the same events", window, c.Good, c.Total)
	}
	return nil
}

// StateFor returns the first state whose threshold the remaining budget meets;
// the last state is the catch-all.
func (p *Policy) StateFor(remaining float64) PolicyState {
	for _, st := range p.States {
		if st.MinBudgetRemaining == nil || remaining >= *st.MinBudgetRemaining {
			return st
		}
	}
	return p.States[len(p.States)-1]
}

// DefaultPolicy is the built-in policy named "default" (contract.md; SRE
// Workbook example error budget policy).
func DefaultPolicy() Policy {
	f := func(v float64) *float64 { return &v }
	return Policy{
		Name:                  "default",
		PostmortemBudgetShare: DefaultPostmortemBudgetShare,
		States: []PolicyState{
			{Name: "healthy", MinBudgetRemaining: f(0.50), FeatureShare: 0.70, Capacity: Capacity{0.70, 0.20, 0.10},
				Consequence: "budget healthy: feature work proceeds as planned"},
			{Name: "caution", MinBudgetRemaining: f(0.25), FeatureShare: 0.50, Capacity: Capacity{0.50, 0.40, 0.10},
				Consequence: "budget low: shift capacity to reliability work"},
			{Name: "at-risk", MinBudgetRemaining: f(0.00), FeatureShare: 0.30, Capacity: Capacity{0.30, 0.60, 0.10},
				Consequence: "budget nearly spent: reliability work first, risky releases need sign-off"},
			{Name: "frozen", Freeze: true, FeatureShare: 0.00, Capacity: Capacity{0, 1, 0},
				Consequence: "feature releases frozen: only P0 and security fixes ship until the budget recovers"},
		},
	}
}

// PolicyByName finds a policy in the config, falling back to the built-in
// default for "default" when the config does not define one.
func (c *Config) PolicyByName(name string) (*Policy, bool) {
	for i := range c.Policies {
		if c.Policies[i].Name == name {
			return &c.Policies[i], true
		}
	}
	if name == "default" || name == "" {
		p := DefaultPolicy()
		return &p, true
	}
	return nil, false
}
