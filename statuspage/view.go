package statuspage

import (
	"html/template"
	"sort"
	"strconv"
	"time"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// Evaluation status shown per SLO.
const (
	statusOK     = "OK"
	statusStale  = "STALE"
	statusNoData = "NO DATA"
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
	Selected string // the ?slo= name, "" for the overview
	Summary  summary
	Rows     []row
}

type summary struct {
	Total, Frozen, Paging, Ticketing, NoData, Stale int
	// WithData counts SLOs with an SLI; Meeting those at or above objective.
	WithData, Meeting int
	MeetingPercent    string // "83%", rounded down so 199 of 200 is not "100%"
}

type row struct {
	Name, Service, Description string
	Anchor                     string
	Objective, Window, SLI     string
	// HasNumbers is false when nothing was ever computed: every figure below
	// would be a zero value, and "0% left" would be a lie.
	HasNumbers    bool
	BudgetPercent string
	BarWidth      string // CSS percentage, clamped to 0..100
	BudgetText    string // "17m 12s left of 43m 12s" or "overspent by ..."
	Overspent     bool
	Tone          string // ok, warn, bad or crit: the colour of bar and badge
	// RowTone colours the row's edge: the tone, except that a row without
	// data is grey however healthy its untouched budget looks.
	RowTone      string
	State        string
	Freeze       bool
	FeatureShare string
	Burns        []burnCell
	Page, Ticket bool
	Exhaustion   string
	ExhaustTone  string
	Status       string
	StatusClass  string
	StatusDetail string
	// Details, shown on the single-SLO view.
	Consequence string
	Events      string
	States      []stateStep
	Labels      []string
	Notes       []string
	Error       string
	EvaluatedAt string
	// Note is a full-width line under the row, for errors too long to fit
	// the status column.
	Note string

	noData bool
	budget float64
	// hasSLI and meets feed the summary's "meeting objective" share.
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

func buildPage(results []slo.Result, o Options, ready bool, selected string) page {
	now := o.Now()
	p := page{
		Title:    o.Title,
		CSS:      template.CSS(pageCSS),
		Refresh:  refreshSeconds(o),
		Ready:    ready,
		Now:      formatTime(now, now),
		Selected: selected,
	}
	for _, r := range results {
		if selected != "" && r.Name != selected {
			continue
		}
		p.Rows = append(p.Rows, buildRow(r, o, now))
	}
	// Worst first: what has no numbers at all, then what pages (an incident
	// in progress, whatever budget is left), then the least budget left; the
	// name breaks ties so the order does not jump between refreshes.
	sort.SliceStable(p.Rows, func(i, j int) bool {
		a, b := p.Rows[i], p.Rows[j]
		if a.noData != b.noData {
			return a.noData
		}
		if !a.noData && a.Page != b.Page {
			return a.Page
		}
		if !a.noData && a.budget != b.budget {
			return a.budget < b.budget
		}
		return a.Name < b.Name
	})
	for i := range p.Rows {
		p.Rows[i].RowTone = p.Rows[i].Tone
		if p.Rows[i].noData {
			p.Rows[i].RowTone = "none"
		}
	}
	p.Summary = summarize(p.Rows)
	return p
}

func summarize(rows []row) summary {
	s := summary{Total: len(rows)}
	for _, w := range rows {
		switch w.Status {
		case statusNoData:
			s.NoData++
		case statusStale:
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

func buildRow(r slo.Result, o Options, now time.Time) row {
	w := row{
		Name: r.Name, Service: r.Service, Description: r.Description,
		Anchor: "slo-" + r.Name, Window: r.Window,
		Objective: objectivePercent(r.Objective) + "%",
		SLI:       "—", BudgetPercent: "—", BarWidth: "0%", Exhaustion: "—",
		Tone: "none", Error: r.Error, Notes: r.Notes,
		Status: statusOK, StatusClass: "ok",
	}
	for k, v := range r.Labels {
		w.Labels = append(w.Labels, k+"="+v)
	}
	sort.Strings(w.Labels)

	if r.EvaluatedAt.IsZero() {
		w.noData = true
		w.Status, w.StatusClass = statusNoData, "nodata"
		w.StatusDetail = "waiting for the first evaluation"
		if r.Error != "" {
			w.StatusDetail = "never evaluated successfully"
		}
		w.Burns = burnCells(r)
	}
	if r.Error != "" {
		w.Note = "last evaluation failed: " + r.Error
		if r.EvaluatedAt.IsZero() {
			w.Note = "evaluation failed: " + r.Error
		}
	}
	if r.EvaluatedAt.IsZero() {
		return w
	}
	w.HasNumbers = true
	w.budget = r.BudgetRemaining
	w.EvaluatedAt = formatTime(r.EvaluatedAt, now) + " (" + ago(now, r.EvaluatedAt) + ")"
	switch {
	case r.Error != "":
		w.Status, w.StatusClass = statusStale, "stale"
		w.StatusDetail = "since " + w.EvaluatedAt
	case o.EvalInterval > 0 && now.Sub(r.EvaluatedAt) > staleAfter*o.EvalInterval:
		w.Status, w.StatusClass = statusStale, "stale"
		w.StatusDetail = "since " + w.EvaluatedAt
		w.Note = "no evaluation for " + report.HumanDuration(now.Sub(r.EvaluatedAt)) +
			" (interval " + report.HumanDuration(o.EvalInterval) + "): the evaluation loop is stuck or slow"
	case r.SLI == nil:
		w.noData = true
		w.Status, w.StatusClass = statusNoData, "nodata"
		w.StatusDetail = "no traffic in the " + r.Window + " window"
	default:
		w.StatusDetail = "evaluated " + w.EvaluatedAt
	}

	if r.SLI != nil {
		// A remaining budget of exactly 0 is an SLI exactly at objective.
		w.hasSLI, w.meets = true, r.BudgetRemaining >= 0
		w.SLI = strconv.FormatFloat(*r.SLI*100, 'f', sliDecimals(r.Objective), 64) + "%"
	} else {
		w.SLI = "no traffic"
	}
	w.Events = strconv.FormatFloat(r.Events.Good, 'f', -1, 64) + " good, " +
		strconv.FormatFloat(r.Events.Bad(), 'f', -1, 64) + " bad of " +
		strconv.FormatFloat(r.Events.Total, 'f', -1, 64)

	w.BudgetPercent = percent1(r.BudgetRemaining)
	w.BarWidth = percent1(min(max(r.BudgetRemaining, 0), 1))
	total := report.HumanSeconds(r.BudgetTotalSeconds)
	if r.BudgetRemainingSeconds < 0 || r.BudgetRemaining < 0 {
		w.Overspent = true
		w.BudgetText = "overspent by " + report.HumanSeconds(-r.BudgetRemainingSeconds) + " of " + total
	} else {
		w.BudgetText = report.HumanSeconds(r.BudgetRemainingSeconds) + " left of " + total
	}

	w.State, w.Freeze, w.Consequence = r.PolicyState, r.FeatureFreeze, r.Consequence
	w.FeatureShare = strconv.FormatFloat(r.FeatureShare*100, 'f', 0, 64) + "%"
	w.Tone = stateTone(r)
	for _, name := range r.PolicyStates {
		w.States = append(w.States, stateStep{Name: name, Current: name == r.PolicyState})
	}
	w.Page, w.Ticket = r.Alerts.Page, r.Alerts.Ticket
	w.Burns = burnCells(r)

	switch e := r.ExhaustionSeconds; {
	case e == nil:
		w.Exhaustion, w.ExhaustTone = "not burning", "ok"
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

// stateTone colours a policy state by its rung: the first state of a policy
// is the healthy one and the last the catch-all; state names are the user's,
// so their position is the only thing that carries meaning.
func stateTone(r slo.Result) string {
	if r.FeatureFreeze || r.BudgetRemaining <= 0 {
		return "crit"
	}
	idx := -1
	for i, name := range r.PolicyStates {
		if name == r.PolicyState {
			idx = i
		}
	}
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
