#!/usr/bin/env bash
# `hestia check rules` gives promtool check rules' verdict, exit code and output on every YAML
# file of the seed configurations (../shared/examples/seed-configs): the rule files (one of
# them invalid: its template calls an undefined function) and the other configurations, which
# both tools reject as rule files. Also a few invalid files written here.
# HESTIA_CHECK_RULES may name another command line to test (default: build/hestia check rules).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool is not installed"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SEEDS=${SEED_CONFIGS_DIR:-$ROOT/../shared/examples/seed-configs}
BUILD_DIR=${HESTIA_BUILD_DIR:-$ROOT/build}
if [ -n "${HESTIA_CHECK_RULES:-}" ]; then
  read -r -a CHECK <<<"$HESTIA_CHECK_RULES"
else
  CHECK=("$BUILD_DIR/hestia" check rules)
fi
[ -x "${CHECK[0]}" ] || fail "no binary at ${CHECK[0]}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hestia-rules-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# compare FILE [exact]: same exit code and stdout; with "exact", the same stderr too.
compare() {
  local f=$1 mode=${2:-} want_rc=0 got_rc=0
  (cd "$(dirname "$f")" && promtool check rules "$(basename "$f")" >"$WORK/want.out" 2>"$WORK/want.err") || want_rc=$?
  (cd "$(dirname "$f")" && "${CHECK[@]}" "$(basename "$f")" >"$WORK/got.out" 2>"$WORK/got.err") || got_rc=$?
  [ "$want_rc" = "$got_rc" ] || fail "$f: promtool exited $want_rc, hestia $got_rc: $(cat "$WORK/got.err")"
  diff -u "$WORK/want.out" "$WORK/got.out" >&2 || fail "$f: stdout differs"
  if [ "$mode" = exact ]; then
    diff -u "$WORK/want.err" "$WORK/got.err" >&2 || fail "$f: stderr differs"
  fi
  n=$((n + 1))
}

n=0
found_invalid=0
for f in "$SEEDS"/*.yml; do
  compare "$f" exact
  if grep -q "FAILED" "$WORK/got.err" && grep -q '^groups:' "$f"; then
    found_invalid=1
    # The failing group, rule and annotation are named.
    grep -q 'group "rental_ml_performance_alerts", rule 6, "DatabaseConnectionPoolExhaustion": annotation "description": template: __alert_DatabaseConnectionPoolExhaustion:1: function "database_connection_pool_size" not defined' "$WORK/got.err" ||
      fail "$f: the error does not name the group, rule and annotation: $(cat "$WORK/got.err")"
  fi
done
[ "$found_invalid" = 1 ] || fail "no invalid rule file among the seed configurations"

# Invalid files of every kind rulefmt reports; stderr compared exactly where the PromQL
# parser's wording is not involved.
printf 'groups:\n- name: a\n  foo: 1\n  rules:\n  - record: x\n    expr: up\n    bar: 2\n' >"$WORK/unknown.yml"
printf 'groups:\n- rules:\n  - expr: up\n- name: ""\n  rules: []\n- name: b\n- name: b\n' >"$WORK/names.yml"
printf 'groups:\n- name: a\n  rules:\n  - record: x\n    alert: y\n    expr: up\n  - record: z\n    expr: "1"\n    for: 5m\n    keep_firing_for: 1m\n    annotations:\n      a: b\n  - expr: ""\n' >"$WORK/record.yml"
printf 'groups:\n- name: a\n  rules:\n  - alert: x\n    expr: up\n    annotations:\n      "a-b": "{{ .Foo }}"\n      ok: "{{ end }}"\n' >"$WORK/templates.yml"
printf 'groups:\n- name: a\n  rules:\n  - record: "bad name"\n    expr: sum(up)\n    labels:\n      "0x": y\n' >"$WORK/names2.yml"
printf 'groups:\n- name: a\n  rules:\n  - record: x\n    expr: up\n  - record: x\n    expr: up\n' >"$WORK/dup.yml"
printf '' >"$WORK/empty.yml"
for f in unknown names record templates names2 dup empty; do compare "$WORK/$f.yml" exact; done
printf 'groups:\n- name: a\n  rules:\n  - alert: x\n    expr: up{\n  - record: y\n    expr: sum(\n' >"$WORK/expr.yml"
compare "$WORK/expr.yml"
printf 'groups:\n- name: a\n  interval: abc\n  rules: []\n' >"$WORK/duration.yml"
compare "$WORK/duration.yml"
echo "$n files give promtool's verdict"
echo "1 passed, 0 failed"
