#!/usr/bin/env bash
# Persistent blocks through the real binary: remote-written hours of data are cut into blocks,
# survive restarts, are deleted through the admin API (delete_series, clean_tombstones),
# snapshotted, and dropped by time retention; the admin API answers as Prometheus's when it is
# disabled (compared with the Debian prometheus 2.42 when installed).
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
DATA=$WORK/data
URL=http://127.0.0.1:$PORT
RW_SEND=$BUILD_DIR/bench/rw_send
[ -x "$RW_SEND" ] || fail "no rw_send at $RW_SEND"

run_hestia() {
  start hestia "$HESTIA" --config.file="$NO_SCRAPES_CONFIG" --web.listen-address=127.0.0.1:$PORT \
    --storage.tsdb.path="$DATA" --web.enable-remote-write-receiver \
    --storage.tsdb.compaction-interval=1s "$@"
  HPID=$LAST_PID
  wait_http "$URL/-/ready" 30
}

metric() {  # metric NAME: its value on /metrics
  curl -fsS "$URL/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

query() {  # query EXPR TIME: the first result's value, or "none"
  curl -fsS "$URL/api/v1/query" --data-urlencode "query=$1" --data-urlencode "time=$2" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}

# 7 hours of data, 20 series, one sample a minute, from START (seconds, on a 2 h boundary, so
# that the head is cut into exactly two 2 h blocks: [START, +2h) and [+2h, +4h)).
START=$(( $(date +%s) / 7200 * 7200 - 8 * 3600 ))
END=$(( START + 7 * 3600 ))
python3 - "$START" "$END" >"$WORK/samples.txt" <<'PY'
import sys
start, end = int(sys.argv[1]), int(sys.argv[2])
for i in range(20):
    for t in range(start, end, 60):
        print(f'blocks_test{{instance="i{i}"}} {(t - start) // 60 + i} {t * 1000}')
PY
TOTAL=$(( 20 * 7 * 60 ))

run_hestia --web.enable-admin-api
"$RW_SEND" --url "$URL/api/v1/write" --file "$WORK/samples.txt" >/dev/null || fail "remote write failed"
# 7 h in the head: two 2 h blocks are cut, [START, +2h) and [+2h, +4h).
for _ in $(seq 1 150); do
  [ "$(metric prometheus_tsdb_blocks_loaded)" = "2" ] && break
  sleep 0.2
done
[ "$(metric prometheus_tsdb_blocks_loaded)" = "2" ] || fail "expected 2 blocks, got '$(metric prometheus_tsdb_blocks_loaded)'"
[ "$(ls "$DATA"/*/meta.json | wc -l)" = 2 ] || fail "no block directory on disk: $(ls -la "$DATA")"

COUNT="sum(count_over_time(blocks_test[8h]))"
[ "$(query "$COUNT" "$END")" = "$TOTAL" ] || fail "expected $TOTAL samples over blocks and head, got $(query "$COUNT" "$END")"
# The head's closed chunks (3 h left: 120 of every series' 180 samples) are in chunks_head/.
[ "$(head -c 4 "$DATA/chunks_head/000001" 2>/dev/null)" = HCHK ] ||
  fail "no head chunk file: $(ls -la "$DATA/chunks_head" 2>&1)"
size=$(metric prometheus_tsdb_head_chunks_storage_size_bytes)
[ "$size" != "" ] && [ "$size" != 0 ] || fail "prometheus_tsdb_head_chunks_storage_size_bytes is '$size'"

# delete_series: one series entirely, another for its first two hours.
code=$(curl -s -o "$WORK/del.out" -w '%{http_code}' -X POST "$URL/api/v1/admin/tsdb/delete_series" \
  --data-urlencode 'match[]=blocks_test{instance="i1"}')
[ "$code" = 204 ] || fail "delete_series answered $code: $(cat "$WORK/del.out")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/admin/tsdb/delete_series" \
  --data-urlencode 'match[]=blocks_test{instance="i2"}' --data-urlencode "start=$START" \
  --data-urlencode "end=$(( START + 2 * 3600 - 1 ))")
