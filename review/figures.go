package review

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// Review is the computed review: one entry per SLO in input order, and the
// portfolio over all of them.
type Review struct {
	From      time.Time   `json:"from"`
	To        time.Time   `json:"to"`
	Location  string      `json:"timezone"`
	SLOs      []SLOReview `json:"slos"`
	Portfolio Portfolio   `json:"portfolio"`
}

// SLOReview holds one SLO's figures under its real objective and window and,
// with --what-if.*, under the other ones, counted from the same events.
type SLOReview struct {
	Name        string   `json:"name"`
	Service     string   `json:"service"`
	Description string   `json:"description,omitempty"`
	Actual      Figures  `json:"actual"`
	WhatIf      *Figures `json:"whatIf,omitempty"`
}

// Figures are every number of one SLO's review under one objective and window.
type Figures struct {
	// Objective as a ratio and as the percent written in the config.
	Objective        float64 `json:"objective"`
	ObjectivePercent float64 `json:"objectivePercent"`
	Window           string  `json:"window"`
	Calendar         bool    `json:"calendar"`
	// DataFrom is where the hourly history begins; nil without any.
	DataFrom *time.Time `json:"dataFrom"`
	// Coverage is the share of the period the hourly history covers.
	Coverage float64    `json:"coverage"`
	Events   slo.Counts `json:"events"`
	// SLI, Met and BudgetSpent are over the whole period; nil without traffic.
	SLI         *float64 `json:"sli"`
	Met         *bool    `json:"met"`
	BudgetSpent *float64 `json:"budgetSpent"`
	Months      []Month  `json:"months"`
	// WorstMonth is the month with the lowest SLI (partial months included,
	// and marked); nil when no month had traffic.
	WorstMonth *Month      `json:"worstMonth"`
	States     []StateTime `json:"states"`
	// FrozenDays counts the local calendar days on which the freeze held
	// at the end of at least one hourly bucket.
	FrozenDays int `json:"frozenDays"`
	// OnCall is nil without 5-minute history.
	OnCall *OnCall `json:"onCall"`
	// Incidents is nil without 5-minute history.
	Incidents   []slo.Incident `json:"incidents"`
	Postmortems int            `json:"postmortems"`
	Suggested   Suggestion     `json:"suggested"`
	Verdict     Verdict        `json:"verdict"`
	Notes       []string       `json:"notes,omitempty"`

	// For the charts: the window's remaining budget at the end of every
	// hourly bucket of the period, and where pages would have fired.
	remaining  []slo.SeriesPoint
	pageSpans  []slo.Period
	thresholds []slo.PolicyState
}

// Month is one calendar month of the period.
type Month struct {
	Label string    `json:"month"` // "2024-03", in the review's time zone
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Full is true when the month lies inside the period and the data
	// covers all of it; only full months decide the suggestion and verdict.
	Full        bool       `json:"full"`
	Events      slo.Counts `json:"events"`
	SLI         *float64   `json:"sli"`
	Met         *bool      `json:"met"`
	BudgetSpent *float64   `json:"budgetSpent"`
}

// StateTime is the time the SLO spent in one policy state during the period.
// The state "no data" covers the part of the period before or after the
// history.
type StateTime struct {
	State   string  `json:"state"`
	Seconds float64 `json:"seconds"`
	Freeze  bool    `json:"freeze"`
}

// noDataState names the time the history does not cover.
const noDataState = "no data"

// alertStep is the replay step of the alert conditions (the brief's 5m).
const alertStep = 5 * time.Minute

