package exporter

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

const (
	// loadChunk is the range read per query while loading raw history.
	loadChunk = 24 * time.Hour
	// baselineLookback is read before a range so every series has the sample
	// that precedes the range: its increment into the range needs it.
	baselineLookback = time.Hour
	// fineSpan is how much recent history stays at full resolution: the
	// 5m, 30m, 1h and 2h windows lie inside it. Longer windows use hourly
	// totals plus their edge hour.
	fineSpan = 3 * time.Hour
	// lateDataLimit bounds how far back a cycle reads for samples that
	// arrive late; it stays inside the fine region.
	lateDataLimit = 2 * time.Hour
)

// fetchUnit is one selector read from Prometheus, feeding its ledgers.
type fetchUnit struct {
	selector string
	ledgers  []*ledger
	feeder   feeder
	// counter is true when the selector is a counter whose completed hours
	// may be computed by Prometheus (see loadHourlyHistory).
	counter  bool
	loadedTo int64 // ms; data up to here has been ingested; 0 = nothing yet
}

// sloState holds what is known about one SLO between evaluations.
type sloState struct {
	def    *slo.SLO
	policy *slo.Policy
	res    int64
	units  []*fetchUnit
	// prefetchAt is the moment of the hour (ms past the full hour) from
	// which this SLO reads its next edge hours; it differs per SLO.
	prefetchAt int64
	good       *ledger // nil when the SLI counts bad events
	bad        *ledger // nil when the SLI counts good events
	total      *ledger
}

func newSLOState(def *slo.SLO, policy *slo.Policy, resMs int64) (*sloState, error) {
	s := &sloState{def: def, policy: policy, res: resMs, prefetchAt: prefetchMoment(def.Name)}
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
		f := newTimesliceFeeder(ts, s.good, s.total)
		f.keep = 2 * resMs // what catchUp reads again each cycle
		s.units = append(s.units, &fetchUnit{
			selector: ts.Query,
			ledgers:  []*ledger{s.good, s.total},
			feeder:   f,
		})
	default:
		return nil, fmt.Errorf("slo %q: no SLI", def.Name)
	}
	return s, nil
}

// prefetchMoment spreads SLOs over minutes 5 to 55 of the hour by name.
func prefetchMoment(name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return (5*60 + int64(h.Sum32()%(50*60))) * 1000
}

func (s *sloState) addCounter(selector string, l *ledger) {
	s.units = append(s.units, &fetchUnit{selector: selector, ledgers: []*ledger{l}, feeder: newCounterFeeder(l), counter: true})
}

// windows returns the SLO window and every burn window, in ms.
func (s *sloState) windows() []int64 {
	ws := []int64{s.def.Window.Duration.Milliseconds()}
	for _, w := range slo.BurnWindows {
		ws = append(ws, w.Milliseconds())
	}
	return ws
}

