#!/usr/bin/env bash
# Prometheus's own rule-evaluation cost for SLOS SLOs (default 1,000), one
# fresh Prometheus per rule set on a copy of the same 31 days of blocks with
# a live target: the rules `slobudget rules` generates (running sums,
# backfilled with `slobudget rules-backfill`), a naive set computing the same
# burn rates and budget from raw increase(...[w]), and, when given, Sloth's
# and Pyrra's rule files for the same SLOs (SLOTH_RULES=FILE, PYRRA_RULES=FILE;
# the value "shape" writes them with scripts/peer-rules.py, see
# docs/benchmarks.md for how those files are made). Each set runs alone, so
# none slows another down on a small machine. Per set it prints the
# evaluation seconds per minute (prometheus_rule_group_last_duration_seconds
# scaled by each group's evaluations per minute), Prometheus's CPU over one
# minute, its RSS and the raw and recorded samples its rules read per minute
# (scripts/rule-stats.py: the first groups' expressions as instant queries
# with stats=all, scaled to all groups).
# SETS=generated,pyrra runs only the named sets (of generated, naive, sloth,
# pyrra; the peers still need their *_RULES). DIAG=1 adds, per set, the head
# series, the Go heap in use and RSS split into anonymous and file-backed
# pages (mmapped blocks), to see what the memory follows; DIAG_DIR=D also
# saves Prometheus's heap profile there as SET.heap.
# Usage: [SETS=a,b] [DIAG=1] [SLOTH_RULES=F|shape] [PYRRA_RULES=F|shape] scripts/bench-rules.sh [SLOS] [SETTLE_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-1000}
SETTLE=${2:-150}
MEASURE=${MEASURE:-60} # seconds of CPU measurement (shorter only for trying the script)
ONLY_SETS=${SETS:-}
WORK=$(mktemp -d)
PROM_PID=""
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
log() { echo "# $*" >&2; }

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
go build -o "$WORK/slobudget" ./cmd/slobudget
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days 31 >&2
mv "$WORK/tsdb" "$WORK/tsdb.raw"
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
SETS="generated naive"
for peer in SLOTH PYRRA; do
  v="${peer}_RULES"; f="${!v:-}"
  lower=$(echo "$peer" | tr A-Z a-z)
  case "$f" in
    "") ;;
    shape) scripts/peer-rules.py "$CFG" "$WORK"; SETS="$SETS $lower" ;;
    *) cp "$f" "$WORK/$lower.yml"; SETS="$SETS $lower" ;;
  esac
done
if [ -n "${ONLY_SETS:-}" ]; then
  keep=""
  for set in $SETS; do case ",$ONLY_SETS," in *",$set,"*) keep="$keep $set" ;; esac; done
  SETS=$keep
  [ -n "$SETS" ] || { echo "SETS=$ONLY_SETS names no set this run has" >&2; exit 1; }
fi
for set in $SETS; do promtool check rules --lint=none "$WORK/$set.yml" >&2; done

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

# Evaluation seconds per minute, summed over the groups of one rule file:
# each group's last duration times its evaluations per minute.
eval_per_min() { # $1: rule file path
  curl -sf "$URL/metrics" | python3 -c '
import re, sys
path = sys.argv[1]
last, interval = {}, {}
for line in sys.stdin:
    m = re.match(r"prometheus_rule_group_(last_duration|interval)_seconds\{rule_group=\"([^\"]*)\"\} (\S+)", line)
    if m and m.group(2).startswith(path + ";"):
        (last if m.group(1) == "last_duration" else interval)[m.group(2)] = float(m.group(3))
print("%d %.2f" % (len(last), sum(v * 60 / interval[g] for g, v in last.items())))' "$1"
}
metric() { curl -sf "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
steady() { # $1: rule file, $2: label. Waits SETTLE seconds, then measures over one more minute.
  sleep "$SETTLE"
  local c0 t0 c1 t1
  c0=$(metric process_cpu_seconds_total); t0=$(date +%s.%N)
  sleep "$MEASURE"
  c1=$(metric process_cpu_seconds_total); t1=$(date +%s.%N)
  read -r groups evals < <(eval_per_min "$1")
  local rss missed samples
  rss=$(metric process_resident_memory_bytes)
  missed=$(curl -sf "$URL/metrics" | grep "^prometheus_rule_group_iterations_missed_total{rule_group=\"$1;" | awk '{ s += $2 } END { print s + 0 }')
  samples=$(scripts/rule-stats.py "$URL" "$1" 6)
  if [ -n "${DIAG:-}" ]; then
    [ -z "${DIAG_DIR:-}" ] || curl -sf "$URL/debug/pprof/heap" > "$DIAG_DIR/$2.heap"
    echo "$2 diag: head series $(metric prometheus_tsdb_head_series), heap in use $(( $(metric go_memstats_heap_inuse_bytes | python3 -c 'import sys; print(int(float(sys.stdin.read())))') >> 20 )) MiB, RSS $(awk '/^Rss(Anon|File|Shmem):/{sub(/^Rss/, "", $1); printf "%s %d MiB ", $1, $2/1024}' /proc/$PROM_PID/status)"
  fi
  python3 -c "print('%-10s groups %5d  rules %6d  eval %7.2f s/min  CPU %5.1f%%  RSS %5.0f MiB  samples read %6.2fM/min  missed %d' % ('$2', $groups, $(grep -cE '^ *- (record|alert):|^ *- \{record:' "$1"), $evals, 100*($c1-$c0)/($t1-$t0), $rss/2**20, $samples/1e6, $missed))"
}
stop_prometheus() { curl -sf -X POST "$URL/-/quit" >/dev/null; wait "$PROM_PID" || true; }

echo "machine: $(lscpu | awk -F: '/Model name/{gsub(/^ +/, "", $2); print $2}'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(prometheus --version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $SLOS SLOs (30d windows), 2 raw series each, 31 days of 1-minute samples plus a live target scraped every 15s"
for set in $SETS; do
  rm -rf "$WORK/tsdb"; cp -r "$WORK/tsdb.raw" "$WORK/tsdb"
  # Sloth's 30d ratio reads 30 days of its own 5m ratio: write them, as a
  # Sloth that has run for a month has them.
  if [ "$set" = sloth ]; then "$WORK/slobench" sloth-history -dir "$WORK/tsdb" -slos "$SLOS" >&2; fi
  write_config "$WORK/$set.yml"
  start_prometheus
  if [ "$set" = generated ]; then
    # Load, wait for the running sums' first samples, backfill their
    # history, restart with the block. Two hours of history: the windows
    # longer than that find the held first value (rules/README.md), so
    # every lookup reads samples, as in steady state.
    log "waiting for the first evaluation of $SLOS groups"
    for _ in $(seq 1 180); do
      [ "$(query 'count(slo:total_events:running_sum)')" = "$SLOS" ] && break
      sleep 1
    done
    T0=$(date +%s)
    "$WORK/slobudget" rules-backfill --config.file="$CFG" --prometheus.url="$URL" \
      --output.dir="$WORK/blocks" --backfill.history=2h | tail -1 >&2
    log "rules-backfill took $(( $(date +%s) - T0 )) s"
    stop_prometheus
    mv "$WORK"/blocks/* "$WORK/tsdb/"
    start_prometheus
  fi
  steady "$WORK/$set.yml" "$set"
  stop_prometheus
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
