package engine

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// sloState holds what is known about one SLO between evaluations: the
// definition it evaluates, and the counter (what has been read and counted).
// A reload that changes only what counting does not depend on gives the SLO
// a new sloState sharing the old counter.
type sloState struct {
	def    *slo.SLO
	policy *slo.Policy
	// countKey fingerprints what the counts depend on; resultKey adds what
	// the figures computed from them depend on.
	countKey, resultKey string
	counter             counting.Evaluator
	// mu serialises evaluations of the counter, shared with every sloState
	// that shares it.
	mu *sync.Mutex
	// pages records where the page condition held, shared with every
	// sloState of the same resultKey (the condition depends on the
	// objective).
	pages *pageLedger
	// incidents keeps the window's 5m counts, shared like the counter.
	incidents *incidentLedger
	// cuts keeps the split counts of the complete hours a local day
	// boundary cuts (cuts.go), shared like the counter.
	cuts *cutLedger
	// found caches the incidents detected in the ledger (guarded by mu,
	// like the counter); nil until the first detection.
	found *incidentCache
	// lastHistory is the window's history of the last evaluation (guarded
	// by mu): the next one shares its full hours when they are unchanged.
	lastHistory *slo.HourlyHistory
	step        time.Duration
	oneShot     bool
	// exclusions are the agreed exclusions that apply to the SLO, in the
	// order the counter counts them.
	exclusions []slo.Exclusion
	// groups is set, and counter nil, for an SLO with grouping: a counter
	// per group (groups.go).
	groups *groupSet
}

func newSLOState(def *slo.SLO, pol *slo.Policy, countKey string, step time.Duration, oneShot bool, excl []slo.Exclusion) (*sloState, error) {
	prefetch := prefetchMoment(def.Name)
	if oneShot {
		prefetch = -1 // one evaluation: the next edge hours are never needed
	}
	newCounter := func(sli slo.SLI) (counting.Evaluator, error) {
		return counting.NewEvaluator(sli, counting.Options{Resolution: step, Windows: counterWindows(def), PrefetchAt: prefetch,
			Exclusions: counting.SpansFor(def.Name, excl)})
	}
	st := &sloState{def: def, policy: pol, countKey: countKey, resultKey: resultKey(countKey, def, pol), mu: &sync.Mutex{},
		pages: &pageLedger{}, incidents: &incidentLedger{}, cuts: &cutLedger{}, step: step, oneShot: oneShot, exclusions: excl}
	if len(def.Grouping) > 0 {
		if def.SLI.GroupSelector() == "" {
			return nil, fmt.Errorf("grouping: an SLI of kind %q cannot be grouped", def.SLI.Kind())
		}
		st.groups = newGroupSet(def, newCounter)
		return st, nil
	}
	c, err := newCounter(def.SLI)
	if err != nil {
		return nil, err
	}
	st.counter = c
	return st, nil
}

// countKey fingerprints what counting depends on: the SLI (its kind,
// selectors, latency threshold, time-slice condition and slice), the window
// (length, calendar, time zone), the grouping labels and the spans of the
// exclusions that apply to the SLO. A change of any of them makes the old
// counts wrong for the new definition.
func countKey(def *slo.SLO, exclusions []slo.Exclusion) string {
	type span struct{ From, To time.Time }
	var spans []span
	for _, e := range exclusions {
		if e.AppliesTo(def.Name) {
			spans = append(spans, span{e.From, e.To})
		}
	}
	zone := ""
	if def.Window.Location != nil {
		zone = def.Window.Location.String()
	}
	b, _ := json.Marshal(struct {
		SLI        slo.SLI
		Windows    []time.Duration
		Calendar   string
		Zone       string
		Grouping   []string
		Exclusions []span
	}{def.SLI, def.Windows(), def.Window.Calendar, zone, def.Grouping, spans})
	return fingerprint(b)
}

// fingerprint is the SHA-256 of a key's JSON: kept by every SLO and only
// compared, so 32 bytes instead of the kilobyte or two the JSON takes.
func fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return string(sum[:])
}

// resultKey adds what the figures depend on besides the counts: the
// objective, the window's spelling (its label), the policy and the
// incident rule.
func resultKey(countKey string, def *slo.SLO, pol *slo.Policy) string {
	b, _ := json.Marshal(struct {
		Count     string
		Objective float64
		Window    string
		Policy    *slo.Policy
		Incidents slo.IncidentRule
	}{countKey, def.Objective, def.Window.Text, pol, def.Incidents})
	return fingerprint(b)
}

// withText returns r showing def's descriptive fields, which may change on
// a reload without changing any number.
func withText(r slo.Result, def *slo.SLO) slo.Result {
	r.Service, r.Description, r.Labels = def.Service, def.Description, def.Labels
	return r
}

// prefetchMoment spreads SLOs over minutes 5 to 55 of the hour by name.
func prefetchMoment(name string) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(name))
	return time.Duration(5*60+int64(h.Sum32()%(50*60))) * time.Second
}

