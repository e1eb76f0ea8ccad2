#!/usr/bin/env bash
# Staleness through the binary: Hestia scrapes fake targets every second, then
#   1. a target stops exposing a series (changing_series{name="b"} leaves /changing),
#   2. a target goes down (its exporter process is killed: connection refused),
#   3. a target is removed by a reload (SIGHUP with a prometheus.yml without its job).
# While it runs, instant queries at "now" no longer return those series (they would for 5
# minutes without markers) and still return the others. After a stop, `hestia tsdb dump` holds
# exactly one staleness marker on each of those series, right after its change, and none
# elsewhere; Hestia restarted on the data answers each marked series 1 ms before its marker
# and not 1 ms after, while the continuing series are still answered (scrape_check.py).
source "$(dirname "$0")/scrape_lib.sh"

start_exporter exporter --changing a,b
EP=$LAST_PORT
start_exporter doomed
DOOMED_PORT=$LAST_PORT
DOOMED_PID=$LAST_PID

HP=$(free_port)
CFG=$WORK/prometheus.yml
write_config() {  # with_removed_job: 1 or 0
  {
    printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n'
    printf '  - job_name: changing\n    metrics_path: /changing\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$EP"
    printf '  - job_name: stay\n    metrics_path: /good\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$EP"
    printf '  - job_name: down\n    metrics_path: /good\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$DOOMED_PORT"
    [ "$1" = 1 ] && printf '  - job_name: removed\n    metrics_path: /good\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$EP"
    true
  } >"$CFG"
}
write_config 1
start hestia "$HESTIA" --config.file="$CFG" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$HP"
HESTIA_PID=$LAST_PID
wait_http "http://127.0.0.1:$HP/-/ready" 20
wait_scrapes "$HP" 'count_over_time(up[1m])' 3 20 4
instant_query "$HP" 'up == 1' | "${CHECK[@]}" min-value 1 --series 4 >/dev/null \
  || fail "not all four targets up: $(instant_query "$HP" up)"

# 1. changing_series{name="b"} disappears.
t_changing=$(now_ms)
curl -fsS "http://127.0.0.1:$EP/control?changing=a" >/dev/null
# 2. The target of job "down" goes away.
t_down=$(now_ms)
stop "$DOOMED_PID" KILL
# 3. Job "removed" leaves the configuration.
write_config 0
t_removed=$(now_ms)
kill -HUP "$HESTIA_PID"
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$HP/api/v1/scrape_pools" | grep -q removed || break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$HP/api/v1/scrape_pools" | grep -q removed && fail "SIGHUP did not remove job removed"
sleep 3

# Live: what an instant query at "now" returns.
expect_series() {  # QUERY N: the query returns N series
  local got
  got=$(instant_query "$HP" "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))')
  [ "$got" = "$2" ] || fail "$1 returned $got series, want $2: $(instant_query "$HP" "$1")"
}
expect_series 'changing_series{name="b"}' 0
expect_series 'changing_series{name="a"}' 1
expect_series '{job="down",__name__=~"good_.*"}' 0
expect_series 'up{job="down"} == 0' 1
expect_series '{job="removed"}' 0
expect_series '{job="stay"}' 8
stop "$HESTIA_PID"

"$HESTIA" tsdb dump "$WORK/data" >"$WORK/dump.txt" || fail "tsdb dump failed"
# Restarted without scrape jobs (so nothing new is written), to query around the markers.
HP=$(free_port)
start hestia2 "$HESTIA" --config.file="$NO_SCRAPES_CONFIG" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$HP"
wait_http "http://127.0.0.1:$HP/-/ready" 20
"${CHECK[@]}" staleness --dump "$WORK/dump.txt" --port "$HP" --t-changing "$t_changing" \
  --t-down "$t_down" --t-removed "$t_removed" || fail "staleness (dump in $WORK/dump.txt; KEEP_WORK=1 keeps it)"
echo "1 passed, 0 failed"
