package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Alert names, from the contract; both sources (recorded and daemon) use them.
const (
	alertBurn        = "SLOErrorBudgetBurn"
	alertFreeze      = "SLOFeatureFreeze"
	alertDataMissing = "SLOBudgetDataMissing"
)

// defaultFor is how long each window pair's condition must hold before the
// alert fires: about a fifth to a half of the short window, so that one
// evaluation's blip never notifies, while a fast burn still pages within
// minutes. Keys are "<long>/<short>".
var defaultFor = map[string]time.Duration{
	"1h/5m":  2 * time.Minute,
	"6h/30m": 15 * time.Minute,
	"1d/2h":  time.Hour,
	"3d/6h":  3 * time.Hour,
}

const (
	defaultForFreeze      = 5 * time.Minute
	defaultForDataMissing = 10 * time.Minute
)

// reservedAlertLabels are set by the generator; user labels must not.
var reservedAlertLabels = []string{"alertname", "service", "slo", "severity", "long_window", "short_window", "policy", "state", "window", "result"}

// alertLabels are an alert's labels. Prometheus expands alert labels as
// templates, so every value is made literal (templateText).
func (r *sloRules) alertLabels(extra ...string) map[string]string {
	l := map[string]string{}
	for k, v := range r.s.Labels {
		l[k] = v
	}
	for k, v := range r.s.Alerting.Labels {
		l[k] = v
	}
	l["service"] = r.s.Service
	l["slo"] = r.s.Name
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	for k, v := range l {
		l[k] = templateText(v)
	}
	return l
}

// annotations merges the generated annotations with the runbook and the
// user's own, which win. summary and description are templates whose config
// values the callers made literal; the runbook and the user's annotations
// are config values, literal as a whole.
func (r *sloRules) annotations(summary, description string) map[string]string {
	a := map[string]string{"summary": summary, "description": description}
	if r.s.RunbookURL != "" {
		a["runbook_url"] = templateText(r.s.RunbookURL)
	}
	for k, v := range r.s.Alerting.Annotations {
		a[k] = templateText(v)
	}
	return a
}

// name and service are the SLO's name and service as annotation text.
func (r *sloRules) name() string    { return templateText(r.s.Name) }
func (r *sloRules) service() string { return templateText(r.s.Service) }

func (r *sloRules) forDuration(key string, def time.Duration) string {
	if d, ok := r.s.Alerting.For[key]; ok {
		return dur(d)
	}
	return dur(def)
}

func (r *sloRules) alerts() ([]rule, error) {
	for _, m := range []map[string]string{r.s.Labels, r.s.Alerting.Labels} {
		for _, name := range reservedAlertLabels {
			if _, ok := m[name]; ok {
				return nil, fmt.Errorf("label %q is set by the generated alerts and cannot be overridden", name)
			}
		}
	}
	var out []rule
	for _, p := range slo.AlertPairs(r.s.Window.Duration) {
		if (p.Severity == "page" && r.s.Alerting.PageDisabled) || (p.Severity == "ticket" && r.s.Alerting.TicketDisabled) {
			continue
		}
		out = append(out, r.burnAlert(p))
	}
	freeze, err := r.freezeAlerts()
	if err != nil {
		return nil, err
	}
	out = append(out, freeze...)
	expr, summary, desc := r.src.missing()
	out = append(out, rule{
		Alert:       alertDataMissing,
		Expr:        expr,
		For:         r.forDuration("dataMissing", defaultForDataMissing),
		Labels:      r.alertLabels("severity", "ticket"),
		Annotations: r.annotations(summary, desc),
	})
	return out, nil
}

// alertSource is where the alerts read their figures: the recording rules
// generated next to them (recordedSource), or the daemon's own metrics
// (daemonSource, `rules --source=daemon`). Names, labels and annotation
// texts are the same for both; only the expressions differ.
type alertSource interface {
	// burn is the condition of one window pair; its value ($value in the
	// annotations) is the long window's burn rate.
	burn(p slo.AlertPair, long, short, factor string) string
	// freeze holds while the SLO is in policy state st (remaining budget
	// below upper, when set, and at or above st's own threshold); its
	// value is the remaining budget ratio.
	freeze(st slo.PolicyState, upper *float64) string
	// missing is the no-data alert's expression, summary and description.
	missing() (expr, summary, description string)
	// remaining and exhaustion select one series each, for the
	// annotations' queries.
	remaining() string
	exhaustion() string
	// neverExhausted says what an infinite exhaustion time means.
	neverExhausted() string
}

// recordedSource reads the recording rules of the same group, in the
// engine's shape (recording.go, vmalert.go).
type recordedSource struct{ r *sloRules }

