#!/usr/bin/env bash
# Bad targets: Hestia and the Debian prometheus 2.42 scrape, with one prometheus.yml, a good
# target and targets that fail in every way a scrape can: malformed exposition (five kinds of
# line), a body over body_size_limit, a target that never answers within scrape_timeout, one
# that trickles its body for longer than scrape_timeout, HTTP 500, and a closed port. On Hestia
# each bad target is down with up == 0 and a lastError equal to what Prometheus 2.42 shows for
# it (parse errors compared after mapping Hestia's Prometheus-3 wording back to 2.42's, see
# scrape_check.py), a timed-out scrape took no longer than its timeout, and the good target
# keeps being scraped.
source "$(dirname "$0")/scrape_lib.sh"
require_prometheus

start_exporter exporter --hang-ms 5000 --huge-bytes 1048576
EP=$LAST_PORT
CLOSED_PORT=$(free_port)  # nothing listens there
HP=$(free_port); PP=$(free_port)

job() {  # NAME PATH [EXTRA YAML LINE]
  printf '  - job_name: %s\n    metrics_path: %s\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$1" "$2" "$EP"
  [ $# -ge 3 ] && printf '    %s\n' "$3"
  true
}
{
  printf 'global:\n  scrape_interval: 2s\n  scrape_timeout: 1s\nscrape_configs:\n'
  job good /good
  for v in missing-value bad-value bad-label-name bad-type unquoted-value; do
    job "malformed_${v//-/_}" "/malformed/$v"
  done
  job huge /huge 'body_size_limit: 100KB'
  job hang /hang
  job trickle /trickle
  job http500 /500
  printf '  - job_name: refused\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$CLOSED_PORT"
} >"$WORK/prometheus.yml"

start hestia "$HESTIA" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/hestia" \
  --web.listen-address="127.0.0.1:$HP"
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PP"
wait_http "http://127.0.0.1:$HP/-/ready" 20
wait_http "http://127.0.0.1:$PP/-/ready" 30
# Three scrapes of every target by both (11 targets).
wait_scrapes "$HP" 'count_over_time(up[1m])' 3 30 11
wait_scrapes "$PP" 'count_over_time(up[1m])' 3 30 11
good_before=$(query_value "$HP" 'good_scrapes_total{job="good"}')

# The good target is still being scraped: two more scrapes, and its counter moved.
sleep 4.5
good_after=$(query_value "$HP" 'good_scrapes_total{job="good"}')
[ "$good_before" != none ] && [ "$good_after" != none ] && [ "$good_before" != "$good_after" ] \
  || fail "good target not scraped any more: good_scrapes_total $good_before, then $good_after"
wait_scrapes "$HP" 'count_over_time(up{job="good"}[1m])' 5 5 1
# Nothing of a failed scrape is stored: the valid first line of a malformed body is absent.
[ "$(query_value "$HP" 'count(good_before)')" = none ] \
  || fail "samples of malformed bodies were stored: $(instant_query "$HP" good_before)"

bad=()
for j in malformed_missing_value malformed_bad_value malformed_bad_label_name malformed_bad_type \
         malformed_unquoted_value huge hang trickle http500 refused; do
  bad+=(--bad "$j")
done
"${CHECK[@]}" targets --hestia "$HP" --prometheus "$PP" --good good "${bad[@]}" \
  --timeout hang=1 --timeout trickle=1 || fail "bad targets (logs in $WORK; KEEP_WORK=1 keeps them)"
echo "1 passed, 0 failed"
