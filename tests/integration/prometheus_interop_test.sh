#!/usr/bin/env bash
# Interop: the Debian prometheus binary scrapes node_exporter and itself and remote-writes into
# Hestia for 35 s; afterwards every sample Prometheus holds (up to a few seconds before it was
# stopped) is in Hestia, compared as `promtool tsdb dump` and `hestia tsdb dump` print them.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/install-deps.sh --with-peers)"
DURATION=${INTEROP_SECONDS:-35}

HP=$(free_port); PP=$(free_port); NP=$(free_port)
start hestia "$HESTIA" --config.file="$NO_SCRAPES_CONFIG" --storage.tsdb.path="$WORK/hestia" --web.listen-address="127.0.0.1:$HP"
HESTIA_PID=$LAST_PID
wait_http "http://127.0.0.1:$HP/-/ready" 20

start node_exporter prometheus-node-exporter --web.listen-address="127.0.0.1:$NP"
NODE_PID=$LAST_PID
wait_http "http://127.0.0.1:$NP/metrics" 20

cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$NP"]}]
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$PP"]}]
remote_write:
  - url: http://127.0.0.1:$HP/api/v1/write
    queue_config: {batch_send_deadline: 1s, max_samples_per_send: 2000}
YAML
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PP"
PROM_PID=$LAST_PID
wait_http "http://127.0.0.1:$PP/-/ready" 30

sleep "$DURATION"
cutoff_ms=$(( ($(date +%s) - 5) * 1000 ))
# Let the remote-write queue catch up before stopping Prometheus; it flushes on shutdown too.
sleep 3
stop "$PROM_PID"
stop "$NODE_PID"
stop "$HESTIA_PID"
grep -q "Remote storage stopped" "$WORK/prometheus.log" || echo "note: prometheus log has no remote storage stop line"

promtool tsdb dump --max-time="$cutoff_ms" "$WORK/prom" | sort >"$WORK/prom.dump"
"$HESTIA" tsdb dump --max-time="$cutoff_ms" "$WORK/hestia" | sort >"$WORK/hestia.dump"
prom_lines=$(wc -l <"$WORK/prom.dump")
hestia_lines=$(wc -l <"$WORK/hestia.dump")
prom_series=$(sed 's/} .*/}/' "$WORK/prom.dump" | sort -u | wc -l)
echo "prometheus: $prom_lines samples in $prom_series series; hestia: $hestia_lines samples"
[ "$prom_lines" -gt 1000 ] || fail "prometheus stored too little ($prom_lines samples); see $WORK/prometheus.log"
missing=$(comm -23 "$WORK/prom.dump" "$WORK/hestia.dump" | wc -l)
if [ "$missing" -ne 0 ]; then
  comm -23 "$WORK/prom.dump" "$WORK/hestia.dump" | head -20 >&2
  fail "$missing of $prom_lines samples Prometheus holds are missing in Hestia"
fi
extra=$(comm -13 "$WORK/prom.dump" "$WORK/hestia.dump" | wc -l)
[ "$extra" -eq 0 ] || { comm -13 "$WORK/prom.dump" "$WORK/hestia.dump" | head -5 >&2; fail "$extra samples in Hestia that Prometheus does not hold"; }
echo "1 passed, 0 failed"
