#!/usr/bin/env bash
# Scripted load against a real Prometheus: 1,000 SLOs with 30-day windows.
# Writes TSDB blocks (31 days, 2 series per SLO, 1-minute samples), starts
# Prometheus on them with a live target so new samples keep arriving, then
# measures slobudget's start-up and steady-state cycles and the naive
# per-SLO increase(...[30d]) queries at the same instant.
# Usage: scripts/bench.sh [SLOS] [CYCLES] [DAYS] [MODE]    (results go to stdout)
#   MODE cycles (default): start-up, cycles and the naive queries (engine only).
#   MODE scale: the daemon as serve builds it: cold start, cycles, /metrics
#   latency and size, RSS, warm restart on the state file, one shard of two;
#   then the time of `slobudget rules` and `slobudget check` on the config.
#   For 10,000 SLOs: scripts/bench.sh 10000 4 3 scale (3 days of blocks).
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-1000}
CYCLES=${2:-6}
DAYS=${3:-31}
MODE=${4:-cycles}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days "$DAYS" >&2

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
PROM_PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break; sleep 0.5; done
sleep 35 # two scrapes of live data

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(prometheus --version 2>&1 | head -1)"
if [ "$MODE" = scale ]; then
  "$WORK/slobench" scale -prometheus.url "http://127.0.0.1:$PROM_PORT" -config "$WORK/slobudget.yml" -cycles "$CYCLES" -work "$WORK"
  go build -o "$WORK/slobudget" ./cmd/slobudget
  for cmd in rules check; do
    start=$(date +%s.%N)
    "$WORK/slobudget" "$cmd" --config.file="$WORK/slobudget.yml" >"$WORK/$cmd.out"
    echo "slobudget $cmd: $(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')") s, $(wc -c <"$WORK/$cmd.out") bytes of output"
  done
  echo "Prometheus RSS: $(ps -o rss= -p "$PROM_PID" | awk '{printf "%.0f MiB", $1/1024}')"
else
  "$WORK/slobench" cycles -prometheus.url "http://127.0.0.1:$PROM_PORT" -config "$WORK/slobudget.yml" -cycles "$CYCLES"
fi
