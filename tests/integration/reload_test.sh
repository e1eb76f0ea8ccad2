#!/usr/bin/env bash
# Reload: POST /-/reload (with --web.enable-lifecycle) and SIGHUP apply a new prometheus.yml;
# a bad file keeps the running configuration and is reported; without the flag, 403.
source "$(dirname "$0")/lib.sh"
HP=$(free_port)
CFG=$WORK/prometheus.yml
write_config() {  # job name
  printf 'global:\n  scrape_interval: 1h\nscrape_configs:\n  - job_name: %s\n    static_configs: [{targets: ["127.0.0.1:1"]}]\n' "$1" >"$CFG"
}
pools() { curl -fsS "http://127.0.0.1:$HP/api/v1/scrape_pools"; }
reload_metric() { curl -fsS "http://127.0.0.1:$HP/metrics" | awk '$1 == "prometheus_config_last_reload_successful" {print $2}'; }

write_config alpha
start hestia "$HESTIA" --config.file="$CFG" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$HP" --web.enable-lifecycle
HESTIA_PID=$LAST_PID
wait_http "http://127.0.0.1:$HP/-/ready" 20
[ "$(pools)" = '{"status":"success","data":{"scrapePools":["alpha"]}}' ] || fail "initial pools: $(pools)"

write_config beta
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST "http://127.0.0.1:$HP/-/reload")
[ "$code" = 200 ] || fail "reload answered $code: $(cat "$WORK/out")"
[ "$(pools)" = '{"status":"success","data":{"scrapePools":["beta"]}}' ] || fail "after reload: $(pools)"
[ "$(reload_metric)" = 1 ] || fail "reload metric $(reload_metric)"

printf 'scrape_configs:\n  - job_name: x\n    scrape_intervall: 5s\n' >"$CFG"
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST "http://127.0.0.1:$HP/-/reload")
[ "$code" = 500 ] || fail "bad reload answered $code"
grep -q "failed to reload config: .*field scrape_intervall not found" "$WORK/out" || fail "bad reload said: $(cat "$WORK/out")"
[ "$(pools)" = '{"status":"success","data":{"scrapePools":["beta"]}}' ] || fail "bad reload changed pools: $(pools)"
[ "$(reload_metric)" = 0 ] || fail "reload metric after a bad file: $(reload_metric)"
grep -q 'msg="Error reloading config"' "$WORK/hestia.log" || fail "no log line for the bad reload"

write_config gamma
kill -HUP "$HESTIA_PID"
for _ in $(seq 1 50); do [ "$(pools)" = '{"status":"success","data":{"scrapePools":["gamma"]}}' ] && break; sleep 0.1; done
[ "$(pools)" = '{"status":"success","data":{"scrapePools":["gamma"]}}' ] || fail "SIGHUP did not reload: $(pools)"
[ "$(reload_metric)" = 1 ] || fail "reload metric after SIGHUP: $(reload_metric)"
stop "$HESTIA_PID"

HP=$(free_port)
start hestia2 "$HESTIA" --config.file="$CFG" --storage.tsdb.path="$WORK/data2" --web.listen-address="127.0.0.1:$HP"
wait_http "http://127.0.0.1:$HP/-/ready" 20
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST "http://127.0.0.1:$HP/-/reload")
[ "$code" = 403 ] || fail "reload without --web.enable-lifecycle answered $code"
echo "1 passed, 0 failed"
