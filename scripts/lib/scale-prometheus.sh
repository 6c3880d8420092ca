# Shared by the scale scripts (bench.sh, bench-10k.sh, load.sh); source it.
# Needs WORK (a scratch directory holding the blocks in $WORK/tsdb) and
# $WORK/slobench.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_scale_prometheus SLOS: the live target of the SLOS scale SLOs and a
# real Prometheus on $WORK/tsdb scraping it every 15 s, both as jobs of the
# calling shell (its EXIT trap stops them); sets PROM_PORT and returns once
# Prometheus is ready.
start_scale_prometheus() {
  local slos=$1 target_port
  target_port=$(free_port)
  "$WORK/slobench" target -listen "127.0.0.1:$target_port" -slos "$slos" &
  PROM_PORT=$(free_port)
  cat > "$WORK/prometheus.yml" <<YML
global: {scrape_interval: 15s}
scrape_configs:
  - job_name: live
    static_configs: [{targets: ['127.0.0.1:$target_port']}]
YML
  prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --storage.tsdb.retention.time=400d --web.listen-address="127.0.0.1:$PROM_PORT" \
    --query.max-samples=200000000 >"$WORK/prometheus.log" 2>&1 &
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && return 0; sleep 0.5; done
  echo "Prometheus did not become ready; its log: $WORK/prometheus.log" >&2
  return 1
}
