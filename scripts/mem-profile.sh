#!/usr/bin/env bash
# Where the daemon's memory goes (issue 10.8): SLOS scale SLOs (default 2000)
# on DAYS days of 1-minute blocks (default 1) in a real Prometheus, the real
# `slobudget serve --web.enable-pprof`; after /-/ready and CYCLES_S seconds of
# steady cycles (default 95) it writes to OUT (default ./mem-profile):
#   heap.pb.gz (inuse heap profile), memstats.txt (Go's runtime figures
#   from /metrics against VmRSS), and prints the top of the heap by
#   allocation site. Heavy: run under `flock /work/bench.lock`.
# With BIN=path, that slobudget binary is measured instead (BIN without
# --web.enable-pprof: set NOPPROF=1; only RSS, runtime figures and cycles).
# Usage: DAYS=1 OUT=dir scripts/mem-profile.sh [SLOS] [extra serve flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-2000}
shift || true
DAYS=${DAYS:-1}
CYCLES_S=${CYCLES_S:-95}
OUT=$(realpath -m "${OUT:-mem-profile}")
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=scripts/lib/scale-prometheus.sh
. scripts/lib/scale-prometheus.sh

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
if [ -n "${BIN:-}" ]; then cp "$BIN" "$WORK/slobudget"; else go build -o "$WORK/slobudget" ./cmd/slobudget; fi
PPROF=(--web.enable-pprof)
[ -n "${NOPPROF:-}" ] && PPROF=()
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days "$DAYS" >&2
start_scale_prometheus "$SLOS"
sleep 20
port=$(free_port)
URL="http://127.0.0.1:$port"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
"$WORK/slobudget" serve --config.file="$WORK/slobudget.yml" --prometheus.url="http://127.0.0.1:$PROM_PORT" \
  --web.listen-address="127.0.0.1:$port" --log.level=warn "${PPROF[@]}" "$@" >"$WORK/serve.log" 2>&1 &
PID=$!
until curl -sf "$URL/-/ready" >/dev/null; do
  kill -0 "$PID" || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.2
done
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "ready after %.1f s\n", b-a}'
rss() { awk '/VmRSS/{printf "%.0f MiB", $2/1024}' "/proc/$PID/status"; }
echo "RSS when ready: $(rss)"
read -r s0 c0 <<<"$(curl -s "$URL/metrics" | awk '/^slobudget_evaluation_duration_seconds_(sum|count)/{print $2}' | paste -sd' ')"
if [ -z "${NOPPROF:-}" ]; then
  curl -s "$URL/debug/pprof/profile?seconds=$CYCLES_S" -o "$OUT/cpu.pb.gz"
else
  sleep "$CYCLES_S"
fi
read -r s1 c1 <<<"$(curl -s "$URL/metrics" | awk '/^slobudget_evaluation_duration_seconds_(sum|count)/{print $2}' | paste -sd' ')"
awk -v s0="$s0" -v c0="$c0" -v s1="$s1" -v c1="$c1" 'BEGIN{printf "steady cycles: %d, mean %.2f s\n", c1-c0, (c1>c0?(s1-s0)/(c1-c0):0)}'
echo "RSS after the steady cycles: $(rss)"
grep -E 'VmRSS|VmHWM|RssAnon|RssFile' "/proc/$PID/status" | tee "$OUT/status.txt"
curl -s "$URL/metrics" | grep -E '^go_memstats_(heap_(alloc|inuse|idle|released|sys|objects)|next_gc|sys)_bytes|^go_memstats_heap_objects|^go_gc_gogc|^go_gc_gomemlimit' | tee "$OUT/memstats.txt"
if [ -z "${NOPPROF:-}" ]; then
  curl -s "$URL/debug/pprof/heap" -o "$OUT/heap.pb.gz"
  go tool pprof -sample_index=inuse_space -top -nodecount=40 "$WORK/slobudget" "$OUT/heap.pb.gz" 2>/dev/null | tee "$OUT/top.txt"
  go tool pprof -top -nodecount=25 "$WORK/slobudget" "$OUT/cpu.pb.gz" 2>/dev/null >"$OUT/cpu-top.txt" || true
fi
cp "$WORK/slobudget" "$OUT/slobudget.bin"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
