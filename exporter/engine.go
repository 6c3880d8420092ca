package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/slo"
)

// Engine evaluates every SLO of the current config against Prometheus and
// keeps the latest result of each. It is safe for concurrent use: the HTTP
// handlers and the collector read while the loop evaluates.
type Engine struct {
	querier     Querier
	log         *zap.Logger
	metrics     *selfMetrics
	step        time.Duration
	concurrency int
	oneShot     bool

	mu      sync.RWMutex
	cfg     *slo.Config
	states  map[string]*sloState
	keys    map[string]string // definition fingerprint per SLO, to keep state across reloads
	results map[string]slo.Result
	ready   bool
}

// EngineOptions configures an Engine.
type EngineOptions struct {
	Querier     Querier
	Logger      *zap.Logger
	Step        time.Duration // evaluation interval; evaluation instants are multiples of it
	Concurrency int
	OneShot     bool
	metrics     *selfMetrics
}

// NewEngine creates an engine for cfg.
func NewEngine(cfg *slo.Config, o EngineOptions) (*Engine, error) {
	if o.Step <= 0 {
		o.Step = 30 * time.Second
	}
	if o.OneShot {
		// One instant, everything kept at full resolution: the evaluation
		// time need not sit on any grid.
		o.Step = time.Millisecond
	} else if err := CheckStep(o.Step); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	e := &Engine{
		querier: o.Querier, log: o.Logger, metrics: o.metrics, step: o.Step,
		concurrency: o.Concurrency, oneShot: o.OneShot,
		states: map[string]*sloState{}, keys: map[string]string{}, results: map[string]slo.Result{},
	}
	if err := e.SetConfig(cfg); err != nil {
		return nil, err
	}
	return e, nil
}

// CheckStep rejects evaluation intervals that would not put every burn
// window's edges on the evaluation grid.
func CheckStep(step time.Duration) error {
	if step < time.Second || (5*time.Minute)%step != 0 {
		return fmt.Errorf("evaluation interval %s must be at least 1s and divide 5m evenly (e.g. 10s, 15s, 30s, 1m, 5m)", step)
	}
	return nil
}

// SetConfig swaps in a validated config. SLOs whose definition and policy
// did not change keep their history; changed and new ones start afresh.
func (e *Engine) SetConfig(cfg *slo.Config) error {
	states := map[string]*sloState{}
	keys := map[string]string{}
	e.mu.RLock()
	for i := range cfg.SLOs {
		def := &cfg.SLOs[i]
		pol, ok := cfg.PolicyByName(def.Policy)
		if !ok {
			e.mu.RUnlock()
			return fmt.Errorf("slo %q: policy %q is not defined", def.Name, def.Policy)
		}
		key := fingerprint(def, pol)
		if old, ok := e.states[def.Name]; ok && e.keys[def.Name] == key {
			// Same content: keep the old state (and its definition pointers,
			// which an evaluation in flight may be reading).
			states[def.Name] = old
		} else {
			st, err := newSLOState(def, pol, e.step.Milliseconds())
			if err != nil {
				e.mu.RUnlock()
				return err
			}
			if e.oneShot {
				st.prefetchAt = math.MaxInt64 // one evaluation: the next edge hours are never needed
			}
			states[def.Name] = st
		}
		keys[def.Name] = key
	}
	e.mu.RUnlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	e.cfg, e.states, e.keys = cfg, states, keys
	for name := range e.results {
		if _, ok := states[name]; !ok {
			delete(e.results, name)
		}
	}
	// Results of changed SLOs describe the old definition: drop them.
	for name, r := range e.results {
		if st := states[name]; st != nil && (r.Objective != st.def.ObjectiveRatio() || r.Window != st.def.Window.Text) {
			delete(e.results, name)
		}
	}
	if e.metrics != nil {
		e.metrics.slos.Set(float64(len(cfg.SLOs)))
	}
	return nil
}

func fingerprint(def *slo.SLO, pol *slo.Policy) string {
	b, _ := json.Marshal(struct {
		D *slo.SLO
		W string
		P *slo.Policy
	}{def, def.Window.Text, pol})
	return string(b)
}

// Config returns the config in use.
func (e *Engine) Config() *slo.Config {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cfg
}

// Instant returns the evaluation instant for wall-clock time now: the
// latest multiple of the step at or before it.
func (e *Engine) Instant(now time.Time) time.Time {
	return now.Truncate(e.step)
}

// EvaluateAt evaluates every SLO at the instant for now and stores the
// results. It returns how many SLOs failed.
func (e *Engine) EvaluateAt(ctx context.Context, now time.Time) int {
	at := e.Instant(now).UnixMilli()
	start := time.Now()
	e.mu.RLock()
	names := make([]string, 0, len(e.states))
	states := make([]*sloState, 0, len(e.states))
	for name, st := range e.states {
		names = append(names, name)
		states = append(states, st)
	}
	e.mu.RUnlock()

	type outcome struct {
		r   slo.Result
		err error
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
			r, err := st.evaluate(ctx, e.querier, at)
			outcomes[i] = outcome{r, err}
		}()
	}
	wg.Wait()

	failed := 0
	e.mu.Lock()
	for i, name := range names {
		st := states[i]
		if e.states[name] != st {
			continue // replaced by a reload while we evaluated
		}
		o := outcomes[i]
		if o.err == nil {
			e.results[name] = o.r
			continue
		}
		failed++
		e.log.Warn("evaluation failed; keeping the last good numbers", zap.String("slo", name), zap.Error(o.err))
		prev, ok := e.results[name]
		if !ok {
			prev = skeletonResult(st.def, st.policy)
		}
		prev.Error = o.err.Error()
		e.results[name] = prev
	}
	e.ready = true
	e.mu.Unlock()
	if e.metrics != nil {
		e.metrics.evalDuration.Observe(time.Since(start).Seconds())
		e.metrics.evalLast.Set(float64(time.Now().UnixNano()) / 1e9)
	}
	e.log.Debug("evaluation finished", zap.Time("at", time.UnixMilli(at).UTC()), zap.Int("slos", len(states)),
		zap.Int("failed", failed), zap.Duration("took", time.Since(start)))
	return failed
}

// skeletonResult describes an SLO that has never been evaluated successfully:
// its definition, and no numbers.
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

// Ready reports whether a full evaluation has finished.
func (e *Engine) Ready() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.ready
}

// Results returns the latest result of every SLO, sorted by name. SLOs not
// evaluated yet are absent.
func (e *Engine) Results() []slo.Result {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]slo.Result, 0, len(e.results))
	for _, r := range e.results {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Result returns the latest result of one SLO.
func (e *Engine) Result(name string) (slo.Result, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	r, ok := e.results[name]
	return r, ok
}

// Run evaluates on every tick of the step until ctx ends.
func (e *Engine) Run(ctx context.Context) {
	for {
		e.EvaluateAt(ctx, time.Now())
		next := e.Instant(time.Now()).Add(e.step)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
	}
}