[ "$code" = 204 ] || fail "delete_series with a range answered $code"
WANT=$(( TOTAL - 420 - 120 ))
[ "$(query "$COUNT" "$END")" = "$WANT" ] || fail "after delete_series: expected $WANT, got $(query "$COUNT" "$END")"
code=$(curl -s -o "$WORK/bad.out" -w '%{http_code}' -X POST "$URL/api/v1/admin/tsdb/delete_series")
[ "$code" = 400 ] && grep -q 'no match\[\] parameter provided' "$WORK/bad.out" || fail "delete_series without match[]: $code $(cat "$WORK/bad.out")"

# snapshot: hard links of the blocks plus the head as a block.
curl -fsS -X POST "$URL/api/v1/admin/tsdb/snapshot" >"$WORK/snap.json" || fail "snapshot failed"
NAME=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="success"; print(d["data"]["name"])' "$WORK/snap.json")
[[ "$NAME" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{16}$ ]] || fail "snapshot name $NAME is not Prometheus's format"
n=$(ls "$DATA/snapshots/$NAME"/*/meta.json | wc -l)
[ "$n" -ge 2 ] || fail "snapshot holds $n blocks"

# clean_tombstones rewrites the blocks; the data stays as deleted.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/admin/tsdb/clean_tombstones")
[ "$code" = 204 ] || fail "clean_tombstones answered $code"
[ "$(query "$COUNT" "$END")" = "$WANT" ] || fail "after clean_tombstones: $(query "$COUNT" "$END")"
if ls "$DATA"/*/tombstones >/dev/null 2>&1; then
  for t in "$DATA"/*/tombstones; do
    python3 -c 'import os,sys; sys.exit(0 if os.path.getsize(sys.argv[1]) < 64 else 1)' "$t" ||
      fail "tombstones left in $t after clean_tombstones"
  done
fi

# Restart: blocks are loaded, only the newest part comes from the WAL.
stop "$HPID"
[ -z "$(ls "$DATA/chunks_head")" ] || fail "head chunk files left after a clean stop: $(ls "$DATA/chunks_head")"
run_hestia --web.enable-admin-api
[ "$(metric prometheus_tsdb_blocks_loaded)" != "0" ] || fail "no block loaded after restart"
[ "$(query "$COUNT" "$END")" = "$WANT" ] || fail "after restart: expected $WANT, got $(query "$COUNT" "$END")"
stop "$HPID"

# Time retention: with 1h, blocks ending more than an hour before the newest one go: the first.
run_hestia --storage.tsdb.retention.time=1h
LOW0=$(( START * 1000 ))
for _ in $(seq 1 100); do
  low=$(metric prometheus_tsdb_lowest_timestamp)
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$low" "$LOW0" && break
  sleep 0.2
done
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$low" "$LOW0" ||
  fail "retention did not delete old blocks (lowest timestamp $low)"
v=$(query "blocks_test{instance=\"i0\"}" "$(( START + 30 ))")
[ "$v" = none ] || fail "data past retention still queryable: $v"
v=$(query "blocks_test{instance=\"i0\"}" "$(( START + 2 * 3600 + 30 ))")
[ "$v" = 120 ] || fail "the newest block went too: $v"
rt=$(curl -fsS "$URL/api/v1/status/runtimeinfo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["storageRetention"])')
[ "$rt" = 1h ] || fail "runtimeinfo storageRetention is $rt"

# Admin API disabled: as Prometheus.
code=$(curl -s -o "$WORK/off.out" -w '%{http_code}' -X POST "$URL/api/v1/admin/tsdb/snapshot")
body=$(cat "$WORK/off.out")
[ "$code" = 500 ] || fail "disabled admin API answered $code"
[ "$body" = '{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}' ] || fail "disabled admin API body: $body"
if command -v prometheus >/dev/null; then
  PPORT=$(free_port)
  start prometheus prometheus --config.file="$NO_SCRAPES_CONFIG" --web.listen-address=127.0.0.1:$PPORT \
    --storage.tsdb.path="$WORK/prom"
  wait_http "http://127.0.0.1:$PPORT/-/ready" 60
  for ep in delete_series clean_tombstones snapshot; do
    pcode=$(curl -s -o "$WORK/p.out" -w '%{http_code}' -X POST "http://127.0.0.1:$PPORT/api/v1/admin/tsdb/$ep?match[]=up")
    hcode=$(curl -s -o "$WORK/h.out" -w '%{http_code}' -X POST "$URL/api/v1/admin/tsdb/$ep?match[]=up")
    [ "$pcode" = "$hcode" ] || fail "$ep disabled: Prometheus $pcode, Hestia $hcode"
    cmp -s "$WORK/p.out" "$WORK/h.out" || fail "$ep disabled: Prometheus $(cat "$WORK/p.out"), Hestia $(cat "$WORK/h.out")"
  done
fi
stop "$HPID"

# Out-of-order window from the configuration: late samples inside it are stored (also below the
# newest block), survive the next cut, compaction and a restart; older ones are "too old".
DATA=$WORK/ooo
OOO_CONFIG=$WORK/ooo.yml
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\nstorage:\n  tsdb:\n    out_of_order_time_window: 4h\n' >"$OOO_CONFIG"
NO_SCRAPES_CONFIG=$OOO_CONFIG
run_hestia
grep '^blocks_test{instance="i0"}' "$WORK/samples.txt" >"$WORK/i0.txt"
"$RW_SEND" --url "$URL/api/v1/write" --file "$WORK/i0.txt" >/dev/null || fail "remote write failed"
for _ in $(seq 1 100); do
  [ "$(metric prometheus_tsdb_blocks_loaded)" = "2" ] && break
  sleep 0.2
done
[ "$(metric prometheus_tsdb_blocks_loaded)" = "2" ] || fail "expected two blocks, got $(metric prometheus_tsdb_blocks_loaded)"
# The head holds [START+4h, END); blocks end at START+4h. Late: START+4h+30s (head) and
# START+3h+30s (inside the window, below the newest block); START+30s is outside (END-4h).
printf 'blocks_test{instance="late"} 1 %s\nblocks_test{instance="late"} 2 %s\n' \
  "$(( (START + 3 * 3600 + 30) * 1000 ))" "$(( (START + 4 * 3600 + 30) * 1000 ))" >"$WORK/late.txt"
"$RW_SEND" --url "$URL/api/v1/write" --file "$WORK/late.txt" >"$WORK/late.out" || fail "late samples rejected: $(cat "$WORK/late.out")"
printf 'blocks_test{instance="i0"} 5 %s\n' "$(( (START + 30) * 1000 + 1 ))" >"$WORK/old.txt"
if "$RW_SEND" --url "$URL/api/v1/write" --file "$WORK/old.txt" >"$WORK/old.out"; then fail "a sample outside the window was accepted"; fi
grep -q "HTTP 400" "$WORK/old.out" && grep -q "too old sample" "$WORK/old.out" || fail "outside the window: $(cat "$WORK/old.out")"
LATE="sum(count_over_time(blocks_test{instance=\"late\"}[8h]))"
[ "$(query "$LATE" "$END")" = 2 ] || fail "late samples not queryable: $(query "$LATE" "$END")"
stop "$HPID"
run_hestia
[ "$(query "$LATE" "$END")" = 2 ] || fail "late samples lost in a restart: $(query "$LATE" "$END")"
[ "$(query "sum(count_over_time(blocks_test[8h]))" "$END")" = "$(( 420 + 2 ))" ] || fail "after restart: $(query "sum(count_over_time(blocks_test[8h]))" "$END")"
stop "$HPID"
echo PASS
