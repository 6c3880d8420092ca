package review

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// The renderers (table, Markdown, HTML) print the same strings, built here
// once, so the formats never disagree.

type reviewView struct {
	Title     string
	Period    string
	Portfolio portfolioView
	SLOs      []sloView
}

type portfolioView struct {
	Months       []portfolioMonthView
	WorstBurners []string
	FreezeDays   string
}

type portfolioMonthView struct {
	Month, Met, Compliance string
	Partial                bool
}

type sloView struct {
	Name, Service, Description string
	Anchor                     string
	Heading                    string // "99.9% over 30d"
	Figures                    figuresView
	// WhatIf, when present, is compared side by side with Figures.
	WhatIf  *figuresView
	Compare []compareRow
}

type figuresView struct {
	Label      string // "99.9% over 30d"
	Achieved   string
	Months     []monthView
	MonthsMet  string // "3 of 4"
	Worst      string
	PolicyTime string
	// PolicyTimeShort leaves out the states never held.
	PolicyTimeShort string
	FrozenDays      string
	OnCall          string
	OnCallShort     string
	Incidents       string
	List            []incidentView
	Suggested       string
	SuggestedTo     string // "99.9%" or "none"
	Verdict         string
	VerdictKind     string
	Notes           []string
}

type monthView struct {
	Label, SLI, Met, Spent string
	Partial                bool
}

type incidentView struct {
	Start, Duration, Bad, Share, Peak string
	Postmortem, Active                bool
}

type compareRow struct{ Figure, Actual, WhatIf string }

func buildView(rv *Review) reviewView {
	loc, err := time.LoadLocation(rv.Location)
	if err != nil {
		loc = time.UTC
	}
	v := reviewView{
		Title: "SLO review",
		Period: fmt.Sprintf("%s to %s (%s, %s)", stamp(rv.From, loc), stamp(rv.To, loc),
			report.HumanDuration(rv.To.Sub(rv.From)), rv.Location),
	}
	for _, m := range rv.Portfolio.Months {
		pm := portfolioMonthView{Month: m.Month, Partial: !m.Full, Met: fmt.Sprintf("%d of %d", m.Met, m.Met+m.Missed), Compliance: "no traffic"}
		if m.Compliance != nil {
			pm.Compliance = pct(*m.Compliance, 1)
		}
		if m.NoData > 0 {
			pm.Met += fmt.Sprintf(" (%d without data)", m.NoData)
		}
		if m.NoTraffic > 0 {
			pm.Met += fmt.Sprintf(" (%d without traffic)", m.NoTraffic)
		}
		v.Portfolio.Months = append(v.Portfolio.Months, pm)
	}
	for _, b := range rv.Portfolio.WorstBurners {
		v.Portfolio.WorstBurners = append(v.Portfolio.WorstBurners,
			fmt.Sprintf("%s: %s of the budget spent (%s)", b.Name, pct(b.BudgetSpent, 1), b.Verdict))
	}
	v.Portfolio.FreezeDays = fmt.Sprintf("%d across %s", rv.Portfolio.FreezeDays, plural(rv.Portfolio.FrozenSLOs, "SLO", "SLOs"))
	for _, r := range rv.SLOs {
		sv := sloView{Name: r.Name, Service: r.Service, Description: r.Description, Anchor: "slo-" + r.Name}
		sv.Figures = buildFigures(r.Actual, loc)
		sv.Heading = sv.Figures.Label
		if r.WhatIf != nil {
			w := buildFigures(*r.WhatIf, loc)
			sv.WhatIf = &w
			sv.Compare = compare(sv.Figures, w, r.Actual, *r.WhatIf)
		}
		v.SLOs = append(v.SLOs, sv)
	}
	return v
}

