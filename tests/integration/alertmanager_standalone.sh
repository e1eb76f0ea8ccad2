#!/usr/bin/env bash
# `hestia alertmanager` as a standalone Alertmanager through its real interface: API v2 with curl
# (alerts in and out, a silence created, seen on the alert, expired), /-/reload and SIGHUP with a
# bad configuration (the old one stays) and a good one, SIGTERM, and a restart on the same
# storage path that still has the silences. Then the same Alertmanager inside the server
# (--alertmanager.config.file): an alerting rule's alert reaches /api/v2/alerts in-process.
# Last, when the Debian Alertmanager 0.25 (prometheus-alertmanager) is installed, the same API v2
# requests sent to both get the same status, Content-Type and bytes (times and ids masked).
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
STORAGE=$WORK/am-data
CONFIG=$WORK/alertmanager.yml
cat >"$CONFIG" <<'EOF'
route:
  receiver: default
  group_by: [alertname]
receivers:
  - name: default
EOF

# json_check PYTHON_EXPR < body: the expression over `d` (the decoded body) must hold.
json_check() {
  python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" ||
    fail "check failed: $1"
}

start_am() {
  start am "$HESTIA" alertmanager --config.file="$CONFIG" --storage.path="$STORAGE" \
    --web.listen-address="127.0.0.1:$PORT" --cluster.listen-address= --log.level=debug
  AM_PID=$LAST_PID
  wait_http "$URL/-/ready" 30
}

start_am
grep -q 'Clustering is not supported' "$WORK/am.log" || fail "no log line about --cluster.* flags"
[ "$(curl -fsS "$URL/-/healthy")" = OK ] || fail "/-/healthy"

# Alerts in and out.
curl -fsS -X POST -H 'Content-Type: application/json' \
  -d '[{"labels":{"alertname":"DiskFull","severity":"page"},"annotations":{"summary":"disk"}}]' \
  "$URL/api/v2/alerts" >/dev/null || fail "POST /api/v2/alerts"
curl -fsS "$URL/api/v2/alerts" | json_check \
  'len(d)==1 and d[0]["labels"]=={"alertname":"DiskFull","severity":"page"} and d[0]["receivers"]==[{"name":"default"}] and d[0]["annotations"]=={"summary":"disk"}'
code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '[{' "$URL/api/v2/alerts")
[ "$code" = 400 ] || fail "malformed alerts answered $code"
grep -q 'parsing alerts body' "$WORK/bad.json" || fail "malformed alerts: $(cat "$WORK/bad.json")"

# A silence for the alert, and one to expire.
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
END=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
silence() {
  curl -fsS -X POST -H 'Content-Type: application/json' "$URL/api/v2/silences" -d \
    "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"$1\",\"isRegex\":false}],\"startsAt\":\"$START\",\"endsAt\":\"$END\",\"createdBy\":\"it\",\"comment\":\"test\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["silenceID"])'
}
KEEP=$(silence DiskFull) || fail "creating a silence"
GONE=$(silence Other) || fail "creating a second silence"
curl -fsS "$URL/api/v2/alerts" | json_check \
  "d[0]['status']['state']=='suppressed' and d[0]['status']['silencedBy']==['$KEEP']"
curl -fsS -X DELETE "$URL/api/v2/silence/$GONE" >/dev/null || fail "DELETE silence"
curl -fsS "$URL/api/v2/silence/$GONE" | json_check "d['status']['state']=='expired'"
curl -fsS "$URL/api/v2/silences" | json_check \
  "[s['id'] for s in d]==['$KEEP','$GONE'] and d[0]['status']['state']=='active'"

# A bad configuration keeps the running one, through /-/reload (500) and SIGHUP.
cp "$CONFIG" "$WORK/good.yml"
printf 'route:\n  receiver: nowhere\nreceivers:\n  - name: default\n' >"$CONFIG"
code=$(curl -sS -o "$WORK/reload.txt" -w '%{http_code}' -X POST "$URL/-/reload")
[ "$code" = 500 ] || fail "reload with a bad config answered $code"
grep -q '^failed to reload config: undefined receiver "nowhere" used in route' "$WORK/reload.txt" ||
  fail "reload answer: $(cat "$WORK/reload.txt")"
kill -HUP "$AM_PID"
for _ in $(seq 1 50); do
  [ "$(grep -c 'Loading configuration file failed' "$WORK/am.log")" -ge 2 ] && break
  sleep 0.1
done
[ "$(grep -c 'Loading configuration file failed' "$WORK/am.log")" -ge 2 ] || fail "SIGHUP did not reload"
curl -fsS "$URL/api/v2/status" | json_check \
  "'nowhere' not in d['config']['original'] and d['cluster']['status']=='disabled'"
curl -fsS "$URL/api/v2/receivers" | json_check "d==[{'name':'default'}]"