func (s recordedSource) burn(p slo.AlertPair, _, _, _ string) string {
	return s.r.shape.burnCondition(p)
}

func (s recordedSource) freeze(st slo.PolicyState, upper *float64) string {
	cond := s.r.shape.remaining()
	if upper != nil {
		cond += " < " + num(*upper)
	}
	if st.MinBudgetRemaining != nil {
		cond += " >= " + num(*st.MinBudgetRemaining)
	}
	return cond
}

func (s recordedSource) missing() (string, string, string) {
	r := s.r
	// absent() of a selector copies its equality matchers into the alert's
	// labels; of a count() it has none, so the alert carries exactly the
	// labels below whatever the selector says.
	return fmt.Sprintf("absent(count(%s))", r.present),
		fmt.Sprintf("SLO %s (%s) has no data: its total series is absent", r.name(), r.service()),
		fmt.Sprintf("%s returns no series, so the error budget and burn rates of %s cannot be computed and its burn alerts cannot fire. Check the scrape target and the SLI selector.", templateText(r.present), r.name())
}

func (s recordedSource) remaining() string  { return s.r.one(metricRemaining) }
func (s recordedSource) exhaustion() string { return s.r.one(metricExhaustion) }

// The recorded exhaustion time is +Inf only when the last hour burned
// nothing (remaining × window / burn).
func (s recordedSource) neverExhausted() string { return "The last hour burned nothing." }

func (r *sloRules) burnAlert(p slo.AlertPair) rule {
	long, short := r.windowLabel(p.Long), r.windowLabel(p.Short)
	factor := num(p.Factor)
	expr := r.src.burn(p, long, short, factor)
	key := slo.WindowLabel(p.Long) + "/" + slo.WindowLabel(p.Short)
	def, ok := defaultFor[key]
	if !ok {
		def = p.Short / 4
	}
	if d, ok := r.s.Alerting.For[p.Severity]; ok {
		def = d
	}
	summary := fmt.Sprintf("SLO %s (%s) is burning its error budget {{ printf \"%%.1f\" $value }} times too fast (%s/%s)", r.name(), r.service(), templateText(long), templateText(short))
	desc := fmt.Sprintf("The %s objective over %s allows %s of %s to be bad. "+
		"Over the last %s the share of bad ones used the budget {{ printf \"%%.1f\" $value }} times as fast as the window allows, "+
		"and over the last %s it is still above %s times: at that pace %s of the whole %s budget is gone every %s. "+
		"Budget left: %s. %s",
		pct(r.s.ObjectiveRatio()), templateText(r.s.Window.Text), pct(r.num/r.den), templateText(r.units()),
		templateText(long), templateText(short), factor, pct(p.BudgetFraction), templateText(r.s.Window.Text), templateText(long),
		r.remainingTemplate(), r.exhaustionTemplate())
	return rule{
		Alert:       alertBurn,
		Expr:        expr,
		For:         dur(def),
		Labels:      r.alertLabels("severity", p.Severity, "long_window", long, "short_window", short),
		Annotations: r.annotations(summary, desc),
	}
}

// freezeAlerts fire while the remaining budget puts the SLO in one of its
// policy's freeze states: below every earlier state's threshold (first match
// wins) and at or above the state's own.
func (r *sloRules) freezeAlerts() ([]rule, error) {
	var out []rule
	var upper *float64
	for _, st := range r.policy.States {
		if st.Freeze {
			cond := r.src.freeze(st, upper)
			consequence := st.Consequence
			if consequence == "" {
				consequence = fmt.Sprintf("state %q of policy %q freezes feature work", st.Name, r.policy.Name)
			}
			out = append(out, rule{
				Alert:  alertFreeze,
				Expr:   cond,
				For:    r.forDuration("freeze", defaultForFreeze),
				Labels: r.alertLabels("severity", "ticket", "policy", r.policy.Name, "state", st.Name),
				Annotations: r.annotations(
					fmt.Sprintf("SLO %s (%s): %s", r.name(), r.service(), templateText(consequence)),
					fmt.Sprintf("The %s error budget of %s (objective %s) has {{ $value | humanizePercentage }} left, which puts it in the %s state of the %s policy: %s.",
						templateText(r.s.Window.Text), r.name(), pct(r.s.ObjectiveRatio()), templateText(strconv.Quote(st.Name)), templateText(strconv.Quote(r.policy.Name)), templateText(consequence))),
			})
		}
		if st.MinBudgetRemaining == nil {
			break // a catch-all state: the states after it never apply
		}
		if upper == nil || *st.MinBudgetRemaining < *upper {
			upper = st.MinBudgetRemaining
		}
	}
	return out, nil
}