func buildFigures(f Figures, loc *time.Location) figuresView {
	v := figuresView{Label: objText(f.ObjectivePercent) + " over " + f.Window, Notes: f.Notes, VerdictKind: f.Verdict.Kind, Verdict: f.Verdict.Sentence}
	switch {
	case f.DataFrom == nil:
		v.Achieved = "NO DATA: the SLI's series have no samples in the period (not zero traffic)"
	case f.SLI == nil:
		v.Achieved = "no traffic in the period"
	default:
		met := "missed"
		if *f.Met {
			met = "met"
		}
		v.Achieved = fmt.Sprintf("%s over the period: %s, %s of the budget spent (%s events)",
			sliText(*f.SLI, f.ObjectivePercent), met, pct(*f.BudgetSpent, 1), count(f.Events.Total))
	}
	if f.Coverage < 1 && f.DataFrom != nil {
		v.Achieved += fmt.Sprintf("; data covers %s of the period", pct(f.Coverage, 1))
	}
	met, with := 0, 0
	for _, m := range f.Months {
		mv := monthView{Label: m.Label, Partial: !m.Full, SLI: "no traffic", Met: "-", Spent: "-"}
		if f.DataFrom == nil {
			mv.SLI = "no data"
		}
		if m.SLI != nil {
			with++
			mv.SLI = sliText(*m.SLI, f.ObjectivePercent)
			mv.Met = "missed"
			if *m.Met {
				mv.Met = "met"
				met++
			}
			mv.Spent = pct(*m.BudgetSpent, 1)
		}
		v.Months = append(v.Months, mv)
	}
	v.MonthsMet = fmt.Sprintf("%d of %d", met, with)
	v.Worst = "no month with traffic"
	if w := f.WorstMonth; w != nil {
		v.Worst = fmt.Sprintf("%s at %s, %s of its budget spent", w.Label, sliText(*w.SLI, f.ObjectivePercent), pct(*w.BudgetSpent, 1))
		if !w.Full {
			v.Worst += " (partial month)"
		}
	}
	var parts, short []string
	for _, st := range f.States {
		parts = append(parts, st.State+" "+report.HumanSeconds(st.Seconds))
		if st.Seconds > 0 {
			short = append(short, st.State+" "+report.HumanSeconds(st.Seconds))
		}
	}
	v.PolicyTime = strings.Join(parts, " · ")
	v.PolicyTimeShort = strings.Join(short, " · ")
	v.FrozenDays = strconv.Itoa(f.FrozenDays)
	v.OnCall, v.OnCallShort = "not computed: no 5-minute history", "-"
	if oc := f.OnCall; oc != nil {
		load := "on-call load ok"
		if oc.NeedsIntervention {
			load = "NEEDS INTERVENTION"
		}
		v.OnCall = fmt.Sprintf("%s, %s: %s pages and %s tickets a week (%s; above %d a week calls for intervention)",
			plural(oc.Pages, "page", "pages"), plural(oc.Tickets, "ticket", "tickets"),
			oneDecimal(oc.PagesPerWeek), oneDecimal(oc.TicketsPerWeek), load, interventionPerWeek)
		v.OnCallShort = fmt.Sprintf("%s pages + %s tickets a week", oneDecimal(oc.PagesPerWeek), oneDecimal(oc.TicketsPerWeek))
	}
	v.Incidents = "not computed: no 5-minute history"
	if f.Incidents != nil {
		v.Incidents = fmt.Sprintf("%s, %d needing a postmortem", plural(len(f.Incidents), "incident", "incidents"), f.Postmortems)
		shown := largestIncidents(f.Incidents, incidentsListed)
		if hidden := len(f.Incidents) - len(shown); hidden > 0 {
			v.Incidents += fmt.Sprintf("; the %d that spent the most budget are listed, %d smaller ones are in --format=json", len(shown), hidden)
		}
		for _, inc := range shown {
			v.List = append(v.List, incidentView{
				Start: stamp(inc.Start, loc), Duration: report.HumanDuration(inc.Duration()),
				Bad:   fmt.Sprintf("%s bad of %s", count(inc.Events.Bad()), count(inc.Events.Total)),
				Share: pct(inc.BudgetConsumed, 1), Peak: oneDecimal(inc.PeakBurn),
				Postmortem: inc.Postmortem, Active: inc.Active,
			})
		}
	}
	v.Suggested, v.SuggestedTo = f.Suggested.Sentence, "none"
	if f.Suggested.Objective != nil {
		v.SuggestedTo = objText(*f.Suggested.Objective)
	}
	return v
}

func compare(a, b figuresView, fa, fb Figures) []compareRow {
	period := func(f Figures) string {
		if f.SLI == nil {
			return "no traffic"
		}
		met := "missed"
		if *f.Met {
			met = "met"
		}
		return fmt.Sprintf("%s, %s spent", met, pct(*f.BudgetSpent, 1))
	}
	incs := func(f Figures) string {
		if f.Incidents == nil {
			return "-"
		}
		return fmt.Sprintf("%d (%d postmortem)", len(f.Incidents), f.Postmortems)
	}
	return []compareRow{
		{"objective", a.Label, b.Label},
		{"period", period(fa), period(fb)},
		{"months met", a.MonthsMet, b.MonthsMet},
		{"policy time", a.PolicyTimeShort, b.PolicyTimeShort},
		{"frozen days", a.FrozenDays, b.FrozenDays},
		{"on-call", a.OnCallShort, b.OnCallShort},
		{"incidents", incs(fa), incs(fb)},
		{"suggested", a.SuggestedTo, b.SuggestedTo},
		{"verdict", a.VerdictKind, b.VerdictKind},
	}
}

func oneDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// incidentsListed is how many incidents the table, Markdown and HTML list per
// SLO: a meeting reads the ones that spent the budget, JSON has them all.
const incidentsListed = 10

// largestIncidents keeps the n incidents that consumed the most budget (every
// one needing a postmortem among them, as those consumed the most), in time
// order.
func largestIncidents(incs []slo.Incident, n int) []slo.Incident {
	if len(incs) <= n {
		return incs
	}
	idx := make([]int, len(incs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return incs[idx[a]].BudgetConsumed > incs[idx[b]].BudgetConsumed })
	idx = idx[:n]
	sort.Ints(idx)
	out := make([]slo.Incident, n)
	for i, k := range idx {
		out[i] = incs[k]
	}
	return out
}
