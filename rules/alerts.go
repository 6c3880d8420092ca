package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Alert names, from the contract.
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
	return l
}

// annotations merges the generated annotations with the runbook and the
// user's own, which win.
func (r *sloRules) annotations(summary, description string) map[string]string {
	a := map[string]string{"summary": summary, "description": description}
	if r.s.RunbookURL != "" {
		a["runbook_url"] = r.s.RunbookURL
	}
	for k, v := range r.s.Alerting.Annotations {
		a[k] = v
	}
	return a
}

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
	out = append(out, rule{
		Alert: alertDataMissing,
		// absent() of a selector copies its equality matchers into the
		// alert's labels; of a count() it has none, so the alert carries
		// exactly the labels below whatever the selector says.
		Expr:   fmt.Sprintf("absent(count(%s))", r.present),
		For:    r.forDuration("dataMissing", defaultForDataMissing),
		Labels: r.alertLabels("severity", "ticket"),
		Annotations: r.annotations(
			fmt.Sprintf("SLO %s (%s) has no data: its total series is absent", r.s.Name, r.s.Service),
			fmt.Sprintf("%s returns no series, so the error budget and burn rates of %s cannot be computed and its burn alerts cannot fire. Check the scrape target and the SLI selector.", r.present, r.s.Name)),
	})
	return out, nil
}

func (r *sloRules) burnAlert(p slo.AlertPair) rule {
	long, short := r.windowLabel(p.Long), r.windowLabel(p.Short)
	factor := num(p.Factor)
	expr := r.shape.burnCondition(p)
	key := slo.WindowLabel(p.Long) + "/" + slo.WindowLabel(p.Short)
	def, ok := defaultFor[key]
	if !ok {
		def = p.Short / 4
	}
	if d, ok := r.s.Alerting.For[p.Severity]; ok {
		def = d
	}
	summary := fmt.Sprintf("SLO %s (%s) is burning its error budget {{ printf \"%%.1f\" $value }} times too fast (%s/%s)", r.s.Name, r.s.Service, long, short)
	desc := fmt.Sprintf("The %s objective over %s allows %s of %s to be bad. "+
		"Over the last %s the share of bad ones used the budget {{ printf \"%%.1f\" $value }} times as fast as the window allows, "+
		"and over the last %s it is still above %s times: at that pace %s of the whole %s budget is gone every %s. "+
		"Budget left: %s. %s",
		pct(r.s.ObjectiveRatio()), r.s.Window.Text, pct(r.num/r.den), r.units(),
		long, short, factor, pct(p.BudgetFraction), r.s.Window.Text, long,
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
			cond := r.shape.remaining()
			if upper != nil {
				cond += " < " + num(*upper)
			}
			if st.MinBudgetRemaining != nil {
				cond += " >= " + num(*st.MinBudgetRemaining)
			}
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
					fmt.Sprintf("SLO %s (%s): %s", r.s.Name, r.s.Service, consequence),
					fmt.Sprintf("The %s error budget of %s (objective %s) has {{ $value | humanizePercentage }} left, which puts it in the %q state of the %q policy: %s.",
						r.s.Window.Text, r.s.Name, pct(r.s.ObjectiveRatio()), st.Name, r.policy.Name, consequence)),
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
	return fmt.Sprintf("{{ with query `%s` }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}", r.one(metricRemaining))
}

func (r *sloRules) exhaustionTemplate() string {
	// Not `with` on the value: a spent budget reads 0, which `with` skips.
	return fmt.Sprintf("{{ with query `%s` }}{{ $left := . | first | value }}"+
		"{{ if le $left 0.0 }}The budget is already spent.{{ else if gt $left 1e300 }}The last hour burned nothing.{{ else }}At the last hour's burn rate it runs out in {{ humanizeDuration $left }}.{{ end }}"+
		"{{ end }}", r.one(metricExhaustion))
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
func (r *sloRules) burnAlertCondition() string {
	pairs := slo.AlertPairs(r.s.Window.Duration)
	if len(pairs) == 0 {
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
