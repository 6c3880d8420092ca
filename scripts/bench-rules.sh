#!/usr/bin/env bash
# Prometheus's own rule-evaluation cost for 1,000 SLOs: the rules
# `slobudget rules` generates (running sums, backfilled with
# `slobudget rules-backfill`) next to a naive rule set computing the same
# burn rates and budgets from raw increase(...[w]), in the same Prometheus
# on the same 31 days of blocks with a live target. The two sets run one
# after the other (a reload switches them), so neither slows the other down
# on a small machine. Reads prometheus_rule_group_last_duration_seconds and
# the process's CPU from Prometheus's /metrics.
# Usage: scripts/bench-rules.sh [SLOS] [SETTLE_SECONDS]   (results on stdout)
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-1000}
SETTLE=${2:-150}
WORK=$(mktemp -d)
PROM_PID=""
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
log() { echo "# $*" >&2; }

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
go build -o "$WORK/slobudget" ./cmd/slobudget
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days 31 >&2
CFG="$WORK/slobudget.yml"

"$WORK/slobudget" rules --config.file="$CFG" --output="$WORK/generated.yml"

# The naive set: per SLO one group, the same recorded figures (burn rate per
# window, remaining budget) and the same burn alerts, from raw increase().
awk '
  function windows() { return "5m 30m 1h 2h 6h 1d 3d 30d" }
  /^  - name: / { name = $3 }
  /^    service: / { svc = $2 }
  /^        errors: / { sub(/^        errors: /, ""); gsub(/^'\''|'\''$/, ""); errs = $0 }
  /^        total: / {
    sub(/^        total: /, ""); gsub(/^'\''|'\''$/, ""); total = $0
    if (!started) { print "groups:"; started = 1 }
    printf "  - name: naive-%s\n    interval: 1m\n    rules:\n", name
    n = split(windows(), ws, " ")
    for (i = 1; i <= n; i++) {
      printf "      - record: naive:burn_rate:ratio\n        expr: (sum(increase(%s[%s])) / sum(increase(%s[%s]))) / 0.001\n", errs, ws[i], total, ws[i]
      printf "        labels: {service: %s, slo: %s, window: %s}\n", svc, name, ws[i]
    }
    printf "      - record: naive:error_budget_remaining:ratio\n        expr: 1 - sum(increase(%s[30d])) / sum(increase(%s[30d])) / 0.001\n", errs, total
    printf "        labels: {service: %s, slo: %s}\n", svc, name
    split("1h/5m/14.4 6h/30m/6 1d/2h/3 3d/6h/1", pairs, " ")
    for (i = 1; i <= 4; i++) {
      split(pairs[i], p, "/")
      printf "      - alert: NaiveBurn\n        expr: naive:burn_rate:ratio{slo=\"%s\",window=\"%s\"} > %s and on() naive:burn_rate:ratio{slo=\"%s\",window=\"%s\"} > %s\n", name, p[1], p[3], name, p[2], p[3]
      printf "        labels: {slo: %s, long_window: %s}\n", name, p[1]
    }
    printf "      - alert: NaiveFreeze\n        expr: naive:error_budget_remaining:ratio{slo=\"%s\"} < 0\n        labels: {slo: %s}\n", name, name
  }' "$CFG" > "$WORK/naive.yml"
promtool check rules "$WORK/generated.yml" "$WORK/naive.yml" >&2