// Compute works out the review.
func Compute(in Input) (*Review, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	in.Location = loc
	rv := &Review{From: in.From, To: in.To, Location: loc.String()}
	for i := range in.SLOs {
		si := &in.SLOs[i]
		r := SLOReview{Name: si.SLO.Name, Service: si.SLO.Service, Description: si.SLO.Description}
		actual, err := figures(&in, si, si.SLO, si.SLO.Window.CalendarPeriods())
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", si.SLO.Name, err)
		}
		r.Actual = actual
		w := si.WhatIf
		if w.empty() {
			w = in.WhatIf
		}
		if !w.empty() {
			s := si.SLO
			if w.Objective != 0 {
				s.Objective = w.Objective
			}
			if w.Window != 0 {
				// The default incident threshold scales with the window;
				// one the config set stays.
				if s.Incidents.BurnRate == slo.DefaultIncidentThreshold(s.Window.Duration) {
					s.Incidents.BurnRate = 0
				}
				s.Window = slo.Window{Text: slo.WindowLabel(w.Window), Duration: w.Window}
			}
			wf, err := figures(&in, si, s, s.Window.CalendarPeriods())
			if err != nil {
				return nil, fmt.Errorf("slo %q, what-if: %w", si.SLO.Name, err)
			}
			r.WhatIf = &wf
		}
		rv.SLOs = append(rv.SLOs, r)
	}
	rv.Portfolio = portfolio(rv.SLOs, in.From, in.To)
	return rv, nil
}

// counter sums events exactly from the hourly history (refined with 5m
// buckets at the period boundaries that cut an hour), or from the 5m one
// where an edge still falls inside an hourly bucket.
type counter struct {
	hourly, fine *slo.HistoryIndex
}

func (c counter) sum(from, to time.Time) (slo.Counts, error) {
	n, err := c.hourly.Sum(from, to)
	if err == nil {
		return n, nil
	}
	if !c.fine.Empty() && !from.Before(c.fine.Start()) && !to.After(c.fine.End()) {
		if n, ferr := c.fine.Sum(from, to); ferr == nil {
			return n, nil
		}
	}
	return slo.Counts{}, err
}

