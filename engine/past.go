package engine

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/slo"
)

// Reading the window's past into the incident ledgers apart from the
// evaluations. After a start or a reload every SLO's ledger lacks the 5m
// buckets of the window's past, which only raw samples give: 30 days of
// every raw sample per selector. Read within the evaluations (12 hours per
// SLO per cycle), that was a second raw read per selector per cycle, each
// a hundred times the size of the cycle's own read, and at 10,000 SLOs the
// cycles took 16–26 s instead of 3–5 s. The serving loop (Run) reads it
// instead between evaluations, until the next one is due, so the cycle
// reads only what is new and the past arrives in the idle time.

// pastConcurrency bounds the ledgers reading their past at once.
const pastConcurrency = 64

type pastApartKey struct{}

// withPastApart marks an evaluation whose ledgers' past is read apart.
func withPastApart(ctx context.Context) context.Context {
	return context.WithValue(ctx, pastApartKey{}, true)
}

// pastApart says whether the evaluation leaves the ledgers' past to
// readPast.
func pastApart(ctx context.Context) bool {
	v, _ := ctx.Value(pastApartKey{}).(bool)
	return v
}

// ledgers returns every incident ledger of the current config once: each
// SLO's, and each group's of a grouped SLO.
func (e *Engine) ledgers() []*incidentLedger {
	e.mu.Lock()
	states := make([]*sloState, 0, len(e.states))
	for _, st := range e.states {
		states = append(states, st)
	}
	e.mu.Unlock()
	seen := map[*incidentLedger]bool{}
	var out []*incidentLedger
	add := func(l *incidentLedger) {
		if l != nil && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, st := range states {
		if st.groups == nil {
			add(st.incidents)
			continue
		}
		st.mu.Lock()
		for _, m := range st.groups.members {
			add(m.incidents)
		}
		st.mu.Unlock()
	}
	return out
}

// readPast reads a step of the window's past into every ledger that lacks
// some, e.concurrency at a time (so their reads of the same hours coincide
// and a batching backend joins them), until ctx ends. It returns how many
// ledgers still lack some of their past, and how many failed to read.
func (e *Engine) readPast(ctx context.Context) (pending, failed int) {
	step := backfillHoursPerCycle * int(time.Hour/slo.IncidentGrid)
	ls := e.ledgers()
	var mu sync.Mutex
	// At most pastConcurrency at once: each holds hours of raw samples
	// while it reads, and the memory, not the queries, is what bounds it.
	sem := make(chan struct{}, min(e.concurrency, pastConcurrency))
	var wg sync.WaitGroup
	for _, l := range ls {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			more, err := l.readPastApart(ctx, step)
			if err != nil && ctx.Err() == nil {
				// Tried again after the next evaluation; what was read stays.
				e.log.Debug("reading the incident ledger's past", zap.Error(err))
			}
			mu.Lock()
			defer mu.Unlock()
			if more || err != nil {
				pending++
			}
			if err != nil {
				failed++
			}
		}()
	}
	wg.Wait()
	return pending, failed
}
