package slo

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// ForecastInput is what a forecast reads: the SLO's recent history and the
// pace of its last hour.
type ForecastInput struct {
	// At is the evaluation instant; History ends exactly there.
	At time.Time
	// History holds the buckets (hourly from the engine) that cover the SLO
	// window and at least the last 24 hours, which give the traffic profile.
	// Buckets before both are ignored. A history that starts inside the
	// window is a partly covered window: nothing older is known to leave.
	History []Bucket
	// LastHour holds the counts over (At − 1h, At]: its error ratio is the
	// pace the forecast assumes.
	LastHour Counts
	// Calendar, when set, is the calendar period that contains At (Start ≤
	// At ≤ End): events never leave the window, and the budget resets at
	// End. Left zero, it is the SLO window's own period (Window.Period) for
	// a calendar window, and the window is rolling otherwise.
	Calendar Period
}

// Forecast is what the budget does if the current pace continues.
//
// The assumptions, in words:
//   - New time brings the traffic of the same stretch a day earlier (the
//     history's last 24 hours, repeated daily past the first day), with the
//     error ratio of the last hour. Where that stretch had no traffic, the new
//     hour adds nothing. Where the history is shorter than a day, the missing
//     part of the day takes the history's mean traffic per second.
//   - With no traffic in the last hour there is no pace (Pace is nil): the
//     quiet is assumed to continue, so nothing new enters the window and only
//     old events leave it.
//   - Inside a bucket, events are spread evenly over its span: a bucket
//     leaves the rolling window's trailing edge gradually over its own span
//     (a partial first bucket over its shorter span), and the remaining
//     budget between two bucket edges moves as a ratio of two straight lines.
//     That makes the crossing of a threshold exact to the second under this
//     assumption: between edges (at most an hour apart with hourly buckets)
//     the crossing is the root of a linear equation.
type Forecast struct {
	At time.Time `json:"at"`
	// Remaining is the budget remaining now, from the history.
	Remaining float64 `json:"remaining"`
	// State is the policy state now; Freeze says whether it freezes releases.
	State  string `json:"state"`
	Freeze bool   `json:"freeze"`
	// Pace is the last hour's burn rate; nil when the last hour had no traffic.
	Pace *float64 `json:"pace"`
	// ExhaustionSeconds is the time until the remaining budget reaches 0: 0
	// when it already has, +Inf when it never does at this pace (for a
	// calendar window: not before the period ends and the budget resets).
	ExhaustionSeconds float64 `json:"exhaustionSeconds"`
	// Settles is, on a rolling window with a pace, the level the remaining
	// budget settles at once the window holds only new hours: 1 − pace.
	Settles *float64 `json:"settles,omitempty"`
	// Calendar windows: when the period ends, and the budget left then at
	// this pace (just before the reset).
	Calendar     bool      `json:"calendar"`
	PeriodEnd    time.Time `json:"periodEnd,omitzero"`
	EndRemaining *float64  `json:"endRemaining,omitempty"`
	// NextBetter is the state above the current one; empty in the policy's
	// best state.
	NextBetter string `json:"nextBetter,omitempty"`
	// Recovery is nil when the SLO is in its policy's best state or never
	// climbs back at this pace.
	Recovery *Recovery `json:"recovery"`
}

// MarshalJSON writes an exhaustion that never comes (+Inf, which JSON cannot
// spell) as null, as the API's exhaustionSeconds does.
func (f Forecast) MarshalJSON() ([]byte, error) {
	type plain Forecast // no methods: no recursion
	out := struct {
		plain
		ExhaustionSeconds *float64 `json:"exhaustionSeconds"`
	}{plain: plain(f)}
	if !math.IsInf(f.ExhaustionSeconds, 0) {
		out.ExhaustionSeconds = &f.ExhaustionSeconds
	}
	return json.Marshal(out)
}

// Recovery is when an SLO climbs back into the next better policy state.
type Recovery struct {
	// From is the current state, State the next better one.
	From  string `json:"from"`
	State string `json:"state"`
	// Seconds until the remaining budget meets State's threshold.
	Seconds float64 `json:"seconds"`
	// AtReset is true when it is the calendar period's reset, not the pace,
	// that brings the SLO back.
	AtReset bool `json:"atReset"`
}

// ForecastBudget steps the SLO's window forward from in.At: on a rolling
// window, events leave at the trailing edge as new ones enter (math.md,
// "Forecasts on a rolling window"); on a calendar window nothing leaves until
// the period ends. See Forecast for the assumptions.
//
// On a rolling window the forecast needs to look at most one window ahead:
// by then the window holds only new hours, whose error ratio is the pace's,
// so the remaining budget stays at 1 − pace from there on.
func ForecastBudget(s *SLO, p *Policy, in ForecastInput) (Forecast, error) {
	return ForecastBudgetWith(s, p, in, nil)
}

