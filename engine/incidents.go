package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// backfillHoursPerCycle bounds how much of the window's past one evaluation
// reads into the incident ledger after a start or a reload: the past is read
// raw (every sample), so a 30d window is read in 60 evaluations (30 minutes
// at the 30s step), one query of 13 hours each, rather than all in the
// first; until then the incidents say they are known only since KnownFrom.
// A one-shot engine (report) reads it all, in day-long queries.
const backfillHoursPerCycle = 12

// incidentLedger keeps the 5m counts of the current SLO window that incident
// detection reads: bucket i holds the events of (from + i×5m, from + (i+1)×5m].
// Only counts are stored, compactly (countLog: about 3 bytes a bucket, some
// 26 KiB for a 30d window of a few thousand requests per 5m; a run of empty
// buckets, such as the window before the data began, one varint), the times
// follow from the index. The counts depend only on what the counter
// counts, so the ledger is shared like the counter (same countKey).
type incidentLedger struct {
	mu     sync.Mutex
	from   int64 // ms
	counts countLog
	// version changes whenever the buckets do, so the incidents found in
	// them are kept until then.
	version uint64
	// past and lo are what the last update was given: how to read the
	// window's past and where the window's first bucket starts (ms), so the
	// engine can read the past between evaluations (readPastApart).
	past pastReader
	lo   int64
}

const gridMs = int64(slo.IncidentGrid / time.Millisecond)

func (l *incidentLedger) to() int64 { return l.from + int64(l.counts.len())*gridMs }

// update brings the ledger to the complete 5m buckets of (windowStart, at]:
// it drops the buckets the window left, appends the new ones from the
// counter and reads at most maxBackfill buckets of the window's past
// (negative: all) with counting.Fine, raw in day-long queries through the
// same feeders, so each bucket is what the counter would say for it. The
// buckets stay contiguous, so what is known is always one stretch ending at
// the last complete bucket. On error what was read stays.
func (l *incidentLedger) update(ctx context.Context, c counting.Evaluator, src backend.Source, past pastReader, windowStart, at time.Time, maxBackfill int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	from, n := l.from, l.counts.len()
	defer func() {
		if l.from != from || l.counts.len() != n {
			l.version++
		}
	}()
	end := counting.FloorTo(at.UnixMilli(), gridMs)
	lo := min(counting.CeilTo(windowStart.UnixMilli(), gridMs), end) // a period that just began has no bucket
	if l.counts.len() == 0 || l.to() < lo || l.to() > end {
		// Nothing usable (a start, a gap longer than the window, a clock
		// going back): start afresh at the last complete bucket.
		l.from = end
		l.counts.reset()
	}
	if l.from < lo {
		l.counts.dropFront(int((lo - l.from) / gridMs))
		l.from = lo
	}
	for t := l.to(); t < end; t += gridMs {
		counts, err := c.Count(ctx, src, time.UnixMilli(t), time.UnixMilli(t+gridMs))
		if err != nil {
			return fmt.Errorf("incident buckets: %w", err)
		}
		l.counts.append(counts)
	}
	l.past, l.lo = past, lo
	return l.readPastLocked(ctx, maxBackfill)
}

// readPastApart reads at most maxBackfill buckets of the window's past
// (see update) outside an evaluation, with what the last update was given.
// The serving engine calls it between evaluations, so that a start-up's
// reading of the past (every raw sample of the window, a few hours per
// call) does not lengthen the evaluation cycles. pending says whether some
// of the past is still to be read.
func (l *incidentLedger) readPastApart(ctx context.Context, maxBackfill int) (pending bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.past == nil || l.from <= l.lo {
		return false, nil
	}
	n := l.counts.len()
	defer func() {
		if l.counts.len() != n {
			l.version++
		}
	}()
	err = l.readPastLocked(ctx, maxBackfill)
	return l.from > l.lo, err
}

// readPastLocked prepends at most maxBackfill buckets of the window's past
// before l.from (negative: all, 0: none); l.mu is held.
func (l *incidentLedger) readPastLocked(ctx context.Context, maxBackfill int) error {
	lo, past := l.lo, l.past
	if l.from <= lo || maxBackfill == 0 {
		return nil
	}
	first := lo
	if maxBackfill > 0 {
		first = max(lo, l.from-int64(maxBackfill)*gridMs)
	}
	buckets, err := past(ctx, time.UnixMilli(first), time.UnixMilli(l.from))
	if err != nil {
		return fmt.Errorf("incident buckets of the window's past: %w", err)
	}
	if want := int((l.from - first) / gridMs); len(buckets) != want {
		return fmt.Errorf("internal: the window's past came back as %d 5m buckets, want %d", len(buckets), want)
	}
	older := make([]slo.Counts, len(buckets))
	for i, b := range buckets {
		older[i] = b.Counts
	}
	l.counts.prepend(older)
	l.from = first
	return nil
}

// incidentCache holds the incidents last detected in a ledger: at which
// version of its buckets, under which definition (the result key: objective,
// policy, incident rule).
type incidentCache struct {
	incidents *slo.WindowIncidents
	version   uint64
	key       string
}

// pastReader reads the 5m buckets of (from, to] of the SLO's past.
type pastReader func(ctx context.Context, from, to time.Time) ([]slo.Bucket, error)

