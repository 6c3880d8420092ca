#!/usr/bin/env python3
"""Write Sloth- and Pyrra-shaped rule files for the SLOs of a slobudget
config (the events SLIs of scripts/bench-rules.sh's scale config), for
comparing Prometheus's cost of evaluating each project's rules on the same
data.

Neither generator runs offline here, so the files are written by hand in the
shape each generator's documentation and published example output show
(see docs/benchmarks.md, "Generated rules next to Sloth and Pyrra"):

  sloth  Sloth v0.11+ for a 30d SLO (prometheus/v1 spec): per SLO an SLI
         group with slo:sli_error:ratio_rate<W> = errors rate / total rate
         for W in 5m 30m 1h 2h 6h 1d 3d, the 30d ratio as sum_over_time /
         count_over_time of the 5m ratio over 30d; a meta group (objective,
         error budget, period days, current and period burn rate, remaining
         budget, info); an alert group with the page (5m/1h or 30m/6h) and
         the ticket (2h/1d or 6h/3d) alert. Groups use the global 1m interval.
  pyrra  Pyrra's ServiceLevelObjective with its defaults (ratio indicator,
         28d window set): one group per SLO at 30s holding
         <metric>:increase30d = sum by (code) (increase(total[30d])),
         <metric>:burnrate<W> = errors rate / total rate for W in 5m 30m 1h
         2h 6h 1d 4d, and four ErrorBudgetBurn alerts (14/7/2/1 times the
         budget, 5m/1h, 30m/6h, 2h/1d, 6h/4d).

Usage: scripts/peer-rules.py CONFIG OUTDIR   (writes OUTDIR/sloth.yml, OUTDIR/pyrra.yml)
"""
import re
import sys


def slos(path):
    out, cur = [], None
    for line in open(path):
        m = re.match(r"^  - name: (\S+)", line)
        if m:
            cur = {"name": m.group(1)}
            out.append(cur)
            continue
        m = re.match(r"^    (service|objective): (\S+)", line)
        if m and cur is not None:
            cur[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^        (errors|total): '(.*)'$", line)
        if m and cur is not None:
            cur[m.group(1)] = m.group(2)
    return [s for s in out if "errors" in s and "total" in s]


def q(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def sloth(slo_list):
    lines = ["groups:"]
    for s in slo_list:
        sid = f'{s["service"]}-{s["name"]}'
        ids = f'sloth_id="{sid}", sloth_service="{s["service"]}", sloth_slo="{s["name"]}"'
        labels = f'{{sloth_id: {sid}, sloth_service: {s["service"]}, sloth_slo: {s["name"]}}}'
        budget = 1 - float(s["objective"]) / 100
        lines += [f"  - name: sloth-slo-sli-recordings-{sid}", "    rules:"]
        for w in ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]:
            lines += [f"      - record: slo:sli_error:ratio_rate{w}",
                      f'        expr: "(sum(rate({q(s["errors"])}[{w}]))) / (sum(rate({q(s["total"])}[{w}])))"',
                      f"        labels: {{sloth_id: {sid}, sloth_service: {s['service']}, sloth_slo: {s['name']}, sloth_window: {w}}}"]
        lines += ["      - record: slo:sli_error:ratio_rate30d",
                  f'        expr: "sum_over_time(slo:sli_error:ratio_rate5m{{{q(ids)}}}[30d]) / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{{{q(ids)}}}[30d])"',
                  "        labels: {sloth_window: 30d}"]
        lines += [f"  - name: sloth-slo-meta-recordings-{sid}", "    rules:",
                  f"      - {{record: 'slo:objective:ratio', expr: 'vector({float(s['objective']) / 100})', labels: {labels}}}",
                  f"      - {{record: 'slo:error_budget:ratio', expr: 'vector(1-{float(s['objective']) / 100})', labels: {labels}}}",
                  f"      - {{record: 'slo:time_period:days', expr: 'vector(30)', labels: {labels}}}",
                  f"      - record: slo:current_burn_rate:ratio",
                  f'        expr: "slo:sli_error:ratio_rate5m{{{q(ids)}}} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio{{{q(ids)}}}"',
                  f"        labels: {labels}",
                  f"      - record: slo:period_burn_rate:ratio",
                  f'        expr: "slo:sli_error:ratio_rate30d{{{q(ids)}}} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio{{{q(ids)}}}"',
                  f"        labels: {labels}",
                  f"      - record: slo:period_error_budget_remaining:ratio",
                  f'        expr: "1 - slo:period_burn_rate:ratio{{{q(ids)}}}"',
                  f"        labels: {labels}",
                  f"      - {{record: 'sloth_slo_info', expr: 'vector(1)', labels: {labels}}}"]
        lines += [f"  - name: sloth-slo-alerts-{sid}", "    rules:"]
        for sev, pairs in [("page", [("5m", "1h", 14.4), ("30m", "6h", 6)]), ("ticket", [("2h", "1d", 3), ("6h", "3d", 1)])]:
            parts = []
            for short, long, k in pairs:
                parts.append(f"((slo:sli_error:ratio_rate{short}{{{ids}}} > ({k} * {budget!r})) and ignoring (sloth_window) "
                             f"(slo:sli_error:ratio_rate{long}{{{ids}}} > ({k} * {budget!r})))")
            lines += [f"      - alert: SlothBurn",
                      f'        expr: "{q(" or ignoring (sloth_window) ".join(parts))}"',
                      f"        labels: {{sloth_severity: {sev}, sloth_id: {sid}, sloth_service: {s['service']}, sloth_slo: {s['name']}}}"]
    return "\n".join(lines) + "\n"


def pyrra(slo_list):
    lines = ["groups:"]
    for s in slo_list:
        budget = f'(1-{float(s["objective"]) / 100})'
        labels = f'{{slo: {s["name"]}}}'
        lines += [f"  - name: {s['name']}", "    interval: 30s", "    rules:",
                  f"      - record: http_requests:increase30d",
                  f'        expr: "sum by (code) (increase({q(s["total"])}[30d]))"',
                  f"        labels: {labels}"]
        for w in ["5m", "30m", "1h", "2h", "6h", "1d", "4d"]:
            lines += [f"      - record: http_requests:burnrate{w}",
                      f'        expr: "sum(rate({q(s["errors"])}[{w}])) / sum(rate({q(s["total"])}[{w}]))"',
                      f"        labels: {labels}"]
        for short, long, k, sev, for_ in [("5m", "1h", 14, "critical", "2m"), ("30m", "6h", 7, "critical", "15m"),
                                          ("2h", "1d", 2, "warning", "1h"), ("6h", "4d", 1, "warning", "3h")]:
            sel = f'{{slo="{s["name"]}"}}'
            lines += ["      - alert: ErrorBudgetBurn",
                      f'        expr: "{q(f"http_requests:burnrate{short}{sel} > ({k} * {budget}) and http_requests:burnrate{long}{sel} > ({k} * {budget})")}"',
                      f"        for: {for_}",
                      f"        labels: {{severity: {sev}, long: {long}, short: {short}, slo: {s['name']}}}"]
    return "\n".join(lines) + "\n"


def main():
    cfg, outdir = sys.argv[1], sys.argv[2]
    ss = slos(cfg)
    open(f"{outdir}/sloth.yml", "w").write(sloth(ss))
    open(f"{outdir}/pyrra.yml", "w").write(pyrra(ss))


if __name__ == "__main__":
    main()
