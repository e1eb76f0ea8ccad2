#!/usr/bin/env bash
# Crash: rw_loadgen remote-writes into Hestia for 16 s while Hestia is killed with SIGKILL at a
# random moment and restarted on the same data directory and port. Afterwards every sample of
# every request that got a 2xx is stored, and the restart on that WAL was ready within 10 s.
source "$(dirname "$0")/lib.sh"
LOADGEN=$BUILD_DIR/bench/rw_loadgen
[ -x "$LOADGEN" ] || fail "no rw_loadgen at $LOADGEN"
SERIES=${CRASH_SERIES:-5000}
SECONDS_OF_LOAD=${CRASH_SECONDS:-16}

HP=$(free_port)
DATA=$WORK/data
start hestia "$HESTIA" --config.file="$NO_SCRAPES_CONFIG" --storage.tsdb.path="$DATA" --web.listen-address="127.0.0.1:$HP"
HESTIA_PID=$LAST_PID
wait_http "http://127.0.0.1:$HP/-/ready" 20

"$LOADGEN" --series "$SERIES" --dump-series "$WORK/series.txt" --rounds 0 --quiet >/dev/null
start loadgen "$LOADGEN" --url "http://127.0.0.1:$HP/api/v1/write" --series "$SERIES" \
  --interval-ms 50 --pace realtime --duration-s "$SECONDS_OF_LOAD" --concurrency 2 \
  --batch 2000 --ack-log "$WORK/acks.txt" --retry-until-s 30 --timeout-s 5 --quiet
LOADGEN_PID=$LAST_PID

# Kill at a random moment between 3 and 9 s into the load.
kill_after_ms=$((3000 + RANDOM % 6000))
sleep "$(printf '%d.%03d' $((kill_after_ms / 1000)) $((kill_after_ms % 1000)))"
acked_before=$(wc -l <"$WORK/acks.txt" 2>/dev/null || echo 0)
kill -KILL "$HESTIA_PID"
wait "$HESTIA_PID" 2>/dev/null || true
echo "killed hestia after ${kill_after_ms} ms with $acked_before requests acknowledged"
[ "$acked_before" -gt 0 ] || fail "no request was acknowledged before the kill; see $WORK/loadgen.log"

restart_start=$(date +%s%N)
start hestia2 "$HESTIA" --config.file="$NO_SCRAPES_CONFIG" --storage.tsdb.path="$DATA" --web.listen-address="127.0.0.1:$HP"
HESTIA_PID=$LAST_PID
wait_http "http://127.0.0.1:$HP/-/ready" 30
restart_ms=$(( ($(date +%s%N) - restart_start) / 1000000 ))
echo "restart on the WAL took ${restart_ms} ms"
[ "$restart_ms" -lt 10000 ] || fail "start-up on the WAL took ${restart_ms} ms (limit 10 s)"

wait "$LOADGEN_PID" || fail "rw_loadgen failed; see $WORK/loadgen.log"
stop "$HESTIA_PID"
"$HESTIA" tsdb dump "$DATA" >"$WORK/dump.txt"

python3 - "$WORK/series.txt" "$WORK/acks.txt" "$WORK/dump.txt" <<'PY'
import sys
series = {}
for line in open(sys.argv[1]):
    idx, labels = line.rstrip("\n").split(" ", 1)
    series[int(idx)] = labels.replace('", ', '",')
stored = {}  # labels -> set of timestamps
n_stored = 0
for line in open(sys.argv[3]):
    labels, rest = line.rsplit("} ", 1)
    value, ts = rest.split()
    # promtool's format separates pairs with ", "; --dump-series with ",".
    stored.setdefault(labels.replace('", ', '",') + "}", set()).add(int(ts))
    n_stored += 1
acked = missing = 0
example = None
for line in open(sys.argv[2]):
    f = dict(kv.split("=") for kv in line.split()[1:])
    first, count, ts = int(f["first"]), int(f["count"]), int(f["ts"])
    for i in range(first, first + count):
        acked += 1
        if ts not in stored.get(series[i], ()):
            missing += 1
            example = example or (series[i], ts)
print(f"{acked} acknowledged samples, {n_stored} stored, {missing} missing")
if missing:
    print("first missing:", example)
    sys.exit(1)
if acked == 0:
    sys.exit(1)
PY
echo "1 passed, 0 failed"