// ForecastScratch holds the working buffers of a forecast (the stream of
// the history and the projection, the window's knots and their counts: tens
// of kilobytes for a 30-day window of hourly buckets), for a caller that
// forecasts again and again. The zero value is ready. A scratch serves one
// forecast at a time; nothing a Forecast holds refers to it.
type ForecastScratch struct {
	st      stream
	profile []profileBucket
	knots   []float64
	sw      sweep
}

// ForecastBudgetWith is ForecastBudget working in sc's buffers (nil: fresh
// ones), which it leaves grown for the next call. The forecast is the same
// to the bit.
func ForecastBudgetWith(s *SLO, p *Policy, in ForecastInput, sc *ForecastScratch) (Forecast, error) {
	if sc == nil {
		sc = &ForecastScratch{}
	}
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return Forecast{}, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	if err := checkCounts("1h", in.LastHour); err != nil {
		return Forecast{}, err
	}
	if in.Calendar.End.IsZero() && s.Window.IsCalendar() {
		// The engine's own period: the one holding At, from its first
		// instant (at exactly midnight the new period has just begun).
		in.Calendar.Start, in.Calendar.End = s.Window.Period(in.At)
	}
	calendar := !in.Calendar.End.IsZero()
	window := s.Window.Duration
	if calendar {
		if in.At.Before(in.Calendar.Start) || in.At.After(in.Calendar.End) {
			return Forecast{}, fmt.Errorf("calendar period (%s, %s] does not contain the forecast instant %s",
				stamp(in.Calendar.Start), stamp(in.Calendar.End), stamp(in.At))
		}
	} else if window <= 0 {
		return Forecast{}, errors.New("forecast of a rolling window needs the window's length")
	}
	st, err := buildStream(in, window, calendar, sc)
	if err != nil {
		return Forecast{}, err
	}

	sim := &windowSim{stream: st, num: num, den: den, rolling: !calendar, window: window.Seconds()}
	if calendar {
		sim.fixedStart = in.Calendar.Start.Sub(in.At).Seconds()
	}
	f := Forecast{At: in.At, Calendar: calendar, ExhaustionSeconds: math.Inf(1)}
	bad, total := sim.counts(0)
	f.Remaining = 1
	if total > 0 {
		f.Remaining = (total*num - bad*den) / (total * num)
	}
	cur := stateIndex(p, f.Remaining)
	f.State, f.Freeze = p.States[cur].Name, p.States[cur].Freeze
	if in.LastHour.Total > 0 {
		pace := burnRate(in.LastHour.Bad(), in.LastHour.Total, num, den)
		f.Pace = &pace
		if !calendar {
			settles := 1 - pace
			f.Settles = &settles
		}
	}

	horizon := window.Seconds()
	if calendar {
		f.PeriodEnd = in.Calendar.End
		horizon = in.Calendar.End.Sub(in.At).Seconds()
	}
	sc.knots = sim.knots(horizon, sc.knots[:0])
	sw := sim.sweep(sc.knots, &sc.sw)
	if calendar {
		end := sim.remainingAt(sw, len(sw.at)-1)
		f.EndRemaining = &end
	}

	if f.Remaining <= 0 {
		f.ExhaustionSeconds = 0
	} else if y, ok := sim.firstCrossing(sw, func(rem float64) bool { return rem <= 0 }, 0); ok {
		f.ExhaustionSeconds = y
	}

	if cur > 0 {
		better := p.States[cur-1]
		f.NextBetter = better.Name
		m := *better.MinBudgetRemaining // every state but the last has one
		rec := &Recovery{From: f.State, State: better.Name}
		if y, ok := sim.firstCrossing(sw, func(rem float64) bool { return rem >= m }, m); ok {
			rec.Seconds = y
			f.Recovery = rec
		} else if calendar && m <= 1 {
			// The reset empties the window: an untouched budget.
			rec.Seconds, rec.AtReset = horizon, true
			f.Recovery = rec
		}
	}
	return f, nil
}

// stateIndex is the position of StateFor's answer in the policy (state names
// are unique), so that the rule of which state applies lives in one place.
func stateIndex(p *Policy, remaining float64) int {
	name := p.StateFor(remaining).Name
	for i, st := range p.States {
		if st.Name == name {
			return i
		}
	}
	return len(p.States) - 1
}

// stream is the cumulative count of events, known and projected, as a
// piecewise-linear function of time: at[i] seconds relative to the forecast
// instant (negative in the past), with bad[i] and total[i] events up to it.
type stream struct {
	at, bad, total []float64
}