// units names what the SLI counts, for annotations.
func (r *sloRules) units() string {
	if ts := r.s.SLI.TimeSlice; ts != nil {
		return fmt.Sprintf("%s time slices (bad: %s does not hold)", dur(ts.Slice), ts.Condition())
	}
	return "events"
}

func (r *sloRules) remainingTemplate() string {
	return fmt.Sprintf("{{ with %s }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}", r.queryOfAlert(r.src.remaining()))
}

func (r *sloRules) exhaustionTemplate() string {
	// Not `with` on the value: a spent budget reads 0, which `with` skips.
	return fmt.Sprintf("{{ with %s }}{{ $left := . | first | value }}"+
		"{{ if le $left 0.0 }}The budget is already spent.{{ else if gt $left 1e300 }}%s{{ else }}At the last hour's burn rate it runs out in {{ humanizeDuration $left }}.{{ end }}"+
		"{{ end }}", r.queryOfAlert(r.src.exhaustion()), r.src.neverExhausted())
}

// queryOfAlert is the template pipeline that runs expr, one of the SLO's
// figures, for an annotation (quoted, so the config's text in it stays
// literal). For a grouped SLO it keeps the alert's own group: the series
// whose grouping labels equal the alert's, each value written by printf's
// %q, which PromQL reads back as the same string.
func (r *sloRules) queryOfAlert(expr string) string {
	if !r.grouped() {
		return "query " + templateQuery(expr)
	}
	format := "(" + strings.ReplaceAll(expr, "%", "%%") + ")"
	args := ""
	for _, l := range r.by {
		format += fmt.Sprintf(" and on(%s) label_replace(vector(1), %s, %%q, \"\", \"\")", l, strconv.Quote(l))
		args += " $labels." + l
	}
	return fmt.Sprintf("printf %s%s | query", templateQuery(format), args)
}

// pct prints a ratio as a percentage without float noise: 0.999 as 99.9%.
func pct(ratio float64) string {
	s := fmt.Sprintf("%.6f", ratio*100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// burnAlertCondition records every alert pair's condition at once, so that
// each burn alert reads a single selector: burn(long) > factor and
// burn(short) > factor and, for counters, at least MinBadEvents bad events in
// the long window. Each part compares one selector's series (all windows)
// with a constant vector holding, per pair, the threshold under that pair's
// window; the parts then join on the pair. Kept per pair: the long window's
// burn rate.
//
// The minimum-traffic guard: a handful of errors in a quiet hour is a high
// ratio but not an incident. Time slices weigh the same at any traffic, so
// there is no quiet hour to guard against; without the guard these alerts
// match the daemon's slo_alert_active.
//
// A grouped SLO has none: its burn rates are many series per window (one per
// group), and so are the thresholds (one per pair), and PromQL cannot match
// many with many; its burn alerts compare each group's burn rates per pair
// instead (promShape.burnCondition).
func (r *sloRules) burnAlertCondition() string {
	pairs := slo.AlertPairs(r.s.Window.Duration)
	if len(pairs) == 0 || r.grouped() {
		return ""
	}
	thresholds := func(window func(slo.AlertPair) time.Duration, value func(slo.AlertPair) float64) string {
		var parts []string
		for _, p := range pairs {
			v := fmt.Sprintf("vector(%s)", num(value(p)))
			for _, l := range [][2]string{{"window", r.windowLabel(window(p))}, {"long_window", r.windowLabel(p.Long)}, {"short_window", r.windowLabel(p.Short)}} {
				v = fmt.Sprintf("label_replace(%s, %q, %q, \"\", \"\")", v, l[0], l[1])
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, "\n  or\n  ")
	}
	long := func(p slo.AlertPair) time.Duration { return p.Long }
	short := func(p slo.AlertPair) time.Duration { return p.Short }
	factor := func(p slo.AlertPair) float64 { return p.Factor }
	part := func(sel, op, consts string) string {
		return fmt.Sprintf("(\n  %s\n  %s on(window) group_right()\n  (\n  %s\n  )\n)", sel, op, indent(consts, 2))
	}
	expr := part(metricBurn+r.sel, ">", thresholds(long, factor)) +
		"\nand on(long_window, short_window)\n" +
		part(metricBurn+r.sel, ">", thresholds(short, factor))
	if r.opts.MinBadEvents > 1 && r.s.SLI.TimeSlice == nil {
		minBad := func(slo.AlertPair) float64 { return r.opts.MinBadEvents }
		expr += "\nand on(long_window, short_window)\n" +
			part(metricIncrease+r.match("result", "bad"), ">=", thresholds(long, minBad))
	}
	return fmt.Sprintf("sum by (long_window, short_window) (\n  %s\n)", indent(expr, 2))
}
