#!/usr/bin/env bash
# Load test of the daemon's serving: SLOS availability SLOs with 30-day
# windows against a real Prometheus (blocks written by slobench, a live target
# scraped every 15 s), then CLIENTS concurrent clients for DURATION cycling
# through /metrics, / (the status page) and /api/v1/slos on loopback. Prints
# the answers by status and the latency percentiles per path, the daemon's RSS
# when ready and at its peak under load, and its evaluation cycle times before
# and during the load. Bounded: every process is stopped at the end.
# Usage: scripts/load.sh [SLOS] [CLIENTS] [DURATION]    (results go to stdout)
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-2000}
CLIENTS=${2:-200}
DURATION=${3:-60s}
DAYS=${DAYS:-31}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=scripts/lib/scale-prometheus.sh
. scripts/lib/scale-prometheus.sh # after the cd to the repository root

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
go build -o "$WORK/slobudget" ./cmd/slobudget
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days "$DAYS" >&2

start_scale_prometheus "$SLOS"

SB_PORT=$(free_port)
"$WORK/slobudget" serve --config.file="$WORK/slobudget.yml" --prometheus.url="http://127.0.0.1:$PROM_PORT" \
  --web.listen-address="127.0.0.1:$SB_PORT" --log.level=warn >"$WORK/slobudget.log" 2>&1 &
SB_PID=$!
start=$(date +%s)
until curl -sf "http://127.0.0.1:$SB_PORT/-/ready" >/dev/null; do
  kill -0 "$SB_PID" || { cat "$WORK/slobudget.log" >&2; exit 1; }
  sleep 1
done
echo "daemon ready after $(( $(date +%s) - start )) s" >&2
eval_stats() { curl -s "http://127.0.0.1:$SB_PORT/metrics" | awk '/^slobudget_evaluation_duration_seconds_(sum|count)/{print $2}' | paste -sd' '; }
read -r sumr countr <<<"$(eval_stats)"
sleep 65 # two steady cycles before the load
rss() { awk '/VmRSS/{printf "%.0f MiB", $2/1024}' "/proc/$SB_PID/status"; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg), $(prometheus --version 2>&1 | head -1)"
echo "SLOs: $SLOS with 30-day windows, $DAYS days of 1-minute samples, evaluation interval 30s"
echo "daemon RSS when ready and idle: $(rss)"
read -r sum0 count0 <<<"$(eval_stats)"
# Clients that ask for gzip (browsers, Prometheus), then clients that do not.
for gz in true false; do
  read -r s0 c0 <<<"$(eval_stats)"
  "$WORK/slobench" load -url "http://127.0.0.1:$SB_PORT" -clients "$CLIENTS" -duration "$DURATION" -pid "$SB_PID" -gzip="$gz"
  read -r s1 c1 <<<"$(eval_stats)"
  awk -v s0="$s0" -v c0="$c0" -v s1="$s1" -v c1="$c1" 'BEGIN {
    printf "evaluation cycles finished during this load: %d, mean %.2f s\n\n", c1-c0, (c1>c0 ? (s1-s0)/(c1-c0) : 0) }'
done
echo "daemon RSS after the load: $(rss)"
awk -v sr="$sumr" -v cr="$countr" -v s0="$sum0" -v c0="$count0" 'BEGIN {
  printf "start-up evaluation: %.1f s; steady cycles before the load: %d, mean %.2f s\n", sr/cr, c0-cr, (c0>cr ? (s0-sr)/(c0-cr) : 0) }'
echo "rejected (503) by the in-flight limit: $(curl -s "http://127.0.0.1:$SB_PORT/metrics" | awk '/^slobudget_http_requests_rejected_total/{print $2}')"
grep -c 'level=error' "$WORK/slobudget.log" | sed 's/^/daemon error log lines: /' || true