func (s *stream) add(end, bad, total float64) {
	n := len(s.at) - 1
	s.at = append(s.at, end)
	s.bad = append(s.bad, s.bad[n]+bad)
	s.total = append(s.total, s.total[n]+total)
}

// cum returns the events up to x, interpolated evenly inside a bucket.
func (s *stream) cum(x float64) (bad, total float64) {
	n := len(s.at)
	if x <= s.at[0] {
		return 0, 0
	}
	if x >= s.at[n-1] {
		return s.bad[n-1], s.total[n-1]
	}
	k := sort.SearchFloat64s(s.at, x) // at[k-1] < x <= at[k]
	if s.at[k] == x {
		return s.bad[k], s.total[k]
	}
	f := (x - s.at[k-1]) / (s.at[k] - s.at[k-1])
	return s.bad[k-1] + f*(s.bad[k]-s.bad[k-1]), s.total[k-1] + f*(s.total[k]-s.total[k-1])
}

// cumFrom is cum for instants that only move forward: hint keeps the
// position reached by the previous call.
func (s *stream) cumFrom(x float64, hint *int) (bad, total float64) {
	n := len(s.at)
	if x <= s.at[0] {
		return 0, 0
	}
	if x >= s.at[n-1] {
		return s.bad[n-1], s.total[n-1]
	}
	k := max(*hint, 1)
	for s.at[k] < x {
		k++
	}
	*hint = k
	if s.at[k] == x {
		return s.bad[k], s.total[k]
	}
	f := (x - s.at[k-1]) / (s.at[k] - s.at[k-1])
	return s.bad[k-1] + f*(s.bad[k]-s.bad[k-1]), s.total[k-1] + f*(s.total[k]-s.total[k-1])
}

// reset empties the stream to its first instant, keeping its buffers, with
// room for n more points.
func (s *stream) reset(start float64, n int) {
	s.at = append(slices.Grow(s.at[:0], n+1), start)
	s.bad = append(slices.Grow(s.bad[:0], n+1), 0)
	s.total = append(slices.Grow(s.total[:0], n+1), 0)
}

// grow makes room for n more points.
func (s *stream) grow(n int) {
	s.at, s.bad, s.total = slices.Grow(s.at, n), slices.Grow(s.bad, n), slices.Grow(s.total, n)
}

// buildStream lays the known history and the projected future end to end,
// in sc's stream (and its profile buffer).
func buildStream(in ForecastInput, window time.Duration, calendar bool, sc *ForecastScratch) (*stream, error) {
	if err := CheckHistory(in.History); err != nil {
		return nil, err
	}
	if len(in.History) == 0 {
		return nil, errors.New("forecast needs a history, and it is empty")
	}
	if last := in.History[len(in.History)-1].End; !last.Equal(in.At) {
		return nil, fmt.Errorf("history ends at %s, not at the forecast instant %s", stamp(last), stamp(in.At))
	}
	rel := func(t time.Time) float64 { return t.Sub(in.At).Seconds() }
	// Only what can still leave the window or shape the traffic profile.
	keepFrom := -math.Max(window.Seconds(), day.Seconds())
	if calendar {
		keepFrom = math.Min(rel(in.Calendar.Start), -day.Seconds())
	}
	hist := in.History
	for len(hist) > 1 && rel(hist[0].End) <= keepFrom {
		hist = hist[1:]
	}
	st := &sc.st
	st.reset(rel(hist[0].Start), len(hist))
	for _, b := range hist {
		st.add(rel(b.End), b.Bad(), b.Total)
	}

	// The traffic profile: the last 24 hours, as buckets relative to At − 1d.
	sc.profile = trafficProfile(st, sc.profile[:0])
	profile := sc.profile
	errorRatio := 0.0
	if in.LastHour.Total > 0 {
		errorRatio = in.LastHour.Bad() / in.LastHour.Total
	}
	horizon := window.Seconds()
	if calendar {
		horizon = rel(in.Calendar.End)
	}
	if horizon > 0 {
		// At most the profile once a day started before the horizon: the
		// stream grows once, to its size.
		st.grow(len(profile) * int(math.Ceil(horizon/day.Seconds())))
	}
	for dayStart := 0.0; dayStart < horizon; dayStart += day.Seconds() {
		for _, pb := range profile {
			total := pb.total
			if in.LastHour.Total == 0 {
				total = 0 // no pace: the quiet continues
			}
			st.add(dayStart+pb.end, errorRatio*total, total)
			if dayStart+pb.end >= horizon {
				break
			}
		}
	}
	return st, nil
}

type profileBucket struct{ end, total float64 }

