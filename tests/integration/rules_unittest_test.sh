#!/usr/bin/env bash
# `hestia test rules` against `promtool test rules` (2.42) on the same unit-test files: the
# files in tests/testdata/rules/ (alerts with templated annotations, promql_expr_test,
# group_eval_order, and two failing on purpose) and invalid files written here. Verdicts, exit
# codes, stdout and stderr must be the same.
# HESTIA_TEST_RULES may name another command line to test (default: build/hestia test rules).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool is not installed"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/tests/testdata/rules
BUILD_DIR=${HESTIA_BUILD_DIR:-$ROOT/build}
if [ -n "${HESTIA_TEST_RULES:-}" ]; then
  read -r -a TEST <<<"$HESTIA_TEST_RULES"
else
  TEST=("$BUILD_DIR/hestia" test rules)
fi
[ -x "${TEST[0]}" ] || fail "no binary at ${TEST[0]}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hestia-rules-unittest-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# compare DIR WANT_RC FILE...: both tools run in DIR on the files; the same exit code (WANT_RC),
# stdout and stderr.
compare() {
  local dir=$1 want=$2 prc=0 hrc=0
  shift 2
  (cd "$dir" && promtool test rules "$@" >"$WORK/p.out" 2>"$WORK/p.err") || prc=$?
  (cd "$dir" && "${TEST[@]}" "$@" >"$WORK/h.out" 2>"$WORK/h.err") || hrc=$?
  [ "$prc" = "$want" ] || fail "$*: promtool exited $prc, expected $want: $(cat "$WORK/p.err")"
  [ "$hrc" = "$prc" ] || fail "$*: promtool exited $prc, hestia $hrc: $(cat "$WORK/h.err")"
  diff -u "$WORK/p.out" "$WORK/h.out" >&2 || fail "$*: stdout differs"
  diff -u "$WORK/p.err" "$WORK/h.err" >&2 || fail "$*: stderr differs"
  n=$((n + 1))
}

n=0
compare "$DATA" 0 unittest_alerts.yml
compare "$DATA" 0 unittest_promql.yml
compare "$DATA" 0 unittest_group_order.yml
compare "$DATA" 1 unittest_failing.yml
compare "$DATA" 1 unittest_bad_series.yml
# Several files at once: one failure fails the run, every file is still tested.
compare "$DATA" 1 unittest_alerts.yml unittest_failing.yml unittest_promql.yml
# From another directory: rule_files are relative to the test file.
compare "$ROOT" 1 tests/testdata/rules/unittest_failing.yml tests/testdata/rules/unittest_promql.yml

# The failing file fails for each of its deliberate mistakes.
(cd "$DATA" && "${TEST[@]}" unittest_failing.yml >/dev/null 2>"$WORK/h.err") || true
for want in 'alertname: InstanceDown, time: 5m, ' 'alertname: InstanceDown, time: 1m, ' \
            'expr: "up", time: 2m,' 'expr: "sum(up)", time: 2m,' 'name: deliberately wrong,'; do
  grep -qF "$want" "$WORK/h.err" || fail "unittest_failing.yml: no \"$want\" in: $(cat "$WORK/h.err")"
done

# Invalid unit-test files, and errors found while testing.
cp "$DATA/unittest_rules.yml" "$WORK/rules.yml"
printf 'rule_files: [rules.yml]\nfoo: 1\ntests:\n  - interval: 1m\n    bar: 2\n    input_series:\n      - series: up\n        values: 1\n        baz: 1\n' >"$WORK/unknown.yml"
printf 'rule_files: [rules.yml]\nrule_files: [rules.yml]\ntests: 3\n' >"$WORK/repeated.yml"
printf 'rule_files: [rules.yml]\nevaluation_interval: 1x\n' >"$WORK/duration.yml"
printf 'tests:\n  - interval: 1m\n    promql_expr_test:\n      - expr: "1"\n        exp_samples: [{labels: "{}", value: NaN}]\n' >"$WORK/float.yml"
printf 'rule_files: [nothere*.yml, rules.yml]\ntests:\n  - interval: 1m\n    promql_expr_test:\n      - expr: vector(1)\n        eval_time: 1m\n        exp_samples: [{labels: "{}", value: 1}]\n' >"$WORK/nomatch.yml"
printf 'rule_files: [rules.yml]\ngroup_eval_order: [alerts, recording, alerts]\n' >"$WORK/order.yml"
printf 'tests:\n  - interval: 1m\n    name: unnamed alert\n    alert_rule_test:\n      - eval_time: 2m\n' >"$WORK/noname.yml"
printf 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: sum(\n' >"$WORK/badrule.yml"
printf 'rule_files: [badrule.yml]\ntests:\n  - interval: 1m\n  - interval: 2m\n' >"$WORK/badrules.yml"
printf 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: y + on() x\n' >"$WORK/evalerr_rules.yml"
printf 'rule_files: [evalerr_rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: x{a="1"}\n        values: 1 1\n      - series: x{a="2"}\n        values: 1 1\n      - series: y\n        values: 1 1\n    promql_expr_test:\n      - expr: y\n        eval_time: 1m\n' >"$WORK/evalerr.yml"
printf 'tests:\n  - interval: 1m\n    input_series:\n      - series: x\n        values: 1 2 3\n    promql_expr_test:\n      - expr: x +\n        eval_time: 1m\n      - expr: x\n        eval_time: 1m\n        exp_samples: [{labels: "x{a=~\\"b\\"}", value: 2}]\n      - expr: x\n        eval_time: 1m\n        exp_samples: [{labels: x, value: .nan}]\n' >"$WORK/exprerr.yml"
printf 'tests:\n  - input_series:\n      - series: x\n        values: 5 6 7\n    promql_expr_test:\n      - expr: x\n        eval_time: 2m\n        exp_samples: [{labels: x, value: 5}]\n' >"$WORK/nointerval.yml"
printf '' >"$WORK/empty.yml"
for f in unknown repeated duration float order noname badrule badrules exprerr; do
  compare "$WORK" 1 "$f.yml"
done
for f in nomatch nointerval empty; do compare "$WORK" 0 "$f.yml"; done
# The rule error message comes from the PromQL engine: verdict, exit code and prefix only.
prc=0 hrc=0
(cd "$WORK" && promtool test rules evalerr.yml >/dev/null 2>"$WORK/p.err") || prc=$?
(cd "$WORK" && "${TEST[@]}" evalerr.yml >/dev/null 2>"$WORK/h.err") || hrc=$?
[ "$prc" = 1 ] && [ "$hrc" = 1 ] || fail "evalerr.yml: promtool exited $prc, hestia $hrc"
grep -q '^    rule: a, time: 0s, err: found duplicate series for the match group {} on the right hand-side' "$WORK/h.err" ||
  fail "evalerr.yml: $(cat "$WORK/h.err")"
grep -q 'expr:' "$WORK/h.err" && fail "evalerr.yml: testing went on after a rule failed"
n=$((n + 1))

# Arguments checked before anything runs, as promtool's: exit 1.
hrc=0
"${TEST[@]}" "$DATA/unittest_alerts.yml" "$WORK/nonexistent.yml" >"$WORK/h.out" 2>"$WORK/h.err" || hrc=$?
[ "$hrc" = 1 ] && [ ! -s "$WORK/h.out" ] || fail "a missing file: exit $hrc, stdout $(cat "$WORK/h.out")"
hrc=0
"${TEST[@]}" >/dev/null 2>&1 || hrc=$?
[ "$hrc" = 1 ] || fail "no file: exit $hrc"

echo "OK: $n comparisons with promtool test rules"
