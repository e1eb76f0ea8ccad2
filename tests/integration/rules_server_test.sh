#!/usr/bin/env bash
# Rules in the server: rule_files from prometheus.yml are evaluated over remote-written data;
# recording-rule output and ALERTS are queryable; /api/v1/rules and /api/v1/alerts answer with
# Prometheus's JSON (filters included); a reload with a broken rule file fails and keeps the
# running rules; a reload with a changed file replaces them.
source "$(dirname "$0")/lib.sh"
HP=$(free_port)
CFG=$WORK/prometheus.yml
RULES=$WORK/rules.yml
printf 'global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nscrape_configs: []\n' >"$CFG"
cat >"$RULES" <<'EOF'
groups:
  - name: demo
    interval: 1s
    rules:
      - record: job:demo_requests:sum
        expr: sum by (job) (demo_requests_total)
      - alert: DemoHigh
        expr: job:demo_requests:sum > 10
        labels: {severity: page}
        annotations:
          summary: 'Requests of {{ $labels.job }} at {{ $value | humanize }}'
EOF
api() { curl -gfsS "http://127.0.0.1:$HP$1"; }
# json EXPR: evaluates a Python expression over the JSON on stdin (bound to d).
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start hestia "$HESTIA" --config.file="$CFG" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$HP" --web.enable-lifecycle
wait_http "http://127.0.0.1:$HP/-/ready" 20

# Two series whose sum is 42, written as the rules start evaluating.
now_ms=$(( $(date +%s) * 1000 ))
printf 'demo_requests_total{job="api",instance="a"} 40 %s\ndemo_requests_total{job="api",instance="b"} 2 %s\n' \
  "$now_ms" "$now_ms" | "$BUILD_DIR/bench/rw_send" --url "http://127.0.0.1:$HP/api/v1/write" >/dev/null ||
  fail "remote write"

for _ in $(seq 1 100); do
  state=$(api /api/v1/alerts | json '",".join(a["state"] for a in d["data"]["alerts"])')
  [ "$state" = firing ] && break
  sleep 0.1
done
[ "$state" = firing ] || fail "alert not firing: $(api /api/v1/alerts)"
alert=$(api /api/v1/alerts | json 'd["data"]["alerts"][0]')
echo "$alert" | grep -q "'summary': 'Requests of api at 42'" || fail "annotation not templated: $alert"
echo "$alert" | grep -q "'severity': 'page'" || fail "labels: $alert"

recorded=$(api '/api/v1/query?query=job:demo_requests:sum' | json 'd["data"]["result"][0]["value"][1]')
[ "$recorded" = 42 ] || fail "recorded series: $recorded"
# The evaluation's ALERTS sample is committed just after the alert state changes.
for _ in $(seq 1 50); do
  alerts_series=$(api '/api/v1/query?query=ALERTS{alertstate="firing"}' | json 'd["data"]["result"]')
  [ "$alerts_series" != "[]" ] && break
  sleep 0.1
done
echo "$alerts_series" | grep -q "'alertname': 'DemoHigh'" || fail "ALERTS: $alerts_series"

rules=$(api /api/v1/rules)
[ "$(echo "$rules" | json 'd["data"]["groups"][0]["name"]')" = demo ] || fail "rules: $rules"
[ "$(echo "$rules" | json 'd["data"]["groups"][0]["rules"][0]["health"]')" = ok ] || fail "health: $rules"
[ "$(api '/api/v1/rules?type=record' | json 'len(d["data"]["groups"][0]["rules"])')" = 1 ] || fail "type=record"
[ "$(api '/api/v1/rules?type=alert' | json 'd["data"]["groups"][0]["rules"][0]["type"]')" = alerting ] || fail "type=alert"
code=$(curl -s -o "$WORK/out" -w '%{http_code}' "http://127.0.0.1:$HP/api/v1/rules?type=nope")
[ "$code" = 400 ] || fail "bad type answered $code: $(cat "$WORK/out")"

# A broken rule file: the reload fails, the rules keep running.
printf 'groups:\n  - name: demo\n    rules:\n      - record: bad\n        expr: sum(\n' >"$RULES"
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST "http://127.0.0.1:$HP/-/reload")
[ "$code" = 500 ] || fail "bad rule file reload answered $code"
grep -q "rules.yml" "$WORK/out" || fail "the reload error does not name the file: $(cat "$WORK/out")"
[ "$(api /api/v1/rules | json 'len(d["data"]["groups"][0]["rules"])')" = 2 ] || fail "old rules gone"

# A good new file replaces them.
printf 'groups:\n  - name: other\n    rules:\n      - record: one\n        expr: vector(1)\n' >"$RULES"
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST "http://127.0.0.1:$HP/-/reload")
[ "$code" = 200 ] || fail "reload answered $code: $(cat "$WORK/out")"
[ "$(api /api/v1/rules | json 'd["data"]["groups"][0]["name"]')" = other ] || fail "new rules: $(api /api/v1/rules)"
echo "1 passed, 0 failed"