// detect finds the incidents in the ledger's buckets and returns them with
// the ledger's version; their budget shares are left to ScoreIncidents. The
// window's 5m buckets are laid out in sc (the incidents found keep nothing
// of them).
func (l *incidentLedger) detect(def *slo.SLO, pol *slo.Policy, windowStart time.Time, sc *evalScratch) (*slo.WindowIncidents, uint64, error) {
	l.mu.Lock()
	version := l.version
	n := l.counts.len()
	sc.fine = slices.Grow(sc.fine[:0], n)[:n] // every entry set below
	buckets := sc.fine
	adjusted := 0
	l.counts.each(func(i int, c slo.Counts) {
		start := l.from + int64(i)*gridMs
		c, changed := consistent(c)
		if changed {
			adjusted++
		}
		buckets[i] = slo.Bucket{Start: time.UnixMilli(start).UTC(), End: time.UnixMilli(start + gridMs).UTC(), Counts: c}
	})
	from, to := l.from, l.to()
	l.mu.Unlock()

	o := slo.ResolvedIncidentOptions(slo.IncidentOptionsFor(def, pol), def.Window.Duration)
	w := &slo.WindowIncidents{AdjustedBuckets: adjusted,
		WindowStart: windowStart.UTC(), KnownFrom: time.UnixMilli(from).UTC(), Until: time.UnixMilli(to).UTC(),
		Complete:  from <= counting.CeilTo(windowStart.UnixMilli(), gridMs),
		Threshold: o.Threshold, MergeGapSeconds: o.MergeGap.Seconds(), PostmortemShare: o.PostmortemShare,
		Incidents: []slo.Incident{},
	}
	if len(buckets) == 0 {
		return w, version, nil
	}
	incs, err := slo.DetectIncidentsWith(def, buckets, o, &sc.incidents)
	if err != nil {
		return nil, 0, err
	}
	if incs != nil {
		w.Incidents = incs
	}
	return w, version, nil
}

// current returns the ledger's version.
func (l *incidentLedger) current() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.version
}

// consistent makes one 5m bucket's counts usable for detection. Two series
// scraped at different instants can put more bad events than total ones in
// one 5m bucket (an errors sample just before the edge, the requests sample
// just after), or more good than total with a good selector; over the window
// they agree. Such a bucket is counted as all bad with its bad events kept
// (bad > total: total is raised to bad), or as all good (good > total: good
// is lowered to total), so budget shares keep every bad event the counters
// revealed; the result notes how many buckets were adjusted.
func consistent(c slo.Counts) (slo.Counts, bool) {
	switch {
	case c.Good < 0:
		return slo.Counts{Good: 0, Total: c.Total - c.Good}, true
	case c.Good > c.Total:
		return slo.Counts{Good: c.Total, Total: c.Total}, true
	}
	return c, false
}

// withIncidents updates the SLO's incident ledger at at and puts the
// incidents of the window into r. An estimated SLI (an expression counted
// approximately) gets none: its 5m counts would be estimates too, and an
// incident or a postmortem is a decision; the notes say so.
func (s *sloState) withIncidents(ctx context.Context, src backend.Source, r *slo.Result, windowStart, at time.Time, windowTotal float64, sc *evalScratch) error {
	if s.incidents == nil {
		return errors.New("internal: no incident ledger for this SLO")
	}
	if !s.def.SLI.Exact() {
		r.Notes = append(r.Notes, "incidents are not detected for an estimated SLI: its 5m counts would be estimates")
		return nil
	}
	backfill := backfillHoursPerCycle * int(time.Hour/slo.IncidentGrid)
	switch {
	case s.oneShot:
		backfill = -1
	case pastApart(ctx):
		backfill = 0 // the engine reads the past between evaluations
	}
	past := func(ctx context.Context, from, to time.Time) ([]slo.Bucket, error) {
		return counting.Fine(ctx, src, s.def.SLI, from, to, slo.IncidentGrid, counting.SpansFor(s.def.Name, s.exclusions))
	}
	if err := s.incidents.update(ctx, s.counter, src, past, windowStart, at, backfill); err != nil {
		return err
	}
	// Detection runs when the buckets changed (a new 5m bucket, one that
	// left the window, the past read back); the shares follow the window's
	// total at every evaluation.
	if s.found == nil {
		s.found = &incidentCache{}
	}
	c := s.found
	if c.incidents == nil || c.version != s.incidents.current() || c.key != s.resultKey {
		found, version, err := s.incidents.detect(s.def, s.policy, windowStart, sc)
		if err != nil {
			return fmt.Errorf("incidents: %w", err)
		}
		c.incidents, c.version, c.key = found, version, s.resultKey
	}
	w := *c.incidents
	w.WindowStart = windowStart.UTC()
	w.Incidents = slices.Clone(c.incidents.Incidents)
	if err := slo.ScoreIncidents(s.def, w.Incidents, windowTotal, w.PostmortemShare); err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	r.Incidents = &w
	if w.AdjustedBuckets > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("incidents: %d 5m buckets of the window had more bad than total events or more good than total (the selectors' scrapes straddle a bucket edge); each was counted as all bad or all good with its bad events kept", w.AdjustedBuckets))
	}
	if !w.Complete {
		r.Notes = append(r.Notes, fmt.Sprintf("incidents known since %s: the window's past is still being read", w.KnownFrom.Format(time.RFC3339)))
	}
	return nil
}
