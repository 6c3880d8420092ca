package review

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// interventionPerWeek is the on-call load above which the review calls for
// intervention (alerts a week, pages and tickets together; issue 8).
const interventionPerWeek = 5

// OnCall is the alert load the burn conditions would have caused.
type OnCall struct {
	// Pages and Tickets count rising edges of the page and ticket
	// conditions, replayed at every 5-minute step of the period.
	Pages   int `json:"pages"`
	Tickets int `json:"tickets"`
	// Weeks is the period's length in weeks; the rates are per week.
	Weeks          float64 `json:"weeks"`
	PagesPerWeek   float64 `json:"pagesPerWeek"`
	TicketsPerWeek float64 `json:"ticketsPerWeek"`
	// PerWeek counts per calendar week (Monday to Monday, local time).
	PerWeek []WeekLoad `json:"perWeek"`
	// NeedsIntervention is true when pages and tickets together averaged
	// more than 5 a week.
	NeedsIntervention bool `json:"needsIntervention"`
	// Disabled severities are not counted (the SLO's alerting config).
	PageDisabled   bool `json:"pageDisabled,omitempty"`
	TicketDisabled bool `json:"ticketDisabled,omitempty"`
}

// WeekLoad is one calendar week's alerts.
type WeekLoad struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Full    bool      `json:"full"`
	Pages   int       `json:"pages"`
	Tickets int       `json:"tickets"`
}

func onCall(f *Figures, in *Input, si *SLOInput, s *slo.SLO) error {
	steps, err := slo.SimulateAlerts(s, si.Fine, in.From, in.To, alertStep)
	if err != nil {
		return fmt.Errorf("alert replay: %w", err)
	}
	oc := &OnCall{Weeks: in.To.Sub(in.From).Hours() / (7 * 24),
		PageDisabled: s.Alerting.PageDisabled, TicketDisabled: s.Alerting.TicketDisabled}
	var pages, tickets []time.Time
	if !oc.PageDisabled {
		pages = slo.RisingEdges(steps, in.From, "page")
	}
	if !oc.TicketDisabled {
		tickets = slo.RisingEdges(steps, in.From, "ticket")
	}
	oc.Pages, oc.Tickets = len(pages), len(tickets)
	oc.PagesPerWeek, oc.TicketsPerWeek = float64(oc.Pages)/oc.Weeks, float64(oc.Tickets)/oc.Weeks
	oc.NeedsIntervention = oc.PagesPerWeek+oc.TicketsPerWeek > interventionPerWeek
	for _, w := range slo.PeriodsBetween(slo.WeekPeriods(in.Location), in.From, in.To) {
		wl := WeekLoad{Start: w.Start, End: w.End, Full: !w.Start.Before(in.From) && !w.End.After(in.To)}
		for _, t := range pages {
			if w.Contains(t) {
				wl.Pages++
			}
		}
		for _, t := range tickets {
			if w.Contains(t) {
				wl.Tickets++
			}
		}
		oc.PerWeek = append(oc.PerWeek, wl)
	}
	f.OnCall = oc
	if !oc.PageDisabled {
		f.pageSpans = slo.AlertSpans(steps, "page")
	}
	if len(si.Fine) > 0 {
		if start := si.Fine[0].Start; start.After(in.From.Add(-3 * 24 * time.Hour)) {
			f.Notes = append(f.Notes, fmt.Sprintf("5-minute history starts %s: alerts of the period's first days are replayed over shorter windows than the daemon would see",
				stamp(start, in.Location)))
		}
	}
	if oc.PageDisabled {
		f.Notes = append(f.Notes, "paging is disabled for this SLO: pages are not counted")
	}
	if oc.TicketDisabled {
		f.Notes = append(f.Notes, "tickets are disabled for this SLO: tickets are not counted")
	}
	return nil
}

// incidents finds the period's incidents. Each one's share is measured
// against the SLO window as it stood at the first whole hour after the
// incident ended (hourly counts are exact only on hour edges): the rolling
// window ending then, or the calendar period up to then.
func incidents(f *Figures, in *Input, si *SLOInput, s *slo.SLO, cal slo.Periods, c counter) error {
	var fine []slo.Bucket
	for _, b := range si.Fine {
		if b.End.After(in.From) && !b.End.After(in.To) {
			fine = append(fine, b)
		}
	}
	var sumErr error
	windowTotal := func(end time.Time) float64 {
		h := end.Truncate(time.Hour)
		if h.Before(end) {
			h = h.Add(time.Hour)
		}
		h = earlier(h, in.To)
		from := h.Add(-s.Window.Duration)
		if cal != nil {
			from = cal(end).Start
		}
		n, err := c.sum(from, h)
		if err != nil && sumErr == nil {
			sumErr = err
		}
		return n.Total
	}
	o := slo.IncidentOptionsFor(s, &si.Policy)
	o.WindowTotal = windowTotal
	incs, err := slo.DetectIncidents(s, fine, o)
	if err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	if sumErr != nil {
		return fmt.Errorf("incident budget share: %w", sumErr)
	}
	f.Incidents = incs
	if f.Incidents == nil {
		f.Incidents = []slo.Incident{}
	}
	for _, inc := range incs {
		if inc.Postmortem {
			f.Postmortems++
		}
	}
	return nil
}
