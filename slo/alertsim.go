package slo

import (
	"fmt"
	"time"
)

// AlertStep is the state of the SLO's multiwindow multi-burn-rate conditions
// at one instant, as the daemon would have evaluated it then.
type AlertStep struct {
	At     time.Time `json:"at"`
	Page   bool      `json:"page"`
	Ticket bool      `json:"ticket"`
}

// SimulateAlerts replays the alert conditions over a fine history (5m
// buckets, or finer): at every bucket end in (from, to] that is a whole
// multiple of step since the Unix epoch, the burn rate of each window of
// AlertPairs is summed from the buckets in (at − window, at] and compared with
// its factor as Evaluate compares it (a window without traffic has no burn
// rate and holds no condition; "above" is strict). Windows reaching back
// before the history count the part covered, as Prometheus does with a
// shorter retention. One more step is evaluated just before from, so that
// the first step's rising edge is known (see RisingEdges).
//
// Alerting.PageDisabled and TicketDisabled are not applied: this is what the
// burn conditions say, which callers may then mute.
func SimulateAlerts(s *SLO, fine []Bucket, from, to time.Time, step time.Duration) ([]AlertStep, error) {
	if step <= 0 {
		return nil, fmt.Errorf("alert step %s must be positive", step)
	}
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return nil, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	x, err := NewHistoryIndex(fine)
	if err != nil {
		return nil, err
	}
	pairs := AlertPairs(s.Window.Duration)
	// One sliding window per distinct length: the steps only move forward.
	cursors := map[time.Duration]*windowCursor{}
	for _, p := range pairs {
		for _, w := range []time.Duration{p.Long, p.Short} {
			if cursors[w] == nil {
				cursors[w] = x.cursor(w)
			}
		}
	}
	burns := map[time.Duration]float64{} // windows without traffic have no key
	eval := func(edge int, at time.Time) (AlertStep, error) {
		st := AlertStep{At: at}
		clear(burns)
		for w, cur := range cursors {
			c, err := cur.at(edge)
			if err != nil {
				return st, fmt.Errorf("burn rate over %s at %s: %w", WindowLabel(w), stamp(at), err)
			}
			if c.Total > 0 {
				burns[w] = burnRate(c.Bad(), c.Total, num, den)
			}
		}
		for _, p := range pairs {
			long, okLong := burns[p.Long]
			short, okShort := burns[p.Short]
			if !okLong || !okShort || long <= p.Factor || short <= p.Factor {
				continue
			}
			switch p.Severity {
			case "page":
				st.Page = true
			case "ticket":
				st.Ticket = true
			}
		}
		return st, nil
	}
	var out []AlertStep
	var before *AlertStep
	for i, b := range fine {
		if b.End.UnixNano()%int64(step) != 0 || b.End.After(to) {
			continue
		}
		if !b.End.After(from) {
			st, err := eval(i+1, b.End)
			if err != nil {
				return nil, err
			}
			before = &st
			continue
		}
		if before != nil && len(out) == 0 {
			out = append(out, *before)
		}
		st, err := eval(i+1, b.End)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// RisingEdges lists the steps after from at which a severity's condition
// starts to hold: true at a step and false at the one before. The step before
// the period (when SimulateAlerts had one) is never itself counted: an alert
// already firing then was raised earlier. Without it, a condition holding at
// the history's first step counts: that is when it would have fired.
func RisingEdges(steps []AlertStep, from time.Time, severity string) []time.Time {
	var out []time.Time
	prev := false
	for _, st := range steps {
		cur := st.Page
		if severity == "ticket" {
			cur = st.Ticket
		}
		if cur && !prev && st.At.After(from) {
			out = append(out, st.At)
		}
		prev = cur
	}
	return out
}

// AlertSpans turns steps into the stretches (Start, End] during which a
// severity's condition held: from the step before it first held to the last
// step it held.
func AlertSpans(steps []AlertStep, severity string) []Period {
	var out []Period
	for i, st := range steps {
		cur := st.Page
		if severity == "ticket" {
			cur = st.Ticket
		}
		if !cur {
			continue
		}
		start := st.At
		if i > 0 {
			start = steps[i-1].At
		}
		if n := len(out); n > 0 && !start.After(out[n-1].End) {
			out[n-1].End = st.At
			continue
		}
		out = append(out, Period{Start: start, End: st.At})
	}
	return out
}