# A good one is taken.
printf 'route:\n  receiver: team\nreceivers:\n  - name: default\n  - name: team\n' >"$CONFIG"
curl -fsS -X POST "$URL/-/reload" >/dev/null || fail "reload with a good config"
curl -fsS "$URL/api/v2/receivers" | json_check "d==[{'name':'default'},{'name':'team'}]"

# SIGTERM, then a restart on the same storage: the silences are still there.
stop "$AM_PID"
grep -q 'exiting gracefully' "$WORK/am.log" || fail "no clean shutdown: $(tail -5 "$WORK/am.log")"
kill -0 "$AM_PID" 2>/dev/null && fail "still running after SIGTERM"
mv "$WORK/am.log" "$WORK/am-first.log"
start_am
curl -fsS "$URL/api/v2/silence/$KEEP" | json_check "d['status']['state']=='active' and d['createdBy']=='it'"
curl -fsS "$URL/api/v2/silence/$GONE" | json_check "d['status']['state']=='expired'"
stop "$AM_PID"

# Inside the server: a rule that always fires reaches the in-process Alertmanager.
cp "$WORK/good.yml" "$CONFIG"
PPORT=$(free_port)
cat >"$WORK/rules.yml" <<'EOF'
groups:
  - name: g
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: page}
EOF
cat >"$WORK/prometheus.yml" <<EOF
global:
  evaluation_interval: 1s
  external_labels: {replica: r1}
rule_files: ['$WORK/rules.yml']
scrape_configs: []
EOF
start prom "$HESTIA" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PPORT" --alertmanager.config.file="$CONFIG"
PROM_PID=$LAST_PID
wait_http "http://127.0.0.1:$PPORT/-/ready" 30
found=0
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PPORT/api/v2/alerts" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if any(a["labels"]=={"alertname":"AlwaysFiring","severity":"page","replica":"r1"} for a in d) else 1)'; then
    found=1
    break
  fi
  sleep 0.2
done
[ "$found" = 1 ] || fail "the rule's alert did not reach the in-process Alertmanager: $(tail -5 "$WORK/prom.log")"
curl -fsS "http://127.0.0.1:$PPORT/api/v2/status" | json_check "d['cluster']['status']=='disabled'"
# SIGHUP reloads the Alertmanager configuration too; a bad one keeps the running one.
printf 'route:\n  receiver: nowhere\nreceivers:\n  - name: default\n' >"$CONFIG"
kill -HUP "$PROM_PID"
for _ in $(seq 1 50); do grep -q 'Error reloading config' "$WORK/prom.log" && break; sleep 0.1; done
grep -q 'Error reloading config' "$WORK/prom.log" || fail "SIGHUP with a bad Alertmanager config"
curl -fsS "http://127.0.0.1:$PPORT/api/v2/receivers" | json_check "d==[{'name':'default'}]"
printf 'route:\n  receiver: team\nreceivers:\n  - name: default\n  - name: team\n' >"$CONFIG"
kill -HUP "$PROM_PID"
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PPORT/api/v2/receivers" | grep -q team && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PPORT/api/v2/receivers" | json_check "d==[{'name':'default'},{'name':'team'}]"
stop "$PROM_PID"
[ -d "$WORK/tsdb/alertmanager" ] || fail "no <storage.tsdb.path>/alertmanager directory"

# Differential: Alertmanager 0.25 and `hestia alertmanager` side by side, same requests.
if ! command -v prometheus-alertmanager >/dev/null; then
  echo "PASS (prometheus-alertmanager not installed: differential part skipped)"
  exit 0
fi
cat >"$WORK/diff.yml" <<'YAML'
route:
  receiver: default
  group_by: [alertname, cluster]
  routes:
    - receiver: team-a
      matchers: [team="a"]
      continue: true
    - receiver: team-b
      group_by: ["..."]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
receivers:
  - name: default
  - name: team-a
  - name: team-b
YAML
REAL_PORT=$(free_port)
OURS_PORT=$(free_port)
start real prometheus-alertmanager --config.file="$WORK/diff.yml" --storage.path="$WORK/real" \
  --web.listen-address="127.0.0.1:$REAL_PORT" --cluster.listen-address= --web.external-url=http://x/am/
start ours "$HESTIA" alertmanager --config.file="$WORK/diff.yml" --storage.path="$WORK/ours" \
  --web.listen-address="127.0.0.1:$OURS_PORT" --web.external-url=http://x/am/
