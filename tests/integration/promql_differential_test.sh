#!/usr/bin/env bash
# Differential PromQL test: the Debian prometheus 2.42 and Hestia receive the same ~1.5 h of data by
# remote write (promql_diff_data.py), then every expression of the seed configurations and of
# promql_diff_queries.txt must give the same answer from both, as instant and as range queries,
# values within a relative tolerance of 1e-9 (promql_diff.py).
#
# Where Prometheus 2.42 and 3.x differ, Hestia follows 3.x: range selectors and the lookback window
# are left-open in 3.x, closed in 2.42. The data has no sample on a whole second and every query is
# evaluated at whole seconds, so no sample ever lies on a range boundary and both semantics agree;
# holt_winters (renamed double_exponential_smoothing in 3.x) is skipped.
#
# Environment: SEED_CONFIGS_DIR (default ../shared/examples/seed-configs next to the checkout),
# PROMQL_DIFF_VERBOSE=1 prints both servers' answer to every evaluation.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null ||
  fail "prometheus is not installed (scripts/install-deps.sh --with-peers)"
command -v python3 >/dev/null || fail "python3 is not installed"
HERE=$(cd "$(dirname "$0")" && pwd)
SEEDS=${SEED_CONFIGS_DIR:-$HERE/../../../shared/examples/seed-configs}
[ -d "$SEEDS" ] || fail "no seed configurations at $SEEDS"

HP=$(free_port); PP=$(free_port)
start hestia "$HESTIA" --config.file="$NO_SCRAPES_CONFIG" --storage.tsdb.path="$WORK/hestia" \
  --web.listen-address="127.0.0.1:$HP"
start prometheus prometheus --config.file="$NO_SCRAPES_CONFIG" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PP" --web.enable-remote-write-receiver
wait_http "http://127.0.0.1:$HP/-/ready" 20
wait_http "http://127.0.0.1:$PP/-/ready" 30

python3 "$HERE/promql_diff_data.py" --meta "$WORK/meta.json" \
  "http://127.0.0.1:$PP/api/v1/write" "http://127.0.0.1:$HP/api/v1/write" \
  || fail "remote write failed; see $WORK/prometheus.log and $WORK/hestia.log"

verbose=()
[ "${PROMQL_DIFF_VERBOSE:-0}" = 1 ] && verbose=(--verbose)
python3 "$HERE/promql_diff.py" --meta "$WORK/meta.json" --queries "$HERE/promql_diff_queries.txt" \
  --seed-dir "$SEEDS" --prometheus "http://127.0.0.1:$PP" --hestia "http://127.0.0.1:$HP" \
  "${verbose[@]}" \
  || fail "Hestia and Prometheus 2.42 disagree (see above)"
echo "1 passed, 0 failed"
