package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// Observer is told what the engine does, for slobudget's own metrics. Its
// methods must be cheap and safe for concurrent use.
type Observer interface {
	// ConfigApplied is called with the number of SLOs of each config swapped in.
	ConfigApplied(slos int)
	// EvaluationFinished is called after each evaluation of every SLO.
	EvaluationFinished(took time.Duration, slos, failed int)
	// BadSamples is called with the bad counter samples (NaN, ±Inf,
	// negative) an SLO's evaluation read for the first time, by reason.
	BadSamples(slo, reason string, n int)
}

type nopObserver struct{}

func (nopObserver) ConfigApplied(int)                          {}
func (nopObserver) EvaluationFinished(time.Duration, int, int) {}
func (nopObserver) BadSamples(string, string, int)             {}

// Options configure an Engine.
type Options struct {
	Source backend.Source
	Logger *zap.Logger
	// Step is the evaluation interval; evaluation instants are multiples of
	// it (default 30s).
	Step time.Duration
	// Concurrency bounds the SLOs evaluated at once (default 8).
	Concurrency int
	// OneShot evaluates once at any instant (report): everything is kept at
	// full resolution and nothing is read ahead.
	OneShot  bool
	Observer Observer
}

// Engine evaluates every SLO of the current config and keeps the latest
// result of each. It is safe for concurrent use.
type Engine struct {
	src         backend.Source
	log         *zap.Logger
	obs         Observer
	step        time.Duration
	concurrency int
	oneShot     bool

	mu      sync.Mutex // guards the fields below and serialises publishing
	cfg     *slo.Config
	states  map[string]*sloState
	results map[string]slo.Result
	gen     uint64

	snap  atomic.Pointer[Snapshot]
	ready atomic.Bool
	// readyC is closed when ready is first set (see ReadyC).
	readyC    chan struct{}
	readyOnce sync.Once
	// apart is set by Run: the incident ledgers' past is read between
	// evaluations (past.go), not within them.
	apart atomic.Bool
}

// Snapshot is the results at one moment. It is never modified once
// published: readers may keep and share it without locks.
type Snapshot struct {
	// Generation changes whenever the results or the config change, so
	// renderings can be cached per generation.
	Generation uint64
	// Results holds every SLO's latest result, sorted by name. SLOs never
	// evaluated since start-up are absent.
	Results []slo.Result
	byName  map[string]int
}

// Result returns one SLO's result from the snapshot.
func (s *Snapshot) Result(name string) (slo.Result, bool) {
	i, ok := s.byName[name]
	if !ok {
		return slo.Result{}, false
	}
	return s.Results[i], true
}

// New creates an engine for cfg.
func New(cfg *slo.Config, o Options) (*Engine, error) {
	if o.Step <= 0 {
		o.Step = 30 * time.Second
	}
	if o.OneShot {
		// One instant, everything kept at full resolution: the evaluation
		// time need not sit on any grid.
		o.Step = time.Millisecond
	} else if err := slo.CheckStep(o.Step); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	e := &Engine{
		src: o.Source, log: o.Logger, obs: o.Observer, step: o.Step,
		concurrency: o.Concurrency, oneShot: o.OneShot,
		states: map[string]*sloState{}, results: map[string]slo.Result{}, readyC: make(chan struct{}),
	}
	if err := e.SetConfig(cfg); err != nil {
		return nil, err
	}
	return e, nil
}

