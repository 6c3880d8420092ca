package slo

import (
	"testing"
	"time"
)

// TestCalendarPeriods checks Period against a brute-force truth: walking
// hour by hour over two years in a zone with daylight saving, the period
// containing an instant is the run of hours with the same calendar month,
// ISO week or quarter, and it starts and ends at local midnight.
func TestCalendarPeriods(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]func(time.Time) [2]int{
		"month":   func(t time.Time) [2]int { return [2]int{t.Year(), int(t.Month())} },
		"quarter": func(t time.Time) [2]int { return [2]int{t.Year(), (int(t.Month()) - 1) / 3} },
		"week":    func(t time.Time) [2]int { y, w := t.ISOWeek(); return [2]int{y, w} },
	}
	for period, keyOf := range key {
		w, err := CalendarWindow(period, berlin)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2025, 12, 1, 0, 0, 0, 0, berlin)
		// Collect the truth: first and last hour of each key.
		type span struct{ first, last time.Time }
		spans := map[[2]int]*span{}
		var order [][2]int
		for h := start; h.Before(start.AddDate(2, 0, 0)); h = h.Add(time.Hour) {
			k := keyOf(h.In(berlin))
			if spans[k] == nil {
				spans[k] = &span{first: h}
				order = append(order, k)
			}
			spans[k].last = h
		}
		// Skip the first and last span: they are cut by the walk.
		for _, k := range order[1 : len(order)-1] {
			sp := spans[k]
			for _, at := range []time.Time{sp.first, sp.first.Add(90 * time.Minute), sp.last, sp.last.Add(59 * time.Minute)} {
				s, e := w.Period(at)
				if !s.Equal(sp.first) || !e.Equal(sp.last.Add(time.Hour)) {
					t.Fatalf("%s Period(%s) = [%s, %s), want [%s, %s)", period, at, s, e, sp.first, sp.last.Add(time.Hour))
				}
				if s.In(berlin).Hour() != 0 || (period == "week" && s.In(berlin).Weekday() != time.Monday) {
					t.Fatalf("%s period starts %s, not at local midnight (Monday)", period, s.In(berlin))
				}
			}
		}
	}
	r := Window{Text: "7d", Duration: 7 * day}
	at := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if s, e := r.Period(at); !e.Equal(at) || !s.Equal(at.Add(-7*day)) || r.IsCalendar() || r.Longest() != 7*day {
		t.Errorf("rolling Period = %s, %s", s, e)
	}
	if m, _ := CalendarWindow("month", nil); m.Location != time.UTC || m.Longest() != 31*day || m.Text != "1M" {
		t.Errorf("month window %+v", m)
	}
	if _, err := CalendarWindow("year", nil); err == nil {
		t.Error("year accepted")
	}
}
