package slo

import (
	"errors"
	"fmt"
	"math"
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
	// Calendar, when set, is the calendar period (Start, End] that contains
	// At: events never leave the window, and the budget resets at End. Left
	// zero, the window is rolling with the SLO's window length.
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
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return Forecast{}, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	if err := checkCounts("1h", in.LastHour); err != nil {
		return Forecast{}, err
	}
	calendar := !in.Calendar.End.IsZero()
	window := s.Window.Duration
	if calendar {
		if !in.Calendar.Contains(in.At) {
			return Forecast{}, fmt.Errorf("calendar period (%s, %s] does not contain the forecast instant %s",
				stamp(in.Calendar.Start), stamp(in.Calendar.End), stamp(in.At))
		}
	} else if window <= 0 {
		return Forecast{}, errors.New("forecast of a rolling window needs the window's length")
	}
	st, err := buildStream(in, window, calendar)
	if err != nil {
		return Forecast{}, err
	}

	sim := &windowSim{stream: st, num: num, den: den, rolling: !calendar, window: window.Seconds()}
	if calendar {
		sim.fixedStart = in.Calendar.Start.Sub(in.At).Seconds()
	}
	f := Forecast{At: in.At, Calendar: calendar, ExhaustionSeconds: math.Inf(1)}
	f.Remaining = sim.remaining(0)
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
	knots := sim.knots(horizon)
	if calendar {
		end := sim.remaining(horizon)
		f.EndRemaining = &end
	}

	if f.Remaining <= 0 {
		f.ExhaustionSeconds = 0
	} else if y, ok := sim.firstCrossing(knots, func(rem float64) bool { return rem <= 0 }, 0); ok {
		f.ExhaustionSeconds = y
	}

	if cur > 0 {
		better := p.States[cur-1]
		f.NextBetter = better.Name
		m := *better.MinBudgetRemaining // every state but the last has one
		rec := &Recovery{From: f.State, State: better.Name}
		if y, ok := sim.firstCrossing(knots, func(rem float64) bool { return rem >= m }, m); ok {
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

// buildStream lays the known history and the projected future end to end.
func buildStream(in ForecastInput, window time.Duration, calendar bool) (*stream, error) {
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
	st := &stream{at: []float64{rel(hist[0].Start)}, bad: []float64{0}, total: []float64{0}}
	for _, b := range hist {
		st.add(rel(b.End), b.Bad(), b.Total)
	}

	// The traffic profile: the last 24 hours, as buckets relative to At − 1d.
	profile := trafficProfile(st)
	errorRatio := 0.0
	if in.LastHour.Total > 0 {
		errorRatio = in.LastHour.Bad() / in.LastHour.Total
	}
	horizon := window.Seconds()
	if calendar {
		horizon = rel(in.Calendar.End)
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
// relative to the start of that day (0 < end <= 86,400).
func trafficProfile(st *stream) []profileBucket {
	d := day.Seconds()
	var out []profileBucket
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

// remaining is the budget remaining of the window ending y seconds from now,
// computed as Evaluate does; an empty window has its whole budget.
func (w *windowSim) remaining(y float64) float64 {
	bad, total := w.counts(y)
	if total <= 0 {
		return 1
	}
	allowed := total * w.num
	return (allowed - bad*w.den) / allowed
}

// knots lists the instants in (0, horizon] where the window's counts change
// slope: where its leading edge, or its trailing edge on a rolling window,
// crosses a bucket edge. Between knots both counts are straight lines.
func (w *windowSim) knots(horizon float64) []float64 {
	var ys []float64
	for _, at := range w.stream.at {
		if at > 0 && at < horizon {
			ys = append(ys, at)
		}
		if w.rolling && at+w.window > 0 && at+w.window < horizon {
			ys = append(ys, at+w.window)
		}
	}
	ys = append(ys, horizon)
	sort.Float64s(ys)
	out := ys[:0]
	for i, y := range ys {
		if i == 0 || y != ys[i-1] {
			out = append(out, y)
		}
	}
	return out
}

// firstCrossing returns the first instant in (0, last knot] at which met holds
// for the remaining budget. met must be "remaining ≤ level" or "remaining ≥
// level" for the given level; inside a segment the crossing is the root of
// total × num × (1 − level) − bad × den, which is linear there.
func (w *windowSim) firstCrossing(knots []float64, met func(float64) bool, level float64) (float64, bool) {
	prev := 0.0
	for _, y := range knots {
		if !met(w.remaining(y)) {
			prev = y
			continue
		}
		gap := func(x float64) float64 {
			bad, total := w.counts(x)
			return total*w.num*(1-level) - bad*w.den
		}
		ga, gb := gap(prev), gap(y)
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