TARGET_PORT=$(free_port)
"$WORK/slobench" target -listen "127.0.0.1:$TARGET_PORT" -slos "$SLOS" &
PROM_PORT=$(free_port)
URL="http://127.0.0.1:$PROM_PORT"
write_config() { # $1: rule file
  cat > "$WORK/prometheus.yml" <<YML
global: {scrape_interval: 15s}
scrape_configs:
  - job_name: live
    static_configs: [{targets: ['127.0.0.1:$TARGET_PORT']}]
rule_files: ['$1']
YML
}
start_prometheus() {
  prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --storage.tsdb.retention.time=400d --web.listen-address="127.0.0.1:$PROM_PORT" \
    --web.enable-lifecycle --query.max-samples=200000000 >>"$WORK/prometheus.log" 2>&1 &
  PROM_PID=$!
  for _ in $(seq 1 240); do curl -sf "$URL/-/ready" >/dev/null && return; sleep 0.5; done
  echo "Prometheus did not start" >&2; tail -20 "$WORK/prometheus.log" >&2; exit 1
}
query() { curl -sf "$URL/api/v1/query" --data-urlencode "query=$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'; }
cpu() { curl -sf "$URL/metrics" | awk '/^process_cpu_seconds_total /{print $2}'; }

# Summary of the last evaluation of every group of one rule file: count,
# sum, mean, median, p99 and max of prometheus_rule_group_last_duration_seconds.
durations() { # $1: rule file path, $2: label
  curl -sf "$URL/metrics" | grep "^prometheus_rule_group_last_duration_seconds{rule_group=\"$1;" \
    | awk '{print $2}' | sort -g | awk -v label="$2" '
      { v[NR] = $1; s += $1 }
      END {
        if (NR == 0) { print label ": no groups evaluated"; exit }
        p99 = int(NR * 0.99); if (p99 < 1) p99 = 1
        printf "%-10s groups %d  sum %.3f s  mean %.2f ms  median %.2f ms  p99 %.2f ms  max %.2f ms\n",
          label, NR, s, 1000*s/NR, 1000*v[int((NR+1)/2)], 1000*v[p99], 1000*v[NR]
      }'
}
steady() { # $1: rule file, $2: label. Waits SETTLE seconds, then measures CPU over one more minute.
  sleep "$SETTLE"
  local c0 t0 c1 t1
  c0=$(cpu); t0=$(date +%s.%N)
  sleep 60
  c1=$(cpu); t1=$(date +%s.%N)
  durations "$1" "$2"
  python3 -c "print('%-10s Prometheus CPU %.1f%% of one core over the last minute (all work: rules, scrapes, queries)' % ('$2', 100*($c1-$c0)/($t1-$t0)))"
  curl -sf "$URL/metrics" | grep "^prometheus_rule_group_iterations_missed_total{rule_group=\"$1;" \
    | awk -v label="$2" '{ s += $2 } END { printf "%-10s missed iterations %d\n", label, s }'
}

# 1. Generated rules: load, wait for the running sums' first samples,
#    backfill their history, restart with the block.
write_config "$WORK/generated.yml"
start_prometheus
log "waiting for the first evaluation of $SLOS groups"
for _ in $(seq 1 180); do
  [ "$(query 'count(slo:total_events:running_sum)')" = "$SLOS" ] && break
  sleep 1
done
T0=$(date +%s)
# Two hours of history: the windows longer than that find the held first
# value (see rules/README.md), so every lookup reads samples, as in steady
# state; a 30d history at 1m steps costs 1000 x 10 range queries.
"$WORK/slobudget" rules-backfill --config.file="$CFG" --prometheus.url="$URL" \
  --output.dir="$WORK/blocks" --backfill.history=2h | tail -1 >&2
log "rules-backfill took $(( $(date +%s) - T0 )) s"
curl -sf -X POST "$URL/-/quit" >/dev/null
wait "$PROM_PID" || true
mv "$WORK"/blocks/* "$WORK/tsdb/"
start_prometheus

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(prometheus --version 2>&1 | head -1)"
echo "data: $SLOS SLOs (30d windows), 2 raw series each, 31 days of 1-minute samples plus a live target scraped every 15s"
steady "$WORK/generated.yml" generated

# 2. The naive set on the same Prometheus and data.
write_config "$WORK/naive.yml"
curl -sf -X POST "$URL/-/reload" >/dev/null
steady "$WORK/naive.yml" naive
echo "rules: generated $(grep -c 'record:\|alert:' "$WORK/generated.yml"), naive $(grep -c 'record:\|alert:' "$WORK/naive.yml") (all groups, interval 1m)"
