#!/usr/bin/env bash
# 10,000 SLOs (issue 10.8) against a real Prometheus: DAYS days of 1-minute
# blocks (default 7: 31 days for 20,000 series takes longer to write than the
# rest of the run; the SLOs keep 30-day windows, so coverage is DAYS/30 and
# the hourly history read at start-up is DAYS long), a live target scraped
# every 15 s, then `slobudget serve` with a state file:
#   cold start (no state file) until /-/ready, steady cycle times, RSS,
#   /metrics latency and size, a warm restart from the state file until
#   /-/ready, `check` and `rules` time and peak RSS, and, when SHARDS is set
#   (needs --shard.total), shard 0 of SHARDS on its own.
# Usage: DAYS=7 SHARDS=2 scripts/bench-10k.sh [SLOS]    (results on stdout)
# PROFILE=file.pprof: the warm restart runs with --web.enable-pprof and a CPU
# profile of its first PROFILE_S seconds (default 30) from the moment its
# port answers is saved there (with the binary next to it, file.bin), and the
# script prints when the port answered (the state file is read before).
# WARM_AGAIN="--memory.limit=0;": after the warm restart, one more warm restart
# for each ';'-separated set of extra serve flags (an empty set: as the first),
# each printing its time until /-/ready.
set -euo pipefail
cd "$(dirname "$0")/.."
SLOS=${1:-10000}
DAYS=${DAYS:-7}
SHARDS=${SHARDS:-}
PROFILE=${PROFILE:-}
PROFILE_S=${PROFILE_S:-30}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=scripts/lib/scale-prometheus.sh
. scripts/lib/scale-prometheus.sh # after the cd to the repository root
log() { echo "# $*" >&2; }

go build -o "$WORK/slobench" ./internal/bench/cmd/slobench
go build -o "$WORK/slobudget" ./cmd/slobudget
"$WORK/slobench" blocks -dir "$WORK/tsdb" -slos "$SLOS" -days "$DAYS" >&2
CFG="$WORK/slobudget.yml"

start_scale_prometheus "$SLOS"
sleep 20 # a scrape of live data
PROM="http://127.0.0.1:$PROM_PORT"
PROM_PID=$(pgrep -f -- "--web.listen-address=127.0.0.1:$PROM_PORT" | head -1)

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg), $(prometheus --version 2>&1 | head -1)"
echo "SLOs: $SLOS with 30-day windows, $DAYS days of 1-minute samples (2 series per SLO), evaluation interval 30s"

SB_PID=""
SB_URL=""
READY_S=""
# serve_until_ready NAME ARGS...: starts the daemon and sets READY_S to the
# seconds until /-/ready (not printed: a $(...) subshell would lose SB_PID
# and SB_URL, which the measurements after it need).
serve_until_ready() {
  local name=$1
  shift
  local port
  port=${PORT:-$(free_port)}
  SB_URL="http://127.0.0.1:$port"
  local t0
  t0=$(date +%s.%N)
  "$WORK/slobudget" serve --config.file="$CFG" --prometheus.url="$PROM" --web.listen-address="127.0.0.1:$port" \
    --log.level=warn "$@" >"$WORK/$name.log" 2>&1 &
  SB_PID=$!
  until curl -sf "$SB_URL/-/ready" >/dev/null; do
    kill -0 "$SB_PID" || { cat "$WORK/$name.log" >&2; exit 1; }
    sleep 0.2
  done
  READY_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
}
# cpu_s PID: the process's user+system CPU seconds so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14+$15)/hz}' "/proc/$1/stat"; }
# cpu_split NAME: the daemon's and Prometheus's CPU since PROM_CPU0 was taken.
cpu_split() { echo "$1: CPU until ready: daemon $(cpu_s "$SB_PID") s, Prometheus $(awk -v a="$PROM_CPU0" -v b="$(cpu_s "$PROM_PID")" 'BEGIN{printf "%.1f", b-a}') s"; }
rss() { awk '/VmRSS/{printf "%.0f MiB", $2/1024}' "/proc/$SB_PID/status"; }
eval_stats() { curl -s "$SB_URL/metrics" | awk '/^slobudget_evaluation_duration_seconds_(sum|count)/{print $2}' | paste -sd' '; }
stop_daemon() { kill -TERM "$SB_PID"; wait "$SB_PID" 2>/dev/null || true; }
# prom_queries: Prometheus's own count of answered query API requests, by
# handler (instant queries carry the raw reads, range queries the hourly
# increases and spot checks), so each phase's queries are the difference.
prom_queries() { curl -s "$PROM/metrics" | awk -F'[ "]' '/^prometheus_http_requests_total\{.*handler="\/api\/v1\/query(_range)?"/{for(i=1;i<=NF;i++) if($i ~ /handler=/) h=$(i+1); n[h]+=$NF} END{printf "query %d query_range %d", n["/api/v1/query"], n["/api/v1/query_range"]}'; }

