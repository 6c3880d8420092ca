#!/usr/bin/env bash
# Scripted load against a real Prometheus: 1,000 SLOs with 30-day windows.
# Writes TSDB blocks (31 days, 2 series per SLO, 1-minute samples), starts
# Prometheus on them with a live target so new samples keep arriving, then
# measures slobudget's start-up and steady-state cycles and the naive
# per-SLO increase(...[30d]) queries at the same instant.
# Usage: scripts/bench.sh [SLOS] [CYCLES]    (results go to stdout)
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-1000}
CYCLES=${2:-6}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=scripts/lib/scale-prometheus.sh
. scripts/lib/scale-prometheus.sh # after the cd to the repository root

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days 31 >&2

start_scale_prometheus "$SLOS"
sleep 35 # two scrapes of live data

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(prometheus --version 2>&1 | head -1)"
"$WORK/slobench" cycles -prometheus.url "http://127.0.0.1:$PROM_PORT" -config "$WORK/slobudget.yml" -cycles "$CYCLES" -state "$WORK/state"