func figures(in *Input, si *SLOInput, s slo.SLO, cal slo.Periods) (Figures, error) {
	num, den := s.BudgetFraction()
	if num <= 0 || num > den {
		return Figures{}, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	f := Figures{Objective: s.ObjectiveRatio(), ObjectivePercent: s.Objective, Window: s.Window.Text, Calendar: cal != nil}
	// Month starts in the review's zone and the calendar window's period
	// starts may fall inside an hourly bucket (a zone offset by half an
	// hour): those buckets get their 5m buckets spliced in.
	hourly, err := slo.Refine(si.Hourly, append(append([]slo.Bucket(nil), si.Cuts...), si.Fine...), slo.MonthPeriods(in.Location), cal)
	if err != nil {
		return f, fmt.Errorf("hourly history: %w", err)
	}
	hx, err := slo.NewHistoryIndex(hourly)
	if err != nil {
		return f, fmt.Errorf("hourly history: %w", err)
	}
	fx, err := slo.NewHistoryIndex(si.Fine)
	if err != nil {
		return f, fmt.Errorf("5m history: %w", err)
	}
	c := counter{hourly: hx, fine: fx}
	loc := in.Location

	// Coverage of the period by the hourly history.
	if !hx.Empty() {
		start := hx.Start()
		f.DataFrom = &start
		lo, hi := later(in.From, hx.Start()), earlier(in.To, hx.End())
		if hi.After(lo) {
			f.Coverage = hi.Sub(lo).Seconds() / in.To.Sub(in.From).Seconds()
		}
	}
	switch {
	case hx.Empty():
		f.Notes = append(f.Notes, "no data in the period: no figure below is a judgement of the service")
	case f.Coverage < 1:
		f.Notes = append(f.Notes, fmt.Sprintf("data covers %s of the period (%s to %s)",
			pct(f.Coverage, 1), stamp(later(in.From, hx.Start()), loc), stamp(earlier(in.To, hx.End()), loc)))
	}

	if f.Events, err = c.sum(in.From, in.To); err != nil {
		return f, fmt.Errorf("period counts: %w", err)
	}
	f.SLI, f.Met, f.BudgetSpent = judge(f.Events, num, den)

	if err := months(&f, in, c, hx, num, den); err != nil {
		return f, err
	}
	if err := policyTime(&f, in, si, s, cal, c, hx, num, den); err != nil {
		return f, err
	}
	if fx.Empty() {
		f.Notes = append(f.Notes, "no 5-minute history: on-call load and incidents are not computed")
	} else {
		if err := onCall(&f, in, si, &s); err != nil {
			return f, err
		}
		if err := incidents(&f, in, si, &s, cal, c); err != nil {
			return f, err
		}
	}
	f.Suggested = suggest(f.Months)
	f.Verdict = verdict(f, f.Suggested)
	return f, nil
}

// judge turns counts into SLI, met and budget spent, exactly.
func judge(c slo.Counts, num, den float64) (sli *float64, met *bool, spent *float64) {
	if c.Total <= 0 {
		return nil, nil, nil
	}
	v := c.Good / c.Total
	m := c.Bad()*den <= c.Total*num
	sp := (c.Bad() * den) / (c.Total * num)
	return &v, &m, &sp
}

func months(f *Figures, in *Input, c counter, hx *slo.HistoryIndex, num, den float64) error {
	for _, m := range slo.PeriodsBetween(slo.MonthPeriods(in.Location), in.From, in.To) {
		a, b := later(m.Start, in.From), earlier(m.End, in.To)
		counts, err := c.sum(a, b)
		if err != nil {
			return fmt.Errorf("month of %s: %w", m.Start.In(in.Location).Format("2006-01"), err)
		}
		mo := Month{Label: m.Start.In(in.Location).Format("2006-01"), Start: m.Start, End: m.End, Events: counts}
		mo.Full = !m.Start.Before(in.From) && !m.End.After(in.To) && !hx.Empty() &&
			!hx.Start().After(m.Start) && !hx.End().Before(m.End)
		mo.SLI, mo.Met, mo.BudgetSpent = judge(counts, num, den)
		f.Months = append(f.Months, mo)
	}
	for i := range f.Months {
		m := &f.Months[i]
		if m.SLI == nil {
			continue
		}
		if f.WorstMonth == nil || *m.SLI < *f.WorstMonth.SLI {
			w := *m
			f.WorstMonth = &w
		}
	}
	return nil
}

// policyTime replays the window's remaining budget at the end of every hourly
// bucket of the period and adds each bucket's time to the state it ends in.
func policyTime(f *Figures, in *Input, si *SLOInput, s slo.SLO, cal slo.Periods, c counter, hx *slo.HistoryIndex, num, den float64) error {
	p := &si.Policy
	f.thresholds = p.States
	seconds := map[string]float64{}
	frozenDays := map[time.Time]bool{}
	days := slo.DayPeriods(in.Location)
	var partial time.Duration
	covered := time.Duration(0)
	for _, b := range si.Hourly {
		if !b.End.After(in.From) || b.End.After(in.To) {
			continue
		}
		from := b.End.Add(-s.Window.Duration)
		if cal != nil {
			from = cal(b.End).Start
		}
		counts, err := c.sum(from, b.End)
		if err != nil {
			return fmt.Errorf("window at %s: %w", stamp(b.End, in.Location), err)
		}
		span := b.End.Sub(later(b.Start, in.From))
		covered += span
		if from.Before(hx.Start()) {
			partial += span
		}
		remaining := 1.0
		if counts.Total > 0 {
			allowed := counts.Total * num
			remaining = (allowed - counts.Bad()*den) / allowed
		}
		f.remaining = append(f.remaining, slo.SeriesPoint{At: b.End, Value: remaining})
		st := p.StateFor(remaining)
		seconds[st.Name] += span.Seconds()
		if st.Freeze {
			frozenDays[days(b.End).Start] = true
		}
	}
	for _, st := range p.States {
		f.States = append(f.States, StateTime{State: st.Name, Seconds: seconds[st.Name], Freeze: st.Freeze})
	}
	if gap := in.To.Sub(in.From) - covered; gap > 0 {
		f.States = append(f.States, StateTime{State: noDataState, Seconds: gap.Seconds()})
	}
	f.FrozenDays = len(frozenDays)
	if partial > 0 {
		f.Notes = append(f.Notes, fmt.Sprintf("the policy state of %s of the period was judged on a partly covered %s window (history from %s)",
			report.HumanDuration(partial), f.Window, stamp(hx.Start(), in.Location)))
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// stamp spells an instant in the review's time zone.
func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") }
