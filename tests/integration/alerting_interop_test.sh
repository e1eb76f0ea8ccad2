#!/usr/bin/env bash
# Interop of the alerting path (issue 5 acceptance): Hestia evaluates the seed alert rules over
# remote-written data and sends to the Debian prometheus-alertmanager 0.25, whose webhook receiver
# (alerting_webhook.py) must get the expected alerts with templated annotations; the Debian
# prometheus 2.42 evaluates the same rule files over the same data, and both must produce the
# same ALERTS and ALERTS_FOR_STATE samples. The checks are in alerting_interop.py (its comment
# says how evaluation times line up).
#
# Rule files: the seed files `hestia check rules` accepts, plus the rejected one repaired (its
# undefined template function replaced by the query it meant), each with `for` shortened from
# N minutes to 2N seconds so that alerts fire within the test.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SEED=${SEED_CONFIGS_DIR:-$HERE/../../../shared/examples/seed-configs}
PY=$HERE/alerting_interop.py
command -v prometheus >/dev/null || fail "no prometheus binary"
command -v prometheus-alertmanager >/dev/null || fail "no prometheus-alertmanager binary"

# 1. Which seed rule files are valid.
valid=() invalid=()
for f in "$SEED"/*.yml; do
  grep -q '^groups:' "$f" || continue
  if "$HESTIA" check rules "$f" >"$WORK/check.out" 2>&1; then valid+=("$f"); else invalid+=("$f"); fi
done
echo "valid rule files: ${valid[*]##*/}; invalid: ${invalid[*]##*/}"
[ ${#valid[@]} -ge 2 ] && [ ${#invalid[@]} -eq 1 ] || fail "expected one invalid seed rule file"
python3 "$PY" rules "$WORK/rules" "${valid[@]}" "${invalid[@]}" >"$WORK/rule-files"
mapfile -t RULE_FILES <"$WORK/rule-files"
"$HESTIA" check rules "${RULE_FILES[@]}" >"$WORK/check.out" 2>&1 || { cat "$WORK/check.out"; fail "prepared rule files do not load"; }
if command -v promtool >/dev/null; then
  promtool check rules "${RULE_FILES[@]}" >"$WORK/promtool.out" 2>&1 || { cat "$WORK/promtool.out"; fail "promtool rejects the prepared rule files"; }
fi

# 2. Alertmanager with a webhook receiver, Prometheus, Hestia.
AM_PORT=$(free_port) HOOK_PORT=$(free_port) PROM_PORT=$(free_port) H_PORT=$(free_port)
start webhook python3 "$HERE/alerting_webhook.py" "$HOOK_PORT" "$WORK/webhook.jsonl"
cat >"$WORK/alertmanager.yml" <<EOF
route:
  receiver: webhook
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: webhook
    webhook_configs:
      - url: http://127.0.0.1:$HOOK_PORT/hook
        send_resolved: true
EOF
start alertmanager prometheus-alertmanager --config.file="$WORK/alertmanager.yml" \
  --storage.path="$WORK/am-data" --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=""
rules_yaml=$(printf '  - %s\n' "${RULE_FILES[@]}")
cat >"$WORK/prometheus.yml" <<EOF
global:
  evaluation_interval: 1s
rule_files:
$rules_yaml
scrape_configs: []
EOF
cat >"$WORK/hestia.yml" <<EOF
global:
  evaluation_interval: 1s
  external_labels: {cluster: interop}
rule_files:
$rules_yaml
scrape_configs: []
alerting:
  alert_relabel_configs:
    - {source_labels: [alertname], regex: SearchIndexingLag, action: drop}
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]
EOF
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver
EXTERNAL_URL=http://127.0.0.1:$H_PORT
start hestia "$HESTIA" --config.file="$WORK/hestia.yml" --storage.tsdb.path="$WORK/hestia-data" \
  --web.listen-address="127.0.0.1:$H_PORT" --web.external-url="$EXTERNAL_URL"
wait_http "http://127.0.0.1:$HOOK_PORT/" 20
wait_http "http://127.0.0.1:$AM_PORT/-/ready" 30
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30
wait_http "http://127.0.0.1:$H_PORT/-/ready" 30

# 3. Data: 10 minutes of history, conditions turning bad at T0 (both servers evaluating by
# then), written ahead up to END + 30 s.
NOW=$(date +%s)
T0=$((NOW + 8))
END=$((T0 + 36))
python3 "$PY" data --start $((NOW - 600)) --t0 $T0 --end $((END + 30)) \
  "http://127.0.0.1:$PROM_PORT/api/v1/write" "http://127.0.0.1:$H_PORT/api/v1/write" ||
  fail "remote write failed"
while [ "$(date +%s)" -le $((END + 1)) ]; do sleep 0.5; done

# 4. Compare.
python3 "$PY" check --webhook "$WORK/webhook.jsonl" --prometheus "http://127.0.0.1:$PROM_PORT" \
  --hestia "http://127.0.0.1:$H_PORT" --t0 $T0 --end $END --external-url "$EXTERNAL_URL" ||
  { KEEP_WORK=${KEEP_WORK:-0}; tail -5 "$WORK/hestia.log"; fail "alerting interop"; }
metrics=$(curl -fsS "http://127.0.0.1:$H_PORT/metrics")
grep -q "^prometheus_notifications_sent_total{alertmanager=\"http://127.0.0.1:$AM_PORT/api/v2/alerts\"} [1-9]" <<<"$metrics" ||
  fail "prometheus_notifications_sent_total not counted: $(grep notifications <<<"$metrics")"
grep -q "^prometheus_notifications_errors_total{alertmanager=\"http://127.0.0.1:$AM_PORT/api/v2/alerts\"} 0" <<<"$metrics" ||
  fail "notification errors: $(grep notifications_errors <<<"$metrics")"
ams=$(curl -fsS "http://127.0.0.1:$H_PORT/api/v1/alertmanagers")
[ "$ams" = "{\"status\":\"success\",\"data\":{\"activeAlertmanagers\":[{\"url\":\"http://127.0.0.1:$AM_PORT/api/v2/alerts\"}],\"droppedAlertmanagers\":[]}}" ] ||
  fail "/api/v1/alertmanagers: $ams"
echo "PASS alerting interop"
