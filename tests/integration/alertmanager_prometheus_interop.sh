#!/usr/bin/env bash
# Prometheus -> `hestia alertmanager` -> webhook (issue 6 acceptance): the Debian prometheus 2.42
# evaluates an alert rule that fires at once (vector(1) > 0, for: 0s, every second) and sends to a
# standalone `hestia alertmanager` (alerting.alertmanagers static_configs, API v2); the webhook
# sink (alerting_webhook.py) must receive the alert with Prometheus's labels (rule labels and
# external labels), its annotation and generatorURL, and API v2 must list it. A second rule fires
# for about 12 s, then Prometheus sends it resolved: a firing then a resolved notification, and
# Prometheus's re-sends (every second, --rules.alert.resend-delay=1s) add nothing.
# AM_TARGET=real runs the Debian prometheus-alertmanager 0.25 in Hestia's place (to check this
# test). Exits 77 (skipped) when prometheus is not installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v prometheus >/dev/null || { echo "SKIP: no prometheus binary (Debian package prometheus 2.42)"; exit 77; }

AM_PORT=$(free_port) HOOK_PORT=$(free_port) PROM_PORT=$(free_port)
start webhook python3 "$HERE/alerting_webhook.py" "$HOOK_PORT" "$WORK/webhook.jsonl"
cat >"$WORK/alertmanager.yml" <<YML
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$HOOK_PORT/hook
YML
AM_FLAGS=(--config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am-data"
          --web.listen-address="127.0.0.1:$AM_PORT" --web.external-url="http://127.0.0.1:$AM_PORT"
          --cluster.listen-address=)
if [ "${AM_TARGET:-hestia}" = real ]; then
  start alertmanager prometheus-alertmanager "${AM_FLAGS[@]}"
else
  start alertmanager "$HESTIA" alertmanager "${AM_FLAGS[@]}"
fi
AM_PID=$LAST_PID
# AlwaysFiring fires at once and stays; Ends fires until T_END, then Prometheus sends it resolved.
T_END=$(($(date +%s) + 12))
cat >"$WORK/rules.yml" <<'YML'
groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        for: 0s
        labels:
          severity: page
        annotations:
          summary: 'value is {{ $value }}'
      - alert: Ends
        expr: vector(time()) < T_END
        labels:
          severity: ticket
YML
sed -i "s/T_END/$T_END/" "$WORK/rules.yml"
cat >"$WORK/prometheus.yml" <<YML
global:
  evaluation_interval: 1s
  external_labels: {cluster: e2e}
rule_files: ['$WORK/rules.yml']
scrape_configs: []
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]
YML
wait_http "http://127.0.0.1:$HOOK_PORT/" 20
wait_http "http://127.0.0.1:$AM_PORT/-/ready" 30 || { cat "$WORK/alertmanager.log"; fail "alertmanager not ready"; }
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --rules.alert.resend-delay=1s \
  --web.external-url="http://127.0.0.1:$PROM_PORT"
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30

deadline=$((SECONDS + 45))
until [ "$(grep -c '"status": "resolved"' "$WORK/webhook.jsonl")" -ge 1 ]; do
  [ $SECONDS -lt $deadline ] || { tail -20 "$WORK/alertmanager.log"; cat "$WORK/webhook.jsonl"; fail "no resolved notification within 45 s"; }
  kill -0 "$AM_PID" 2>/dev/null || { tail -20 "$WORK/alertmanager.log"; fail "alertmanager exited"; }
  sleep 0.2
done
sleep 3  # Prometheus re-sends every second (also the resolved alert): nothing more may come
curl -fsS "http://127.0.0.1:$AM_PORT/api/v2/alerts" >"$WORK/api-alerts.json" || fail "GET /api/v2/alerts"
python3 - "$WORK/webhook.jsonl" "$WORK/api-alerts.json" "$PROM_PORT" "$T_END" <<'PY' || { cat "$WORK/webhook.jsonl"; fail "notifications from Prometheus"; }
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
api = json.load(open(sys.argv[2]))
prom = "http://127.0.0.1:%s/graph?g0.expr=" % sys.argv[3]
gen = prom + "vector%281%29+%3E+0&g0.tab=1"
errors = []
always = {"alertname": "AlwaysFiring", "severity": "page", "cluster": "e2e"}
ends = {"alertname": "Ends", "severity": "ticket", "cluster": "e2e"}
by_group = {}
for m in msgs:
    by_group.setdefault(m.get("groupKey"), []).append(m)
if sorted(by_group) != ['{}:{alertname="AlwaysFiring"}', '{}:{alertname="Ends"}']:
    errors.append("group keys %s" % sorted(by_group))
common = {"receiver": "hook", "version": "4", "truncatedAlerts": 0}


def check(m, status, labels, annotations, what):
    want = dict(common, status=status, groupLabels={"alertname": labels["alertname"]},
                commonLabels=labels, commonAnnotations=annotations)
    for k, v in want.items():
        if m.get(k) != v:
            errors.append("%s: %s %r, want %r" % (what, k, m.get(k), v))
    alerts = m.get("alerts", [])
    if len(alerts) != 1:
        errors.append("%s: alerts %r" % (what, alerts))
        return None
    a = alerts[0]
    if a.get("labels") != labels or a.get("status") != status or a.get("annotations") != annotations or \
            not a.get("generatorURL", "").startswith(prom):
        errors.append("%s: alert %r" % (what, a))
    return a


got = by_group.get('{}:{alertname="AlwaysFiring"}', [])
if len(got) != 1:
    errors.append("AlwaysFiring: %d notifications, want 1 (firing)" % len(got))
else:
    a = check(got[0], "firing", always, {"summary": "value is 1"}, "AlwaysFiring")
    if a and (a.get("endsAt") != "0001-01-01T00:00:00Z" or a.get("generatorURL") != gen):
        errors.append("AlwaysFiring endsAt/generatorURL: %r" % a)
got = by_group.get('{}:{alertname="Ends"}', [])
if [m.get("status") for m in got] != ["firing", "resolved"]:
    errors.append("Ends: notifications %s, want firing then resolved" % [m.get("status") for m in got])
else:
    check(got[0], "firing", ends, {}, "Ends firing")
    a = check(got[1], "resolved", ends, {}, "Ends resolved")
    if a and a.get("startsAt") != got[0]["alerts"][0].get("startsAt"):
        errors.append("Ends resolved startsAt %r, firing had %r" % (a.get("startsAt"), got[0]["alerts"][0].get("startsAt")))
    if a and a.get("endsAt", "0001")[:4] == "0001":
        errors.append("Ends resolved endsAt %r" % a.get("endsAt"))
mine = [x for x in api if x.get("labels") == always]
if len(mine) != 1 or mine[0].get("status", {}).get("state") != "active" or \
        mine[0].get("receivers") != [{"name": "hook"}] or mine[0].get("generatorURL") != gen:
    errors.append("GET /api/v2/alerts: %r" % api)
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
echo "PASS prometheus -> alertmanager -> webhook"