q0=$(prom_queries)
serve_until_ready cold --storage.path="$WORK/state"
cold=$READY_S
echo "cold start (no state file) ready after: ${cold} s; RSS $(rss); Prometheus queries before: $q0, at ready: $(prom_queries)"
read -r s0 c0 <<<"$(eval_stats)"
qs0=$(prom_queries)
sleep 125 # about four steady cycles
read -r s1 c1 <<<"$(eval_stats)"
awk -v s0="$s0" -v c0="$c0" -v s1="$s1" -v c1="$c1" 'BEGIN{printf "steady cycles: %d, mean %.2f s\n", c1-c0, (c1>c0?(s1-s0)/(c1-c0):0)}'
echo "daemon RSS after the steady cycles: $(rss); Prometheus queries over the steady cycles: from $qs0 to $(prom_queries)"
for i in 1 2 3 4 5; do
  curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$SB_URL/metrics"
done | sort -n | awk '{t[NR]=$1; s=$2} END{printf "/metrics (no gzip): median %.0f ms, max %.0f ms over 5 requests, %.1f MB\n", t[3]*1000, t[5]*1000, s/1e6}'
curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '/metrics (gzip): %{time_total} s, %{size_download} bytes\n' "$SB_URL/metrics"
stop_daemon

qw0=$(prom_queries)
PROM_CPU0=$(cpu_s "$PROM_PID")
if [ -n "$PROFILE" ]; then
  cp "$WORK/slobudget" "$PROFILE.bin"
  PORT=$(free_port)
  (
    t0=$(date +%s.%N)
    url=127.0.0.1:$PORT
    until curl -s -o /dev/null "http://$url/-/healthy"; do sleep 0.05; done
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "# warm restart: port answered after %.1f s (state file read before it)\n", b-a}' >&2
    curl -s -o "$PROFILE" "http://$url/debug/pprof/profile?seconds=$PROFILE_S"
  ) &
  PROF_PID=$!
  serve_until_ready warm --storage.path="$WORK/state" --web.enable-pprof
  PORT=""
else
  serve_until_ready warm --storage.path="$WORK/state"
fi
warm=$READY_S
echo "warm restart (state file) ready after: ${warm} s; RSS $(rss); Prometheus queries from $qw0 to $(prom_queries)"
cpu_split "warm restart"
if [ -n "$PROFILE" ]; then wait "$PROF_PID" 2>/dev/null || true; fi
curl -s "$SB_URL/metrics" | grep '^slobudget_state_file' || true
stop_daemon
if [ -n "${WARM_AGAIN:-}" ]; then
  IFS=';' read -r -a again <<<"$WARM_AGAIN"
  for flags in "${again[@]}"; do
    PROM_CPU0=$(cpu_s "$PROM_PID")
    # shellcheck disable=SC2086 # a flag set is split into its flags
    serve_until_ready warm-again --storage.path="$WORK/state" $flags
    echo "warm restart again [${flags:-as above}] ready after: ${READY_S} s; RSS $(rss)"
    cpu_split "  again"
    stop_daemon
  done
fi

if [ -n "$SHARDS" ]; then
  serve_until_ready shard --shard.total="$SHARDS" --shard.index=0
  shard=$READY_S
  read -r s0 c0 <<<"$(eval_stats)"
  sleep 65
  read -r s1 c1 <<<"$(eval_stats)"
  echo "shard 0 of $SHARDS: cold ready after ${shard} s, RSS $(rss), $(awk -v s0="$s0" -v c0="$c0" -v s1="$s1" -v c1="$c1" 'BEGIN{printf "steady cycle mean %.2f s", (c1>c0?(s1-s0)/(c1-c0):0)}')"
  stop_daemon
fi

/usr/bin/time -f 'check: %e s, peak RSS %M KiB' "$WORK/slobudget" check --config.file="$CFG" >/dev/null
/usr/bin/time -f 'rules: %e s, peak RSS %M KiB' "$WORK/slobudget" rules --config.file="$CFG" --output="$WORK/rules.yml" >/dev/null
echo "rules file: $(du -m "$WORK/rules.yml" | cut -f1) MB, $(( $(stat -c %s "$WORK/rules.yml") / SLOS )) bytes per SLO"
