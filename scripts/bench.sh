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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days 31 >&2

TARGET_PORT=$(free_port)
"$WORK/slobench" target -listen "127.0.0.1:$TARGET_PORT" -slos "$SLOS" &
PROM_PORT=$(free_port)
cat > "$WORK/prometheus.yml" <<YML
global: {scrape_interval: 15s}
scrape_configs:
  - job_name: live
    static_configs: [{targets: ['127.0.0.1:$TARGET_PORT']}]
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --storage.tsdb.retention.time=400d --web.listen-address="127.0.0.1:$PROM_PORT" \
  --query.max-samples=200000000 >"$WORK/prometheus.log" 2>&1 &
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break; sleep 0.5; done
sleep 35 # two scrapes of live data

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(prometheus --version 2>&1 | head -1)"
"$WORK/slobench" cycles -prometheus.url "http://127.0.0.1:$PROM_PORT" -config "$WORK/slobudget.yml" -cycles "$CYCLES" -state "$WORK/state"
