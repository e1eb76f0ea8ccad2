# shellcheck shell=bash
# Helpers of the scrape acceptance tests (scrape_*_test.sh), on top of lib.sh: the fake target
# (bench/scrape_exporter), the checker (scrape_check.py) and small API calls. Source it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EXPORTER=$BUILD_DIR/bench/scrape_exporter
[ -x "$EXPORTER" ] || fail "no scrape_exporter at $EXPORTER (build target scrape_exporter)"
CHECK=(python3 "$(dirname "${BASH_SOURCE[0]}")/scrape_check.py")

# start_exporter NAME [FLAGS...]: a scrape_exporter on a free port; sets LAST_PID and LAST_PORT.
start_exporter() {
  local name=$1; shift
  LAST_PORT=$(free_port)
  start "$name" "$EXPORTER" --port "$LAST_PORT" "$@"
  wait_http "http://127.0.0.1:$LAST_PORT/-/ready" 10
}

# require_prometheus: fails (with the way to install it) when the peer is missing.
require_prometheus() {
  command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/install-deps.sh --with-peers)"
}

# now_ms: wall-clock milliseconds.
now_ms() { date +%s%3N; }

# instant_query PORT QUERY [TIME]: the JSON answer of /api/v1/query.
instant_query() {
  local args=(--data-urlencode "query=$2")
  [ $# -ge 3 ] && args+=(--data-urlencode "time=$3")
  curl -fsS -G "http://127.0.0.1:$1/api/v1/query" "${args[@]}"
}

# query_value PORT QUERY: the value of a one-series answer, "none" for an empty one.
query_value() {
  instant_query "$1" "$2" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
if len(r) > 1: sys.exit("%d series" % len(r))
print(r[0]["value"][1] if r else "none")'
}

# wait_scrapes PORT QUERY N SECONDS [SERIES]: until every series of QUERY (e.g.
# count_over_time(up[1m])) has a value of at least N (and there are SERIES of them).
wait_scrapes() {
  local port=$1 q=$2 n=$3 deadline=$((SECONDS + $4)) count=()
  [ $# -ge 5 ] && count=(--series "$5")
  until instant_query "$port" "$q" | "${CHECK[@]}" min-value "$n" "${count[@]}" >/dev/null 2>&1; do
    [ $SECONDS -lt "$deadline" ] || fail "timed out waiting for $q >= $n: $(instant_query "$port" "$q")"
    sleep 0.3
  done
}
