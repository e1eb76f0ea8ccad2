#!/usr/bin/env bash
# `hestia alertmanager routes test` and `check-config` print what amtool prints, through the
# real command line, for the routing fixtures of alerting/testdata/routing.
source "$(dirname "$0")/lib.sh"
command -v amtool >/dev/null || fail "amtool is not installed (scripts/install-deps.sh --with-peers)"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=0
for cfg in "$ROOT"/alerting/testdata/routing/*.yml; do
  labels_file=${cfg%.yml}.labels
  [ -f "$labels_file" ] || continue
  want=$(amtool check-config "$cfg" 2>/dev/null | grep -v "^Warning" || true)
  got=$("$HESTIA" alertmanager check-config "$cfg" 2>/dev/null || true)
  [ "$want" = "$got" ] || fail "check-config $cfg: amtool said [$want], hestia said [$got]"
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    want=$(amtool config routes test --config.file="$cfg" $line 2>&1 | grep -v "^Warning: --config.file" || true)
    # shellcheck disable=SC2086
    got=$("$HESTIA" alertmanager routes test --config.file="$cfg" $line 2>&1 | sed 's/^hestia: /amtool: /' || true)
    [ "$want" = "$got" ] || fail "routes test $cfg [$line]: amtool said [$want], hestia said [$got]"
    n=$((n + 1))
    [ "$n" -ge 60 ] && break 2
  done <"$labels_file"
done
[ "$n" -ge 20 ] || fail "only $n label sets compared"
echo "$n label sets route as amtool routes them"
echo "1 passed, 0 failed"
