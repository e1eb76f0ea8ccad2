# Shared helpers of the shell integration tests: free ports, starting servers on 127.0.0.1 and
# stopping them by pid, waiting for readiness. Source it; it sets a cleanup trap.
set -euo pipefail

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hestia-it-XXXXXX")
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# A TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start NAME CMD... : runs CMD in the background with output in $WORK/NAME.log; sets LAST_PID.
start() {
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [ $SECONDS -lt "$deadline" ] || fail "timed out waiting for $url"
    sleep 0.2
  done
}

# stop PID [SIGNAL]: signal (TERM by default), wait up to 30 s, then KILL.
stop() {
  local pid=$1 sig=${2:-TERM} i
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# A configuration without scrape jobs, for tests where only remote write may bring data.
NO_SCRAPES_CONFIG=$WORK/no-scrapes.yml
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$NO_SCRAPES_CONFIG"

BUILD_DIR=${HESTIA_BUILD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
HESTIA=$BUILD_DIR/hestia
[ -x "$HESTIA" ] || fail "no hestia binary at $HESTIA"
