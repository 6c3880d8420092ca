// Package dashboards generates Grafana dashboards (the classic JSON model,
// schemaVersion 39) from slobudget's SLO definitions.
//
// Two dashboards come out of one config:
//
//   - an overview of every SLO: a table with budget, policy state, freeze,
//     burn and forecast, the share of SLOs meeting their objective, the
//     number of frozen and paging SLOs, and the top burners, filtered by the
//     service and team template variables;
//   - one detail dashboard with an SLO template variable: SLI, burn-down,
//     burn rate per alert window with the alert thresholds drawn, alert and
//     policy state timelines, time to exhaustion and evaluation health.
//
// One detail dashboard with a variable, rather than one per SLO, keeps the
// output small for configs with hundreds of SLOs and keeps links stable when
// SLOs are added or renamed. The alert thresholds depend on the SLO window;
// they are drawn as series selected by the window label of slo_info, one
// branch per window the config uses, so the right factors show for any SLO.
//
// Every query reads the daemon's own slo_* metrics (see the contract), never
// the generated recording rules, so the dashboards work whether or not the
// rules are loaded. Every panel and variable uses the "datasource" template
// variable; nothing names a concrete data source.
package dashboards
