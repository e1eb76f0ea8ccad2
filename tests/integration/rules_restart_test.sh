#!/usr/bin/env bash
# Restart (issue 5 acceptance): an alert that fires (for: 4s) is still firing after Hestia is
# stopped with SIGTERM and restarted on the same data directory, with no new pending phase and
# the same activeAt, as Prometheus restores it from ALERTS_FOR_STATE
# (--rules.alert.for-grace-period 2s, shorter than the `for`, so that the restore applies).
# Control: restarted after an outage longer than --rules.alert.for-outage-tolerance, the alert
# starts over with a pending phase, as Prometheus's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=$HERE/alerting_interop.py
PORT=$(free_port)
URL=http://127.0.0.1:$PORT

cat >"$WORK/rules.yml" <<'EOF'
groups:
  - name: restart
    interval: 1s
    rules:
      - alert: RestartTest
        expr: restart_test_metric > 0
        for: 4s
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} is up"}
EOF
cat >"$WORK/hestia.yml" <<EOF
global:
  evaluation_interval: 1s
rule_files: ['$WORK/rules.yml']
scrape_configs: []
EOF

run_hestia() {  # run_hestia NAME [FLAGS...]
  local name=$1; shift
  start "$name" "$HESTIA" --config.file="$WORK/hestia.yml" --storage.tsdb.path="$WORK/data" \
    --web.listen-address="127.0.0.1:$PORT" --rules.alert.for-grace-period=2s "$@"
  HPID=$LAST_PID
  wait_http "$URL/-/ready" 30
}
# alert_state: the state of RestartTest in /api/v1/alerts, or "none".
alert_state() {
  curl -fsS "$URL/api/v1/alerts" | python3 -c '
import json, sys
alerts = [a for a in json.load(sys.stdin)["data"]["alerts"] if a["labels"]["alertname"] == "RestartTest"]
print(alerts[0]["state"] if alerts else "none")'
}

run_hestia first
NOW=$(date +%s)
python3 "$PY" restart-data --start $((NOW - 30)) --end $((NOW + 120)) "$URL/api/v1/write" ||
  fail "remote write failed"
deadline=$((SECONDS + 20))
until [ "$(alert_state)" = firing ]; do
  [ $SECONDS -lt $deadline ] || fail "RestartTest never fired: $(alert_state)"
  sleep 0.5
done
sleep 2
stop "$HPID" TERM
grep -q "See you next time" "$WORK/first.log" || fail "no clean shutdown: $(tail -3 "$WORK/first.log")"
sleep 2

# Restarted within the outage tolerance (1h by default): restored, still firing.
SINCE=$(date +%s.%N)
run_hestia second
sleep 6
[ "$(alert_state)" = firing ] || fail "RestartTest is $(alert_state) after the restart"
python3 "$PY" restart-check --hestia "$URL" --since "$SINCE" --expect-restored || fail "alert state not restored"
stop "$HPID" TERM

# Control: an outage longer than the tolerance is not restored: a new pending phase.
sleep 3
SINCE=$(date +%s.%N)
run_hestia third --rules.alert.for-outage-tolerance=1s
sleep 3
python3 "$PY" restart-check --hestia "$URL" --since "$SINCE" --expect-pending || fail "control: alert restored beyond the outage tolerance"
stop "$HPID" TERM
echo "PASS rules restart"
