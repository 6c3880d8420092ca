package statuspage

import (
	"html/template"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// Data status shown per SLO: what the numbers are worth, never how the SLO
// is doing. "FRESH" rather than "OK", and drawn without colour, so that it
// cannot be read as "healthy".
const (
	statusFresh   = "FRESH"
	statusStale   = "STALE"
	statusNoData  = "NO DATA"
	statusFailed  = "FAILED"
	statusWaiting = "WAITING"
)

// staleAfter is how many evaluation intervals may pass without a fresh
// result before the numbers are called stale: one late evaluation is normal
// under load, three in a row is a stuck loop or an unreachable Prometheus.
const staleAfter = 3

// page is everything the template shows; all text is formatted here so the
// template has no logic worth testing separately.
type page struct {
	Title    string
	CSS      template.CSS
	Refresh  int
	Ready    bool
	Now      string
	Selected string // the SLO of the detail page, "" for the overview
	Scope    string // which SLOs this replica serves, "" for all
	// Base leads relative links back to the page's root: "" at /, "../" on
	// /slo/NAME, so the page works behind any path prefix.
	Base    string
	Summary summary
	Rows    []row
	Legend  []legendItem
}

type summary struct {
	Total, Frozen, Paging, Ticketing, NoData, Stale, Provisional int
	// WithData counts SLOs with an SLI; Meeting those at or above objective.
	WithData, Meeting int
	MeetingPercent    string // "83%", rounded down so 199 of 200 is not "100%"
}

type row struct {
	Name, Service, Description string
	Anchor                     string
	Objective, Window, SLI     string
	// Coverage is "2d 4h of 30d" when data covers only part of the window.
	Coverage    string
	Provisional bool
	// HasNumbers is false when there is no budget to show: no data, never
	// evaluated, or not yet. Missing then says why, in place of the figures.
	HasNumbers      bool
	Missing         string
	MissingSelector string
	BudgetPercent   string
	BarWidth        string // CSS percentage, clamped to 0..100
	BudgetText      string // "17m 12s left of 43m 12s" or "overspent by ..."
	Overspent       bool
	Tone            string // ok, warn, bad or crit: the colour of bar and badge
	// RowTone colours the row's edge: the tone, or none without numbers.
	RowTone      string
	State        string
	Freeze       bool
	FeatureShare string
	Burns        []burnCell
	Page, Ticket bool
	Exhaustion   string
	ExhaustTone  string
	Recovery     string // "freeze lifts in about 3d 4h at the current pace"
	Status       string
	StatusClass  string
	StatusDetail string
	// Consequence is what the policy state means for the team; the overview
	// shows it under the row of every SLO that left its policy's first state.
	Consequence     string
	ShowConsequence bool
	// Chart is the row's small burn-down chart (Options.RowChart), if any.
	Chart template.HTML
	// Period is a calendar window's period line, Exclusions a line per
	// agreed exclusion in the window (report.PeriodLine, ExclusionLines):
	// shown under the row and in the details.
	Period     string
	Exclusions []string

	// Details, shown on the single-SLO view.
	Events       string
	Forecast     string
	States       []stateStep
	Labels       []string
	Notes        []string
	Error        string
	FailingSince string
	EvaluatedAt  string
	Stuck        string // "no evaluation for 5m (interval 30s): ..."
	DetailCharts template.HTML
	incidentsView

	hasSLI, meets bool
}

type burnCell struct {
	Window string
	Value  string // "0.42" or "no traffic"
	Class  string // none, ok, warn (over 1: faster than the budget lasts) or alert
}

type stateStep struct {
	Name    string
	Current bool
}

func buildPage(results []slo.Result, o Options, ready bool, selected, base string) page {
	now := o.Now()
	p := page{
		Title:    o.Title,
		CSS:      template.CSS(pageCSS),
		Refresh:  refreshSeconds(o),
		Ready:    ready,
		Now:      formatTime(now, now),
		Selected: selected,
		Base:     base,
		Legend:   legend,
	}
	if o.Scope != nil {
		p.Scope = o.Scope()
	}
	stuck := func(r slo.Result) bool {
		return o.EvalInterval > 0 && !r.EvaluatedAt.IsZero() && now.Sub(r.EvaluatedAt) > staleAfter*o.EvalInterval
	}
	sorted := slices.Clone(results)
	// The one worst-first order (slo/order.go), with a stuck loop's old
	// numbers counted as stale like a failed evaluation's.
	slices.SortStableFunc(sorted, slo.WorstFirst(func(r slo.Result) bool { return r.Error != "" || stuck(r) }))
	for _, r := range sorted {
		if selected != "" && r.Name != selected && r.ID() != selected {
			continue
		}
		w := buildRow(r, now, stuck(r))
		if o.RowChart != nil && w.HasNumbers {
			w.Chart = o.RowChart(r)
		}
		if o.DetailCharts != nil && selected != "" && w.HasNumbers {
			w.DetailCharts = o.DetailCharts(r)
		}
		p.Rows = append(p.Rows, w)
	}
	p.Summary = summarize(p.Rows)
	return p
}

func summarize(rows []row) summary {
	s := summary{Total: len(rows)}
	for _, w := range rows {
		switch {
		case !w.HasNumbers:
			s.NoData++
		case w.Status == statusStale:
			s.Stale++
		}
		if w.Freeze {
			s.Frozen++
		}
		if w.Page {
			s.Paging++
		}
		if w.Ticket {
			s.Ticketing++
		}
		if w.Provisional {
			s.Provisional++
		}
		if w.hasSLI {
			s.WithData++
			if w.meets {
				s.Meeting++
			}
		}
	}
	if s.WithData > 0 {
		s.MeetingPercent = strconv.Itoa(s.Meeting*100/s.WithData) + "%"
	}
	return s
}

func buildRow(r slo.Result, now time.Time, stuck bool) row {
	w := row{
		Name: r.ID(), Service: r.Service, Description: r.Description,
		Anchor: "slo-" + r.Slug(), Window: r.Window,
		Objective: objectivePercent(r.Objective) + "%",
		SLI:       "—", BudgetPercent: "—", BarWidth: "0%", Exhaustion: "—",
		Tone: "none", RowTone: "none", Error: r.Error, Notes: r.Notes,
		Status: statusFresh, StatusClass: "fresh",
	}
	for k, v := range r.Labels {
		w.Labels = append(w.Labels, k+"="+v)
	}
	sort.Strings(w.Labels)
	for _, name := range r.PolicyStates {
		w.States = append(w.States, stateStep{Name: name})
	}
	if !r.FailingSince.IsZero() {
		w.FailingSince = formatTime(r.FailingSince, now) + " (" + ago(now, r.FailingSince) + ")"
	}
	if !r.EvaluatedAt.IsZero() {
		w.EvaluatedAt = formatTime(r.EvaluatedAt, now) + " (" + ago(now, r.EvaluatedAt) + ")"
	}

	switch {
	case r.EvaluatedAt.IsZero() && r.Error != "":
		w.Status, w.StatusClass = statusFailed, "failed"
		w.StatusDetail = report.ReasonLine(r, now)
		w.Missing = "Never evaluated successfully: " + report.Reason(r.Error) + ". No budget, no policy decision."
		return w
	case r.EvaluatedAt.IsZero():
		w.Status, w.StatusClass = statusWaiting, "waiting"
		w.StatusDetail = "waiting for the first evaluation"
		w.Missing = "Not evaluated yet: no budget, no policy decision."
		return w
	case r.DataMissing:
		// No numbers from that instant, and Evaluate's "no traffic" notes
		// would misname the cause: there is no data, not no traffic.
		w.EvaluatedAt, w.Notes = "", nil
		w.Status, w.StatusClass = statusNoData, "nodata"
		w.StatusDetail = "Prometheus answered " + formatTime(r.EvaluatedAt, now)
		w.MissingSelector = r.MissingSelector
		if w.MissingSelector == "" {
			w.MissingSelector = "the SLI's total selector"
		}
		w.Missing = "matched no series in the " + r.Window + " window: no budget, no policy decision."
		return w
	case r.Error != "":
		w.Status, w.StatusClass = statusStale, "stale"
		w.StatusDetail = report.ReasonLine(r, now)
	case stuck:
		w.Status, w.StatusClass = statusStale, "stale"
		w.StatusDetail = "no evaluation for " + report.HumanDuration(now.Sub(r.EvaluatedAt))
		w.Stuck = w.StatusDetail + ": the evaluation loop is stuck or slow; the numbers are from " + w.EvaluatedAt
	default:
		w.StatusDetail = "evaluated " + w.EvaluatedAt
	}

	w.HasNumbers = true
	if r.SLI != nil {
		// A remaining budget of exactly 0 is an SLI exactly at objective.
		w.hasSLI, w.meets = true, r.BudgetRemaining >= 0
		w.SLI = strconv.FormatFloat(*r.SLI*100, 'f', sliDecimals(r.Objective), 64) + "%"
		if r.Estimate {
			w.SLI = "~" + w.SLI // an estimate: the note on the SLO's page says how
		}
	} else {
		w.SLI = "no traffic"
	}
	w.Coverage, w.Provisional = report.CoverageText(r), r.Provisional
	w.Events = report.Thousands(r.Events.Good) + " good, " + report.Thousands(r.Events.Bad()) + " bad of " +
		report.Thousands(r.Events.Total)
	if r.Estimate {
		w.Events += " error-ratio-weighted seconds (an estimate, not counted events)"
	}

	w.BudgetPercent = percent1(r.BudgetRemaining)
	w.BarWidth = percent1(min(max(r.BudgetRemaining, 0), 1))
	total := report.HumanSeconds(r.BudgetTotalSeconds)
	if r.BudgetRemainingSeconds < 0 || r.BudgetRemaining < 0 {
		w.Overspent = true
		w.BudgetText = "overspent by " + report.HumanSeconds(-r.BudgetRemainingSeconds) + " of " + total
	} else {
		w.BudgetText = report.HumanSeconds(r.BudgetRemainingSeconds) + " left of " + total
	}

	w.Period, w.Exclusions = report.PeriodLine(r), report.ExclusionLines(r)
	w.State, w.Freeze, w.Consequence = r.PolicyState, r.FeatureFreeze, r.Consequence
	w.FeatureShare = strconv.FormatFloat(r.FeatureShare*100, 'f', 0, 64) + "%"
	w.Tone = stateTone(r)
	w.RowTone = w.Tone
	for i := range w.States {
		w.States[i].Current = w.States[i].Name == r.PolicyState
	}
	// Anything but the policy's first (best) state has a consequence worth
	// reading from across the room; a state without words still says its
	// name and feature share.
	if rung(r) != 0 || r.FeatureFreeze {
		w.ShowConsequence = true
		if w.Consequence == "" {
			w.Consequence = "policy state " + r.PolicyState + ": features get " + w.FeatureShare + " of capacity"
		}
	}
	w.Page, w.Ticket = r.Alerts.Page, r.Alerts.Ticket
	w.Burns = burnCells(r)
	w.Recovery = report.Recovery(r)
	w.Forecast = report.Forecast(r)
	w.incidentsView = newIncidentsView(r)

	switch e := r.ExhaustionSeconds; {
	case e == nil:
		w.Exhaustion, w.ExhaustTone = "not burning", "ok"
	case *e > maxForecastSeconds:
		w.Exhaustion, w.ExhaustTone = "never at this pace", "ok"
	case *e <= 0:
		w.Exhaustion, w.ExhaustTone = "exhausted", "crit"
	default:
		w.Exhaustion = "in " + report.HumanSeconds(*e)
		// Gone within a day needs attention today; within a week, this sprint.
		switch {
		case *e < 24*3600:
			w.ExhaustTone = "crit"
		case *e < 7*24*3600:
			w.ExhaustTone = "warn"
		default:
			w.ExhaustTone = "ok"
		}
	}
	return w
}

// maxForecastSeconds: +Inf, or anything past a century, is "never".
const maxForecastSeconds = 100 * 365 * 24 * 3600

// rung is the index of the current state in its policy, -1 when unknown.
func rung(r slo.Result) int {
	return slices.Index(r.PolicyStates, r.PolicyState)
}

// stateTone colours a policy state by its rung: the first state of a policy
// is the healthy one and the last the catch-all; state names are the user's,
// so their position is the only thing that carries meaning.
func stateTone(r slo.Result) string {
	if r.FeatureFreeze || r.BudgetRemaining <= 0 {
		return "crit"
	}
	idx := rung(r)
	switch {
	case idx == 0:
		return "ok"
	case idx == 1:
		return "warn"
	case idx > 1 && idx == len(r.PolicyStates)-1:
		return "crit"
	}
	return "bad"
}
