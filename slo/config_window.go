package slo

import (
	"fmt"
	"time"
	// Calendar windows name IANA zones; the embedded database makes them
	// resolve the same in a minimal container without /usr/share/zoneinfo.
	_ "time/tzdata"

	"gopkg.in/yaml.v3"
)

const (
	defaultWindowText = "30d"
	minWindow         = day
	// MaxWindow bounds rolling windows: a year and a day covers every
	// yearly SLO, and beyond it a report would issue hundreds of thousands
	// of hourly queries (292y never finished).
	MaxWindow = 366 * day
)

func rollingWindow(text string, d time.Duration) Window {
	return Window{Text: text, Duration: d}
}

// calendarPeriods are the calendar windows: their label and nominal length.
var calendarPeriods = map[string]struct {
	label   string
	nominal time.Duration
	longest time.Duration
}{
	"week":    {"1w", 7 * day, 7 * day},
	"month":   {"1M", 30 * day, 31 * day},
	"quarter": {"1q", 90 * day, 92 * day},
}

var calendarNames = []string{"month", "week", "quarter"}

// CalendarWindow returns the calendar window of the given period ("month",
// "week", "quarter") in loc (nil: UTC).
func CalendarWindow(period string, loc *time.Location) (Window, error) {
	p, ok := calendarPeriods[period]
	if !ok {
		return Window{}, fmt.Errorf("%q is not a calendar period; use month, week or quarter", period)
	}
	if loc == nil {
		loc = time.UTC
	}
	return Window{Text: p.label, Duration: p.nominal, Calendar: period, Location: loc}, nil
}

// IsCalendar is true for a calendar window.
func (w Window) IsCalendar() bool { return w.Calendar != "" }

// Longest is the longest the window can be: its duration when rolling, the
// longest period (31d for a month, 92d for a quarter) when calendar.
func (w Window) Longest() time.Duration {
	if p, ok := calendarPeriods[w.Calendar]; ok {
		return p.longest
	}
	return w.Duration
}

// Period returns the window that holds t: for a calendar window the period
// (month, ISO week starting Monday, or quarter starting January, April,
// July, October) containing t in the window's zone, from its first instant
// to the first instant of the next; for a rolling window [t-Duration, t).
func (w Window) Period(t time.Time) (start, end time.Time) {
	periods := w.CalendarPeriods()
	if periods == nil {
		return t.Add(-w.Duration), t
	}
	// CalendarPeriods uses the bucket convention (start, end]; the period
	// that holds an instant as [start, end) is the one holding the next
	// nanosecond. One place computes calendar boundaries (history.go).
	p := periods(t.Add(time.Nanosecond))
	return p.Start, p.End
}

// window reads `window:`: a rolling duration (`28d`) or a calendar period
// (`{calendar: month, timezone: Europe/Berlin}`).
func (r reporter) window(n *yaml.Node, path string) (Window, bool) {
	if n.Kind == yaml.MappingNode {
		return r.calendarWindow(n, path)
	}
	text, d, ok := r.duration(n, path)
	if !ok {
		return Window{}, false
	}
	if msg := checkRollingWindow(text, d); msg != "" {
		r.errorf(n, path, "%s", msg)
		return Window{}, false
	}
	return rollingWindow(text, d), true
}

// checkRollingWindow reports why a rolling window is unusable, or "".
func checkRollingWindow(text string, d time.Duration) string {
	switch {
	case d < minWindow:
		return fmt.Sprintf("%q is shorter than 1d; SLO windows are days or weeks long (e.g. 7d, 28d, 30d)", text)
	case d > MaxWindow:
		return fmt.Sprintf("%q is longer than 366d, the longest window slobudget evaluates; for yearly reporting use a calendar quarter and `review`", text)
	case d%StepGrid != 0:
		// Windows start on the evaluation grid (which divides 5m), so
		// every window holds whole evaluation steps.
		return fmt.Sprintf("%q is not a whole number of 5-minute steps (e.g. 7d, 28d, 30d, 36h)", text)
	}
	return ""
}

type calendarDraft struct {
	period string
	zone   *time.Location
}

var calendarSpec = &spec[calendarDraft]{fields: []field[calendarDraft]{
	required(field[calendarDraft]{key: "calendar", read: func(r reporter, n *yaml.Node, path string, c *calendarDraft) {
		if v, ok := r.str(n, path); ok {
			if _, known := calendarPeriods[v]; !known {
				r.errorf(n, path, "%q is not a calendar period; use month, week or quarter", v)
				return
			}
			c.period = v
		}
	}}, "month, week or quarter"),
	{key: "timezone", read: func(r reporter, n *yaml.Node, path string, c *calendarDraft) {
		if v, ok := r.str(n, path); ok {
			loc, err := loadZone(v)
			if err != nil {
				r.errorf(n, path, "%q is not an IANA time zone such as UTC or Europe/Berlin", v)
				return
			}
			c.zone = loc
		}
	}},
}}

// loadZone resolves an IANA zone name. "Local" is refused: the period
// boundaries must not depend on the machine slobudget runs on.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("zone %q", name)
	}
	return time.LoadLocation(name)
}

func (r reporter) calendarWindow(n *yaml.Node, path string) (Window, bool) {
	var c calendarDraft
	before := len(*r.errs)
	if _, ok := calendarSpec.decode(r, n, path, &c); !ok || len(*r.errs) > before || c.period == "" {
		return Window{}, false
	}
	w, err := CalendarWindow(c.period, c.zone)
	if err != nil {
		r.errorf(n, path, "%v", err)
		return Window{}, false
	}
	return w, true
}