// evaluate brings every unit up to date at at (ms, a multiple of res) and
// computes the SLO's figures there. On error nothing is computed; the
// ledgers keep whatever was ingested and the next call continues from there.
func (s *sloState) evaluate(ctx context.Context, q Querier, at int64) (slo.Result, error) {
	window := s.def.Window.Duration.Milliseconds()
	// The 3d burn window is longer than a 1d or 2d SLO window: read and
	// keep history for the longest window, or that burn rate sees a part.
	span := slices.Max(s.windows())
	for _, u := range s.units {
		if err := s.catchUp(ctx, q, u, at, span); err != nil {
			return slo.Result{}, err
		}
	}
	// Edge hours: the hour each window's lower edge cuts now, and the one it
	// cuts next. Every window edge crosses into its next hour at the same
	// instant for every SLO; fetching the next ones ahead, at a moment of the
	// hour that differs per SLO, spreads those reads over the hour instead
	// of piling them all into the cycle after the full hour.
	neededEdges, nextEdges := map[int64]bool{}, map[int64]bool{}
	keepEdges := map[int64]bool{}
	for _, w := range s.windows() {
		e := ceilTo(at-w, hourMs)
		neededEdges[e], nextEdges[e+hourMs] = true, true
		keepEdges[e], keepEdges[e+hourMs] = true, true
	}
	foldCut := floorTo(at-fineSpan.Milliseconds(), hourMs)
	for _, u := range s.units {
		for _, l := range u.ledgers {
			for end := range keepEdges {
				if end <= foldCut { // complete, and about to be folded
					l.captureEdge(end)
				}
			}
			l.compact(at-fineSpan.Milliseconds(), at-span-2*hourMs)
			l.retainEdges(keepEdges)
		}
		u.feeder.prune(at - span - 2*hourMs)
	}
	if at%hourMs >= s.prefetchAt {
		for end := range nextEdges {
			if err := s.prefetchEdge(ctx, q, end); err != nil {
				return slo.Result{}, err
			}
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
	r, err := slo.Evaluate(s.def, s.policy, in)
	if err == nil {
		if note := s.staleTotalNote(at); note != "" {
			r.Notes = append(r.Notes, note)
		}
	}
	return r, err
}

// staleTotalNote says so when the total selector has had no samples for a
// while: a service that stopped, or a selector that no longer matches. The
// numbers stay exact (no traffic is no traffic); the note tells people why.
func (s *sloState) staleTotalNote(at int64) string {
	u := s.units[0] // the total (or the time-slice gauge) is always the first unit
	f, ok := u.feeder.(*counterFeeder)
	if !ok {
		return ""
	}
	latest := f.state.latest()
	switch {
	case latest == 0:
		return fmt.Sprintf("no samples of %s in the last %s", u.selector, model.Duration(fineSpan))
	case at-latest > staleTotalAfter.Milliseconds():
		return fmt.Sprintf("no samples of %s since %s", u.selector, time.UnixMilli(latest).UTC().Format(time.RFC3339))
	}
	return ""
}

// staleTotalAfter is how long the total selector may go without samples
// before the SLO's notes say so.
const staleTotalAfter = 10 * time.Minute

// catchUp reads what the unit has not seen yet, up to at, reaching back
// window (the longest window of the SLO) the first time. The first time,
// completed hours come from Prometheus as hourly totals when it can compute
// them, and only the last few hours are read raw.
func (s *sloState) catchUp(ctx context.Context, q Querier, u *fetchUnit, at, window int64) error {
	if u.loadedTo >= at {
		return nil
	}
	from := u.loadedTo
	if from == 0 {
		from = at - window - baselineLookback.Milliseconds()
		rq, ok := q.(RangeQuerier)
		cut := floorTo(at-fineSpan.Milliseconds(), hourMs)
		first := ceilTo(at-window, hourMs)
		if ok && u.counter && cut > first {
			switch err := loadHourlyHistory(ctx, rq, u, first, cut); {
			case err == nil:
				u.ledgers[0].sealHistory(cut)
				from = cut - baselineLookback.Milliseconds()
			case classifyError(err) == "query_error":
				// The backend refused the difference query (for example a
				// selector spanning several metric names makes the
				// subtraction ambiguous): read the raw history instead.
				u.ledgers[0].setHoursFrom(nil)
			default:
				return err
			}
		}
	} else {
		// Re-read a little before the last read: samples ingested late
		// (after our previous query) with older timestamps are picked up;
		// samples already seen are skipped by the feeders. When the newest
		// sample seen is older than that (remote write, federation and
		// slow pipelines deliver samples minutes late), read from there,
		// or every late sample would fall before the range and be missed.
		from -= 2 * s.res
		if n := u.feeder.newest(); n > 0 {
			from = min(from, max(n-2*s.res, at-lateDataLimit.Milliseconds()))
		}
		if tf, ok := u.feeder.(*timesliceFeeder); ok {
			tf.keep = at - from // slices in the re-read span stay open
		}
	}
	for from < at {
		to := min(at, from+loadChunk.Milliseconds())
		m, err := u.read(ctx, q, to-from, to)
		if err != nil {
			return err
		}
		u.feeder.ingest(m, to)
		u.loadedTo = to
		from = to
	}
	return nil
}

// sumWithEdge sums a ledger over (from, to], reading the full-resolution
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

// prefetchEdge reads the edge hour ending at end ahead of need, when it is
// complete, already folded, and not at hand.
func (s *sloState) prefetchEdge(ctx context.Context, q Querier, end int64) error {
	for _, u := range s.units {
		for _, l := range u.ledgers {
			if _, ok := l.edges[end]; !ok && end <= l.fineFrom {
				return s.fetchEdge(ctx, q, end)
			}
		}
	}
	return nil
}

// fetchEdge re-reads the hour ending at end for every unit and keeps its
// full-resolution increments as each ledger's edge copy.
func (s *sloState) fetchEdge(ctx context.Context, q Querier, end int64) error {
	for _, u := range s.units {
		incs, err := rawHour(ctx, q, u, end)
		if err != nil {
			return err
		}
		for i, l := range u.ledgers {
			l.setEdge(end, incs[i])
		}
	}
	return nil
}

// read fetches the unit's raw samples in the range ms long ending at end.
// A NaN in a counter means the data is broken, not zero: the evaluation
// fails rather than count it. (A NaN gauge is a slice whose condition does
// not hold, as in PromQL.)
func (u *fetchUnit) read(ctx context.Context, q Querier, ms, end int64) (model.Matrix, error) {
	m, err := q.QueryMatrix(ctx, rangeQuery(u.selector, ms), time.UnixMilli(end))
	if err != nil || !u.counter {
		return m, err
	}
	for _, ss := range m {
		for _, s := range ss.Values {
			if math.IsNaN(float64(s.Value)) {
				return nil, fmt.Errorf("counter %s has a NaN sample at %s", ss.Metric, s.Timestamp.Time().UTC().Format(time.RFC3339))
			}
		}
	}
	return m, nil
}

func rangeQuery(selector string, ms int64) string {
	return fmt.Sprintf("%s[%s]", selector, model.Duration(time.Duration(ms)*time.Millisecond))
}