// trafficProfile cuts the stream's last 24 hours into buckets whose ends are
// relative to the start of that day (0 < end <= 86,400), appended to out.
func trafficProfile(st *stream, out []profileBucket) []profileBucket {
	d := day.Seconds()
	prevEnd, prevTotal := -d, 0.0
	if st.at[0] > -d {
		// Less than a day of history: the missing part at the mean rate.
		_, all := st.cum(0)
		rate := all / -st.at[0]
		out = append(out, profileBucket{end: st.at[0] + d, total: rate * (st.at[0] + d)})
		prevEnd = st.at[0]
	} else {
		_, prevTotal = st.cum(-d)
	}
	for i, at := range st.at {
		if at <= prevEnd {
			continue
		}
		total := st.total[i] - prevTotal
		out = append(out, profileBucket{end: at + d, total: total})
		prevEnd, prevTotal = at, st.total[i]
	}
	return out
}

// windowSim reads the window's counts at any instant from a stream.
type windowSim struct {
	stream     *stream
	num, den   float64
	rolling    bool
	window     float64 // seconds, rolling
	fixedStart float64 // relative seconds, calendar
}

func (w *windowSim) counts(y float64) (bad, total float64) {
	b1, t1 := w.stream.cum(y)
	from := w.fixedStart
	if w.rolling {
		from = y - w.window
	}
	b0, t0 := w.stream.cum(from)
	return b1 - b0, t1 - t0
}

// knots lists the instants in (0, horizon] where the window's counts change
// slope: where its leading edge, or its trailing edge on a rolling window,
// crosses a bucket edge. Between knots both counts are straight lines. Both
// lists are already in order (the stream's edges are), so they are merged,
// appended to out.
func (w *windowSim) knots(horizon float64, out []float64) []float64 {
	at := w.stream.at
	out = slices.Grow(out, 2*len(at)+1)
	i, j := 0, 0
	next := func() (float64, bool) {
		for i < len(at) && at[i] <= 0 {
			i++
		}
		for w.rolling && j < len(at) && at[j]+w.window <= 0 {
			j++
		}
		lead, trail := math.Inf(1), math.Inf(1)
		if i < len(at) {
			lead = at[i]
		}
		if w.rolling && j < len(at) {
			trail = at[j] + w.window
		}
		if lead <= trail {
			i++
			return lead, lead < horizon
		}
		j++
		return trail, trail < horizon
	}
	for {
		y, ok := next()
		if !ok {
			break
		}
		if n := len(out); n == 0 || y != out[n-1] {
			out = append(out, y)
		}
	}
	return append(out, horizon)
}

// sweep reads the window's counts at 0 and at every knot in one pass: both
// edges only move forward, so each keeps its place in the stream.
type sweep struct {
	at, bad, total []float64
}

// sweep fills buf's slices from empty (their buffers reused) and returns it.
func (w *windowSim) sweep(knots []float64, buf *sweep) sweep {
	n := len(knots) + 1
	sw := sweep{at: slices.Grow(buf.at[:0], n), bad: slices.Grow(buf.bad[:0], n), total: slices.Grow(buf.total[:0], n)}
	lead, trail := 0, 0
	add := func(y float64) {
		b1, t1 := w.stream.cumFrom(y, &lead)
		from := w.fixedStart
		if w.rolling {
			from = y - w.window
		}
		b0, t0 := w.stream.cumFrom(from, &trail)
		sw.at = append(sw.at, y)
		sw.bad = append(sw.bad, b1-b0)
		sw.total = append(sw.total, t1-t0)
	}
	add(0)
	for _, y := range knots {
		add(y)
	}
	*buf = sw
	return sw
}

// remainingAt is the remaining budget at sweep point k, as Evaluate computes
// it; an empty window has its whole budget.
func (w *windowSim) remainingAt(sw sweep, k int) float64 {
	if sw.total[k] <= 0 {
		return 1
	}
	allowed := sw.total[k] * w.num
	return (allowed - sw.bad[k]*w.den) / allowed
}

// firstCrossing returns the first instant in (0, last knot] at which met holds
// for the remaining budget. met must be "remaining ≤ level" or "remaining ≥
// level" for the given level; inside a segment the crossing is the root of
// total × num × (1 − level) − bad × den, which is linear there.
func (w *windowSim) firstCrossing(sw sweep, met func(float64) bool, level float64) (float64, bool) {
	for k := 1; k < len(sw.at); k++ {
		if !met(w.remainingAt(sw, k)) {
			continue
		}
		gap := func(i int) float64 { return sw.total[i]*w.num*(1-level) - sw.bad[i]*w.den }
		prev, y := sw.at[k-1], sw.at[k]
		ga, gb := gap(k-1), gap(k)
		at := y
		if ga != gb {
			at = prev + (y-prev)*ga/(ga-gb)
		}
		if at < prev || at > y || math.IsNaN(at) {
			at = y // an empty window at the start of the segment
		}
		return at, true
	}
	return 0, false
}