// SetConfig swaps in a validated config; on error the running config stays.
//
// What an SLO keeps depends on what changed (fingerprints of the definition):
//   - nothing that counting depends on (selectors, SLI kind, threshold,
//     slice, window): the counts and history stay; when the figures do not
//     depend on the change either (description, labels, service, alerting)
//     the last result stays too and shows the new text at once;
//   - the objective, the window's spelling or the policy: the counts stay,
//     but the old figures go at once (evaluatedAt null) until the next
//     evaluation computes them for the new definition;
//   - anything counting depends on: everything starts afresh, the old
//     figures go at once.
func (e *Engine) SetConfig(cfg *slo.Config) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	states := map[string]*sloState{}
	for i := range cfg.SLOs {
		def := &cfg.SLOs[i]
		pol, ok := cfg.PolicyByName(def.Policy)
		if !ok {
			return fmt.Errorf("slo %q: policy %q is not defined", def.Name, def.Policy)
		}
		ck := countKey(def, cfg.Exclusions)
		excl := applyingExclusions(def, cfg.Exclusions)
		old, had := e.states[def.Name]
		if had && old.countKey == ck {
			// A new state for the new definition (an evaluation in flight
			// may still read the old one's), sharing the counter.
			st := &sloState{def: def, policy: pol, countKey: ck, resultKey: resultKey(ck, def, pol), counter: old.counter, mu: old.mu,
				pages: old.pages, incidents: old.incidents, cuts: old.cuts, step: old.step, oneShot: old.oneShot, exclusions: excl, groups: old.groups}
			if st.resultKey != old.resultKey {
				st.pages = &pageLedger{} // the page condition changed meaning
			}
			states[def.Name] = st
			continue
		}
		st, err := newSLOState(def, pol, ck, e.step, e.oneShot, excl)
		if err != nil {
			return fmt.Errorf("slo %q: %w", def.Name, err)
		}
		states[def.Name] = st
	}
	results := make(map[string]slo.Result, len(states))
	current := instanceIndex(e.results)
	for name, st := range states {
		old, had := e.states[name]
		instances := current(name)
		switch {
		case had && len(instances) > 0 && old.resultKey == st.resultKey:
			for _, r := range instances {
				results[r.ID()] = withExclusionText(withText(r, st.def), st.exclusions)
			}
		case had || e.ready.Load():
			// Changed, or new after start-up: said so, with no numbers.
			sk := skeletonResult(st.def, st.policy)
			sk.Notes = []string{"not evaluated since the config reload that changed or added this SLO"}
			results[name] = sk
		}
	}
	e.cfg, e.states, e.results = cfg, states, results
	e.publishLocked()
	e.obs.ConfigApplied(len(cfg.SLOs))
	return nil
}

// publishLocked publishes the results as a new snapshot; e.mu is held.
func (e *Engine) publishLocked() {
	e.gen++
	s := &Snapshot{Generation: e.gen, Results: make([]slo.Result, 0, len(e.results)), byName: make(map[string]int, len(e.results))}
	for _, r := range e.results {
		s.Results = append(s.Results, r)
	}
	sort.Slice(s.Results, func(i, j int) bool { return resultLess(s.Results[i], s.Results[j]) })
	for i, r := range s.Results {
		s.byName[r.ID()] = i
	}
	e.snap.Store(s)
}

// Config returns the config in use.
func (e *Engine) Config() *slo.Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Step returns the evaluation interval.
func (e *Engine) Step() time.Duration { return e.step }

// Instant returns the evaluation instant for wall-clock time now: the
// latest multiple of the step at or before it.
func (e *Engine) Instant(now time.Time) time.Time {
	return now.Truncate(e.step)
}

// EvaluateAt evaluates every SLO at the instant for now and publishes the
// results. It returns how many SLOs failed.
func (e *Engine) EvaluateAt(ctx context.Context, now time.Time) int {
	at := e.Instant(now)
	start := time.Now()
	e.mu.Lock()
	names := make([]string, 0, len(e.states))
	states := make([]*sloState, 0, len(e.states))
	for name, st := range e.states {
		names = append(names, name)
		states = append(states, st)
	}
	e.mu.Unlock()

	type outcome struct {
		insts []instanceOutcome
		err   error
	}
	outcomes := make([]outcome, len(states))
	sem := make(chan struct{}, e.concurrency)
	var wg sync.WaitGroup
	for i, st := range states {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ectx := ctx
			if e.apart.Load() {
				ectx = withPastApart(ctx)
			}
			insts, err := st.evaluateAll(ectx, e.src, at)
			outcomes[i] = outcome{insts, err}
			for reason, n := range st.takeBadSamples() {
				e.obs.BadSamples(st.def.Name, reason, n)
			}
		}()
	}
	wg.Wait()

	failed := 0
	e.mu.Lock()
	instances := instanceIndex(e.results)
	for i, name := range names {
		st, cur := states[i], e.states[name]
		if cur == nil || cur.resultKey != st.resultKey {
			continue // removed or changed by a reload while we evaluated
		}
		o := outcomes[i]
		if o.err != nil {
			// Nothing evaluated: every instance keeps its last numbers.
			failed++
			e.log.Warn("evaluation failed; keeping the last good numbers", zap.String("slo", name), zap.Error(o.err))
			prev := instances(name)
			if len(prev) == 0 {
				prev = []slo.Result{skeletonResult(cur.def, cur.policy)}
			}
			for _, r := range prev {
				e.results[r.ID()] = failedResult(r, cur.def, o.err, at)
			}
			continue
		}
		// The instances evaluated replace the SLO's old ones: a group that
		// aged out or was left out under maxGroups goes.
		keep := map[string]bool{}
		for _, io := range o.insts {
			keep[io.key] = true
		}
		for _, r := range instances(name) {
			if !keep[r.ID()] {
				delete(e.results, r.ID())
			}
		}
		anyFailed := false
		for _, io := range o.insts {
			if io.err == nil {
				e.results[io.key] = withText(io.r, cur.def)
				continue
			}
			anyFailed = true
			e.log.Warn("evaluation failed; keeping the last good numbers", zap.String("slo", name), zap.String("instance", io.key), zap.Error(io.err))
			prev, ok := e.results[io.key]
			if !ok {
				prev = skeletonResult(cur.def, cur.policy)
				prev.Group, prev.Instance = io.group, io.key
			}
			e.results[io.key] = failedResult(prev, cur.def, io.err, at)
		}
		if anyFailed {
			failed++
		}
	}
	// Observed before publishing, so a page rendered for the new results
	// (and cached for their generation) shows this evaluation's duration.
	took := time.Since(start)
	e.obs.EvaluationFinished(took, len(states), failed)
	e.publishLocked()
	e.mu.Unlock()
	e.ready.Store(true)
	e.closeReadyC()
	e.log.Debug("evaluation finished", zap.Time("at", at.UTC()), zap.Int("slos", len(states)),
		zap.Int("failed", failed), zap.Duration("took", took))
	return failed
}