// evaluateAll evaluates every instance of the SLO: the SLO itself, or each
// group of a grouped SLO. err is set when nothing could be evaluated.
func (s *sloState) evaluateAll(ctx context.Context, src backend.Source, at time.Time) ([]instanceOutcome, error) {
	if s.groups != nil {
		return s.evaluateGroups(ctx, src, at)
	}
	r, err := s.evaluate(ctx, src, at)
	if err != nil {
		return nil, err
	}
	return []instanceOutcome{{key: s.def.Name, r: r}}, nil
}

// takeBadSamples returns the bad counter samples read since the last call.
func (s *sloState) takeBadSamples() map[string]int {
	if s.groups != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.groups.takeBadSamples()
	}
	return s.counter.TakeBadSamples()
}

// evaluate brings the counts up to date at at (on the grid) and computes the
// SLO's figures there. On error nothing is computed; what was read stays and
// the next call continues from there.
func (s *sloState) evaluate(ctx context.Context, src backend.Source, at time.Time) (slo.Result, error) {
	if s.groups != nil {
		return slo.Result{}, fmt.Errorf("internal: a grouped SLO evaluated as one")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	windowStart, periodEnd := sloWindow(s.def, at)
	calendar := !periodEnd.IsZero()
	if calendar {
		s.counter.KeepEdge(windowStart)
	}
	if err := s.counter.Advance(ctx, src, at); err != nil {
		return slo.Result{}, err
	}
	cov := s.counter.Coverage(at.Sub(windowStart))
	if calendar && at.Equal(windowStart) {
		// The period's first instant: its window is empty, which is a
		// fresh budget when the selector has data (the last hour's), not
		// missing data.
		if cov = s.counter.Coverage(time.Hour); cov.Sampled {
			cov.From = at
		}
	}
	if !cov.Sampled {
		r := noDataResult(s.def, s.policy, at, cov)
		if calendar {
			r.SetCalendarPeriod(s.def, windowStart, periodEnd) // the period; no budget without data
		}
		return r, nil
	}
	in := slo.Input{At: at.UTC(), Burn: map[time.Duration]slo.Counts{}}
	var err error
	if in.Window, err = s.counter.Count(ctx, src, windowStart, at); err != nil {
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
	if calendar {
		r.SetCalendarPeriod(s.def, windowStart, periodEnd)
		r.SetCalendarCoverage(at.Sub(cov.From), at.Sub(windowStart))
	} else {
		r.SetCoverage(at.Sub(cov.From))
	}
	if r.Exclusions, err = s.excludedInWindow(ctx, src, windowStart, at); err != nil {
		return slo.Result{}, err
	}
	sc := getScratch()
	defer putScratch(sc)
	hours, err := s.counter.AppendHours(ctx, src, windowStart, sc.hours[:0])
	if err != nil {
		return slo.Result{}, err
	}
	sc.hours = hours
	var lent *slo.LentHours
	if c, ok := s.counter.(*counting.Counter); ok {
		lent = c.LentHours() // the history refers to the counter's complete hours
	}
	if r.History, err = slo.NewHourlyHistoryLent(hours, lent, s.lastHistory); err != nil {
		return slo.Result{}, fmt.Errorf("internal: the window's hourly history: %w", err)
	}
	if r.History.Cuts, err = s.cuts.parts(ctx, s.counter, src, s.def, hours, windowStart); err != nil {
		return slo.Result{}, fmt.Errorf("the window's hours cut by local midnight: %w", err)
	}
	s.lastHistory = r.History
	if calendar && at.Sub(windowStart) < 24*time.Hour {
		// Early in a period the window is shorter than the day the
		// forecast's traffic profile repeats: it gets the last day.
		window, err := s.lastDay(ctx, src, at, sc)
		if err != nil {
			return slo.Result{}, err
		}
		r.History, window = window, r.History
		withForecast(&r, s.def, s.policy, in, s.counter.Coverage(24*time.Hour).From, sc)
		r.History = window
	} else {
		withForecast(&r, s.def, s.policy, in, cov.From, sc)
	}
	r.PageSpans = s.pages.record(r.EvaluatedAt, r.Alerts.Page, s.step, at.Sub(windowStart))
	r.Notes = append(r.Notes, s.counter.Notes()...)
	if err := s.withIncidents(ctx, src, &r, windowStart, at, in.Window.Total, sc); err != nil {
		return slo.Result{}, err
	}
	return r, nil
}

// skeletonResult describes an SLO without a successful evaluation of its
// current definition: the definition, and no numbers.
func skeletonResult(def *slo.SLO, pol *slo.Policy) slo.Result {
	r := slo.Result{
		Name: def.Name, Service: def.Service, Description: def.Description, Labels: def.Labels,
		Objective: def.ObjectiveRatio(), Window: def.Window.Text, WindowSeconds: def.Window.Seconds(), Estimate: !def.SLI.Exact(),
		BudgetTotalSeconds: def.Window.Seconds() * def.ErrorBudget(),
		Policy:             pol.Name, BurnRates: map[string]float64{},
	}
	for _, st := range pol.States {
		r.PolicyStates = append(r.PolicyStates, st.Name)
	}
	return r
}