wait_http "http://127.0.0.1:$REAL_PORT/am/-/ready" 30
wait_http "http://127.0.0.1:$OURS_PORT/am/-/ready" 30
# One request a line: METHOD <tab> PATH [<tab> BODY [<tab> CONTENT-TYPE]]; in order (state
# carries over from line to line).
cat >"$WORK/requests.tsv" <<'TSV'
POST	/am/api/v2/alerts	[{"labels":{"alertname":"Down","severity":"critical","cluster":"c1","team":"a"},"annotations":{"s":"<b>&"},"generatorURL":"http://x/<y>"},{"labels":{"alertname":"Slow","severity":"warning","cluster":"c1","e":""}},{"labels":{"alertname":"Slow","severity":"warning","cluster":"c2","team":"a"}},{"labels":{"alertname":"Old"},"startsAt":"2020-01-01T00:00:00Z","endsAt":"2020-01-02T00:00:00Z"}]
GET	/am/api/v2/alerts
GET	/am/api/v2/alerts?inhibited=false&unprocessed=false
GET	/am/api/v2/alerts?active=no
GET	/am/api/v2/alerts?filter=cluster!%3D%22c1%22&filter=team%3D%22a%22
GET	/am/api/v2/alerts?receiver=team-b
GET	/am/api/v2/alerts?filter=%3Dbad
GET	/am/api/v2/alerts?receiver=(
GET	/am/api/v2/alerts/groups
GET	/am/api/v2/alerts/groups?receiver=team-.*&filter=cluster%3D~%22c.%22
GET	/am/api/v2/receivers
POST	/am/api/v2/alerts	[{]
POST	/am/api/v2/alerts	
POST	/am/api/v2/alerts	[{}]
POST	/am/api/v2/alerts	{"labels":{}}
POST	/am/api/v2/alerts	["x"]
POST	/am/api/v2/alerts	[{"labels":{"a":1}}]
POST	/am/api/v2/alerts	[{"labels":{"a":"b"},"annotations":{"x":1}}]
POST	/am/api/v2/alerts	[{"labels":{"a":"b"},"startsAt":"yesterday"}]
POST	/am/api/v2/alerts	[{"labels":{"a":"b"},"startsAt":5}]
POST	/am/api/v2/alerts	[{"labels":{"a":"b"},"generatorURL":5}]
POST	/am/api/v2/alerts	[{"labels":{"bad-name":"x"}},{"labels":{}}]
POST	/am/api/v2/alerts	[{"labels":{"a":"b"},"startsAt":"2026-01-02T00:00:00Z","endsAt":"2026-01-01T00:00:00Z"}]
POST	/am/api/v2/alerts	[]	text/plain
POST	/am/api/v2/alerts	null
GET	/am/api/v2/nothing
DELETE	/am/api/v2/alerts
POST	/am/api/v2/silence/00000000-0000-4000-8000-000000000000	{}
GET	/am/api/v2/silence/nope
GET	/am/api/v2/silence/00000000-0000-4000-8000-000000000000
DELETE	/am/api/v2/silence/00000000-0000-4000-8000-000000000000
POST	/am/api/v2/silences	{"id":"00000000-0000-4000-8000-000000000000","matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{"matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2025-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{"matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2021-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{"matchers":[],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{"matchers":[{"name":"a","value":"b"}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{}
POST	/am/api/v2/silences	[]
POST	/am/api/v2/silences	{"matchers":[{"name":1}]}
POST	/am/api/v2/silences	{"matchers":[{"name":"a","value":"","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{"matchers":[{"name":"a","value":"(","isRegex":true}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"c"}
POST	/am/api/v2/silences	{"matchers":[{"name":"alertname","value":"Slow","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"<c>"}
POST	/am/api/v2/silences	{"matchers":[{"name":"x","value":"y.*","isRegex":true,"isEqual":false}],"startsAt":"2098-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"p"}
GET	/am/api/v2/silences
GET	/am/api/v2/silences?filter=alertname%3DSlow
GET	/am/api/v2/silences?filter=%3D
GET	/am/api/v2/alerts
GET	/am/api/v2/alerts?silenced=false
GET	/am/api/v2/alerts/groups
GET	/am/-/healthy
GET	/am/-/ready
POST	/am/-/reload	
TSV
python3 - "$REAL_PORT" "$OURS_PORT" "$WORK/requests.tsv" <<'PY' || fail "API v2 answers differ from Alertmanager 0.25"
import re, sys, urllib.error, urllib.request

def ask(port, method, path, body, ctype):
    data = body.encode() if body is not None else None
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if data is not None and ctype:
        r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()

def mask(s):
    s = re.sub(r'"(updatedAt|startsAt|endsAt)":"[^"]*"', r'"\1":"T"', s)
    s = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", s)
    # go-openapi lists the allowed methods of a 405 in map order, which varies from run to run.
    return re.sub(r"but \[([A-Z,]+)\] are",
                  lambda m: "but [" + ",".join(sorted(m.group(1).split(","))) + "] are", s)

bad = 0
for line in open(sys.argv[3]):
    f = line.rstrip("\n").split("\t")
    method, path = f[0], f[1]
    body = f[2] if len(f) > 2 else None
    ctype = f[3] if len(f) > 3 else "application/json"
    real = ask(sys.argv[1], method, path, body, ctype)
    ours = ask(sys.argv[2], method, path, body, ctype)
    real, ours = (real[0], real[1], mask(real[2])), (ours[0], ours[1], mask(ours[2]))
    if real != ours:
        bad += 1
        print(f"DIFF {method} {path} {body or ''}\n  alertmanager: {real!r}\n  hestia:       {ours!r}")
sys.exit(1 if bad else 0)
PY
echo PASS