// instanceIndex looks up the current results of one SLO: the SLO's own,
// or its grouped SLO's instances (one per group). The index by name is built
// once per pass over every SLO: a scan of every result for each SLO was
// quadratic (2 s of CPU under e.mu at the first evaluation of 10,000 SLOs).
// A pass that changes one name's results changes only that name's, so the
// index stays exact for the names after it; each hit is re-read from
// results, so a deleted or replaced result is never returned stale.
func instanceIndex(results map[string]slo.Result) func(name string) []slo.Result {
	byName := make(map[string][]string, len(results))
	for id, r := range results {
		byName[r.Name] = append(byName[r.Name], id)
	}
	return func(name string) []slo.Result {
		if r, ok := results[name]; ok && r.Instance == "" {
			return []slo.Result{r}
		}
		var out []slo.Result
		for _, id := range byName[name] {
			if r, ok := results[id]; ok && r.Name == name {
				out = append(out, r)
			}
		}
		return out
	}
}

// failedResult is prev (the last good numbers, or none) marked with the
// failure of this evaluation.
func failedResult(prev slo.Result, def *slo.SLO, err error, at time.Time) slo.Result {
	prev = withText(prev, def)
	prev.Error = err.Error()
	if prev.FailingSince.IsZero() {
		prev.FailingSince = at.UTC() // the first failure of this run
	}
	return prev
}

// resultLess orders results by SLO name, the instances of a grouped SLO by
// their instance key.
func resultLess(a, b slo.Result) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Instance < b.Instance
}

// Ready reports whether a full evaluation has finished.
func (e *Engine) Ready() bool { return e.ready.Load() }

// ReadyC is closed once Ready is true: when the first full evaluation (the
// start-up's reads) has finished.
func (e *Engine) ReadyC() <-chan struct{} { return e.readyC }

func (e *Engine) closeReadyC() { e.readyOnce.Do(func() { close(e.readyC) }) }

// Snapshot returns the latest published results.
func (e *Engine) Snapshot() *Snapshot { return e.snap.Load() }

// Results returns the latest result of every SLO, sorted by name, as a copy
// the caller may modify.
func (e *Engine) Results() []slo.Result {
	return append([]slo.Result(nil), e.Snapshot().Results...)
}

// Result returns the latest result of one SLO.
func (e *Engine) Result(name string) (slo.Result, bool) {
	return e.Snapshot().Result(name)
}

// Run evaluates on every tick of the step until ctx ends. Between
// evaluations it reads the incident ledgers' past (past.go), stopping a
// little before the next one is due.
func (e *Engine) Run(ctx context.Context) {
	e.apart.Store(true)
	for {
		e.EvaluateAt(ctx, time.Now())
		next := e.Instant(time.Now()).Add(e.step)
		if e.step > 2*time.Second {
			pctx, cancel := context.WithDeadline(ctx, next.Add(-time.Second))
			for pctx.Err() == nil {
				if pending, failed := e.readPast(pctx); pending == 0 || failed > 0 {
					break // done, or failing: tried again after the next evaluation
				}
			}
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
	}
}
