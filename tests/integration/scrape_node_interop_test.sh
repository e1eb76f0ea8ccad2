#!/usr/bin/env bash
# Interop (scrape): Hestia and the Debian prometheus 2.42 scrape the same real
# prometheus-node-exporter with the same prometheus.yml for SCRAPE_INTEROP_SECONDS (25) after
# both are ready; then the series sets of both (/api/v1/series, match[]={__name__=~".+"}) are
# the same: names and labels, the synthetic up and scrape_* series included. How series that
# the exporter exposes only in some scrapes are judged: scrape_check.py series-diff.
source "$(dirname "$0")/scrape_lib.sh"
require_prometheus
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
[ -x "$NODE_EXPORTER" ] || fail "no $NODE_EXPORTER (apt-get install prometheus-node-exporter)"
DURATION=${SCRAPE_INTEROP_SECONDS:-25}

HP=$(free_port); PP=$(free_port); NP=$(free_port)
# Collectors left out: those that read hardware that a container does not have or may half
# have (hwmon, thermal_zone, rapl, powersupplyclass: slow or failing reads that can flap), and
# textfile (its series depend on a directory other software may write to at any moment).
start node_exporter "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NP" \
  --no-collector.hwmon --no-collector.thermal_zone --no-collector.rapl \
  --no-collector.powersupplyclass --no-collector.textfile
wait_http "http://127.0.0.1:$NP/metrics" 20

cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:$NP"]
        labels: {env: interop}
YAML
start hestia "$HESTIA" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/hestia" \
  --web.listen-address="127.0.0.1:$HP"
HESTIA_PID=$LAST_PID
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PP"
PROM_PID=$LAST_PID
wait_http "http://127.0.0.1:$HP/-/ready" 20
wait_http "http://127.0.0.1:$PP/-/ready" 30

sleep "$DURATION"
# At least DURATION - 2 scrapes each: both really scraped over the whole window.
min_scrapes=$((DURATION - 2))
wait_scrapes "$HP" 'count_over_time(up{job="node"}[10m])' "$min_scrapes" 5
wait_scrapes "$PP" 'count_over_time(up{job="node"}[10m])' "$min_scrapes" 5
instant_query "$HP" 'up{job="node"}' | "${CHECK[@]}" min-value 1 --series 1 >/dev/null \
  || fail "hestia: node target not up: $(instant_query "$HP" 'up{job="node"}')"

"${CHECK[@]}" series-diff --hestia "$HP" --prometheus "$PP" --job node --window 600 --min-series 300 \
  || fail "series sets differ (logs in $WORK; KEEP_WORK=1 keeps them)"
stop "$PROM_PID"
stop "$HESTIA_PID"
echo "1 passed, 0 failed"
