package engine

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// sloState holds what is known about one SLO between evaluations.
type sloState struct {
	def     *slo.SLO
	policy  *slo.Policy
	counter *counting.Counter
}

func newSLOState(def *slo.SLO, pol *slo.Policy, step time.Duration, oneShot bool) (*sloState, error) {
	prefetch := prefetchMoment(def.Name)
	if oneShot {
		prefetch = -1 // one evaluation: the next edge hours are never needed
	}
	c, err := counting.New(def.SLI, counting.Options{Resolution: step, Windows: def.Windows(), PrefetchAt: prefetch})
	if err != nil {
		return nil, err
	}
	return &sloState{def: def, policy: pol, counter: c}, nil
}

// prefetchMoment spreads SLOs over minutes 5 to 55 of the hour by name.
func prefetchMoment(name string) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(name))
	return time.Duration(5*60+int64(h.Sum32()%(50*60))) * time.Second
}

// evaluate brings the counts up to date at at (on the grid) and computes the
// SLO's figures there. On error nothing is computed; what was read stays and
// the next call continues from there.
func (s *sloState) evaluate(ctx context.Context, src backend.Source, at time.Time) (slo.Result, error) {
	if err := s.counter.Advance(ctx, src, at); err != nil {
		return slo.Result{}, err
	}
	in := slo.Input{At: at.UTC(), Burn: map[time.Duration]slo.Counts{}}
	var err error
	if in.Window, err = s.counter.Count(ctx, src, at.Add(-s.def.Window.Duration), at); err != nil {
		return slo.Result{}, err
	}
	for _, w := range slo.BurnWindows {
		c, err := s.counter.Count(ctx, src, at.Add(-w), at)
		if err != nil {
			return slo.Result{}, err
		}
		in.Burn[w] = c
	}
	r, err := slo.Evaluate(s.def, s.policy, in)
	if err != nil {
		return slo.Result{}, err
	}
	r.Notes = append(r.Notes, s.counter.Notes()...)
	return r, nil
}

// skeletonResult describes an SLO without a successful evaluation of its
// current definition: the definition, and no numbers.
func skeletonResult(def *slo.SLO, pol *slo.Policy) slo.Result {
	r := slo.Result{
		Name: def.Name, Service: def.Service, Description: def.Description, Labels: def.Labels,
		Objective: def.ObjectiveRatio(), Window: def.Window.Text, WindowSeconds: def.Window.Seconds(),
		BudgetTotalSeconds: def.Window.Seconds() * def.ErrorBudget(),
		Policy:             pol.Name, BurnRates: map[string]float64{},
	}
	for _, st := range pol.States {
		r.PolicyStates = append(r.PolicyStates, st.Name)
	}
	return r
}
