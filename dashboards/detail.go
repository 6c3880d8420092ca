package dashboards

import (
	"fmt"

	"github.com/slobudget/slobudget/slo"
)

// detail builds the dashboard of one SLO, chosen with the slo variable.
func detail(o Options, cfg *slo.Config) Dashboard {
	q := newQB(cfg)
	g := &grid{}
	windows := windowsOf(cfg)

	g.add(statPanel("SLI", "Good events over all events in the SLO window.", "percentunit",
		thresholds("green"), nil, query{q.detailOne("slo_sli_ratio"), ""}), 4, 4)
	g.add(statPanel("Objective", "", "percentunit", thresholds("blue"), nil,
		query{q.detailOne("slo_objective_ratio"), ""}), 4, 4)
	g.add(statPanel("Budget left", "1 − consumed share of the error budget; negative when overspent.", "percentunit",
		thresholds("red", 0, "orange", 0.25, "yellow", 0.5, "green"), nil,
		query{q.detailOne("slo_error_budget_remaining_ratio"), ""}), 4, 4)
	g.add(statPanel("Budget left as outage time", "How long a full outage the remaining budget still absorbs.", "s",
		thresholds("red", 0, "green"), nil, query{q.detailOne("slo_error_budget_remaining_seconds"), ""}), 4, 4)
	g.add(statPanel("Budget exhausted in", "Remaining budget at the last hour's burn rate.", "s",
		thresholds("red", 86400, "orange", 7*86400, "green"), []any{notBurning},
		query{q.detailOne("slo_error_budget_exhaustion_seconds"), ""}), 4, 4)
	state := statPanel("Policy state", "The error-budget policy's current state and whether it freezes feature work.", "none",
		thresholds("blue"), nil, query{fmt.Sprintf("max by (%s) (%s == 1)", q.by("state"), detailSel("slo_policy_state", "")), q.legend("{{state}}")})
	state.Options["textMode"] = "name"
	g.add(state, 4, 4)

	g.row("Service level")
	g.add(timeSeriesPanel("SLI over time", "The SLI of the whole rolling window at each instant, and the objective.", "percentunit",
		[]Override{dashedLine("^objective$", "red")},
		query{q.detailOne("slo_sli_ratio"), q.legend("SLI")}, query{q.detailOne("slo_objective_ratio"), q.legend("objective")}), 12, 8)
	g.add(timeSeriesPanel("Budget remaining (burn-down)", "Share of the error budget left; it falls while errors are spent and recovers as old errors leave the window.", "percentunit",
		[]Override{dashedLine("^exhausted$", "red")},
		query{q.detailOne("slo_error_budget_remaining_ratio"), q.legend("budget left")},
		query{fmt.Sprintf("0 * %s", q.detailOne("slo_objective_ratio")), q.legend("exhausted")}), 12, 8)

	g.row("Burn rate")
	for _, sev := range []string{"page", "ticket"} {
		pairs := severityPairs(sev)
		qs := []query{{fmt.Sprintf("max by (%s) (%s)", q.by("window"), detailSel("slo_burn_rate", fmt.Sprintf(`, window=~"%s"`, windowRegex(pairs)))), q.legend("burn {{window}}")}}
		for i, p := range pairs {
			qs = append(qs, query{thresholdExpr(windows, sev, i),
				fmt.Sprintf("%s threshold %s/%s", sev, slo.WindowLabel(p.Long), slo.WindowLabel(p.Short))})
		}
		g.add(timeSeriesPanel(fmt.Sprintf("Burn rate, %s windows", sev),
			fmt.Sprintf("Error ratio over each window divided by the error budget. The %s alert fires while both windows of a pair are above that pair's dashed threshold.", sev),
			"none", []Override{dashedLine("threshold", map[string]string{"page": "red", "ticket": "orange"}[sev])}, qs...), 12, 9)
	}

	g.row("States")
	g.add(stateTimelinePanel("Burn-rate alerts", "Whether the multiwindow multi-burn-rate condition of each severity holds.",
		[]any{valueText([3]string{"0", "ok", "green"}, [3]string{"1", "firing", "red"})},
		query{fmt.Sprintf("max by (%s) (%s)", q.by("severity"), detailSel("slo_alert_active", "")), q.legend("{{severity}}")}), 12, 6)
	g.add(stateTimelinePanel("Policy state and freeze", "Which state of the error-budget policy held, and whether feature work was frozen.",
		[]any{valueText([3]string{"0", " ", "transparent"}, [3]string{"1", "current", "blue"})},
		query{fmt.Sprintf("max by (%s) (%s)", q.by("state"), detailSel("slo_policy_state", "")), q.legend("{{state}}")},
		query{fmt.Sprintf("2 * %s(%s)", q.max(), detailSel("slo_feature_freeze", "")), q.legend("freeze")}), 12, 6)
	// The freeze row reuses the mapping table: doubling the 0/1 value keeps
	// "current" for states and gives the freeze its own text and color.
	last := &g.panels[len(g.panels)-1]
	last.FieldConfig.Defaults["mappings"] = []any{valueText(
		[3]string{"0", " ", "transparent"}, [3]string{"1", "current", "blue"}, [3]string{"2", "FROZEN", "red"})}

	g.row("Forecast and evaluation")
	g.add(timeSeriesPanel("Time to exhaustion over time", "Remaining budget × window / 1h burn rate; gaps mean the budget was not burning.", "s", nil,
		query{fmt.Sprintf("%s < +Inf", q.detailOne("slo_error_budget_exhaustion_seconds")), q.legend("exhausted in")}), 8, 7)
	g.add(timeSeriesPanel("Events in the SLO window", "Good and bad events counted over the SLO window.", "short", nil,
		query{fmt.Sprintf("max by (%s) (%s)", q.by("result"), detailSel("slo_window_events", "")), q.legend("{{result}}")}), 8, 7)
	g.add(stateTimelinePanel("Evaluation", "Whether slobudget got all the data it needed for this SLO; when not, the numbers above are stale.",
		[]any{valueText([3]string{"0", "failing", "red"}, [3]string{"1", "ok", "green"})},
		query{fmt.Sprintf("%s(%s)", q.max(), detailSel("slo_evaluation_success", "")), q.legend("success")}), 8, 7)

	return Dashboard{
		Annotations:   Annotations{List: []any{}},
		Description:   "One SLO in detail: SLI, burn-down, burn rates against the alert thresholds, alert and policy states, forecast. Generated by `slobudget dashboards`; edit the config, not this file.",
		Editable:      true,
		GraphTooltip:  1,
		Links:         dashboardLinks(),
		Panels:        g.panels,
		Refresh:       "1m",
		SchemaVersion: SchemaVersion,
		Tags:          []string{"slobudget", "slo"},
		Templating: Templating{List: []Variable{
			datasourceVariable(),
			labelVariable("service", "Service", "slo_info", "service", true),
			labelVariable("slo", "SLO", fmt.Sprintf(`slo_info{service=~"%s"}`, varService), "slo", false),
		}},
		Time:       TimeRange{From: "now-7d", To: "now"},
		Timepicker: map[string]any{},
		Timezone:   "browser",
		Title:      o.TitlePrefix + "SLO detail",
		UID:        makeUID(o.UIDPrefix, "detail"),
	}
}
