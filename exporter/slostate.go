package exporter

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

const (
	// loadChunk is the range read per query while loading history.
	loadChunk = 24 * time.Hour
	// baselineLookback is read before a range so every series has the sample
	// that precedes the range: its increment into the range needs it.
	baselineLookback = time.Hour
	// fineSpan is how much recent history stays at full resolution: the
	// longest short burn window plus a margin.
	fineSpan = 3*24*time.Hour + time.Hour
)

// fetchUnit is one selector read from Prometheus, feeding its ledgers.
type fetchUnit struct {
	selector string
	ledgers  []*ledger
	feeder   feeder
	loadedTo int64 // ms; data up to here has been ingested; 0 = nothing yet
}

// sloState holds what is known about one SLO between evaluations.
type sloState struct {
	def    *slo.SLO
	policy *slo.Policy
	res    int64
	units  []*fetchUnit
	good   *ledger // nil when the SLI counts bad events
	bad    *ledger // nil when the SLI counts good events
	total  *ledger
	// compactHistory folds old increments into hourly buckets. Off for
	// one-shot evaluations, which keep everything at full resolution.
	compactHistory bool
}

func newSLOState(def *slo.SLO, policy *slo.Policy, resMs int64, compact bool) (*sloState, error) {
	s := &sloState{def: def, policy: policy, res: resMs, compactHistory: compact}
	switch def.SLI.Kind() {
	case slo.KindEvents, slo.KindLatency:
		goodSel, badSel, totalSel := def.SLI.CounterSelectors()
		s.total = newLedger(resMs)
		s.addCounter(totalSel, s.total)
		if goodSel != "" {
			s.good = newLedger(resMs)
			s.addCounter(goodSel, s.good)
		} else {
			s.bad = newLedger(resMs)
			s.addCounter(badSel, s.bad)
		}
	case slo.KindTimeSlice:
		ts := def.SLI.TimeSlice
		s.good, s.total = newLedger(resMs), newLedger(resMs)
		s.units = append(s.units, &fetchUnit{
			selector: ts.Query,
			ledgers:  []*ledger{s.good, s.total},
			feeder:   newTimesliceFeeder(ts, s.good, s.total),
		})
	default:
		return nil, fmt.Errorf("slo %q: no SLI", def.Name)
	}
	return s, nil
}

func (s *sloState) addCounter(selector string, l *ledger) {
	s.units = append(s.units, &fetchUnit{selector: selector, ledgers: []*ledger{l}, feeder: newCounterFeeder(l)})
}

// evaluate brings every unit up to date at at (ms, a multiple of res) and
// computes the SLO's figures there. On error nothing is computed; the
// ledgers keep whatever was ingested and the next call continues from there.
func (s *sloState) evaluate(ctx context.Context, q Querier, at int64) (slo.Result, error) {
	window := s.def.Window.Duration.Milliseconds()
	for _, u := range s.units {
		if err := s.catchUp(ctx, q, u, at, window); err != nil {
			return slo.Result{}, err
		}
	}
	if s.compactHistory {
		edgeEnd := ceilTo(at-window, hourMs)
		for _, u := range s.units {
			for _, l := range u.ledgers {
				l.keepEdgeFromFine(edgeEnd)
				l.compact(at-fineSpan.Milliseconds(), at-window-2*hourMs)
			}
			u.feeder.prune(at - window - 2*hourMs)
		}
	}

	counts := func(w int64) (slo.Counts, error) {
		var c slo.Counts
		var bad float64
		for _, pair := range []struct {
			l   *ledger
			dst *float64
		}{{s.total, &c.Total}, {s.good, &c.Good}, {s.bad, &bad}} {
			if pair.l == nil {
				continue
			}
			v, err := s.sumWithEdge(ctx, q, pair.l, at-w, at)
			if err != nil {
				return c, err
			}
			*pair.dst = v
		}
		if s.good == nil {
			c.Good = c.Total - bad
		}
		return c, nil
	}
	in := slo.Input{At: time.UnixMilli(at).UTC(), Burn: map[time.Duration]slo.Counts{}}
	var err error
	if in.Window, err = counts(window); err != nil {
		return slo.Result{}, err
	}
	for _, w := range slo.BurnWindows {
		c, err := counts(w.Milliseconds())
		if err != nil {
			return slo.Result{}, err
		}
		in.Burn[w] = c
	}
	return slo.Evaluate(s.def, s.policy, in)
}

// catchUp reads what the unit has not seen yet, up to at.
func (s *sloState) catchUp(ctx context.Context, q Querier, u *fetchUnit, at, window int64) error {
	if u.loadedTo >= at {
		return nil
	}
	from := u.loadedTo
	if from == 0 {
		from = at - window - baselineLookback.Milliseconds()
	} else {
		// Re-read a little before the last read: samples ingested late
		// (after our previous query) with older timestamps are picked up;
		// samples already seen are skipped by the feeders.
		from -= 2 * s.res
	}
	for from < at {
		to := min(at, from+loadChunk.Milliseconds())
		m, err := q.QueryMatrix(ctx, rangeQuery(u.selector, to-from), time.UnixMilli(to))
		if err != nil {
			return err
		}
		u.feeder.ingest(m, to)
		u.loadedTo = to
		from = to
	}
	return nil
}

// sumWithEdge sums a ledger over (from, to], fetching the full-resolution
// increments of the hour the window's lower edge cuts when they are not at hand.
func (s *sloState) sumWithEdge(ctx context.Context, q Querier, l *ledger, from, to int64) (float64, error) {
	v, edgeEnd, ok := l.sum(from, to)
	if ok {
		return v, nil
	}
	if err := s.fetchEdge(ctx, q, edgeEnd); err != nil {
		return 0, err
	}
	v, _, ok = l.sum(from, to)
	if !ok {
		return 0, fmt.Errorf("internal: edge hour ending %s still missing", time.UnixMilli(edgeEnd).UTC())
	}
	return v, nil
}

// fetchEdge re-reads the hour ending at end for every unit and installs its
// full-resolution increments as each ledger's edge.
func (s *sloState) fetchEdge(ctx context.Context, q Querier, end int64) error {
	for _, u := range s.units {
		tmp := make([]*ledger, len(u.ledgers))
		for i := range tmp {
			tmp[i] = newLedger(s.res)
		}
		f := u.feeder.fresh(tmp)
		m, err := q.QueryMatrix(ctx, rangeQuery(u.selector, hourMs+baselineLookback.Milliseconds()), time.UnixMilli(end))
		if err != nil {
			return err
		}
		f.ingest(m, end)
		for i, l := range u.ledgers {
			var incs []increment
			for _, inc := range tmp[i].fine {
				if inc.ts > end-hourMs && inc.ts <= end {
					incs = append(incs, inc)
				}
			}
			l.setEdge(end, incs)
		}
	}
	return nil
}

func rangeQuery(selector string, ms int64) string {
	return fmt.Sprintf("%s[%s]", selector, model.Duration(time.Duration(ms)*time.Millisecond))
}
