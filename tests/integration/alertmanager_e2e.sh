#!/usr/bin/env bash
# Alertmanager end to end (issue 6 acceptance): `hestia alertmanager` driven through API v2 must
# send exactly the webhook notifications Alertmanager 0.25 sends (grouping, group_interval,
# repeat_interval, resolve with send_resolved true/false, inhibition, silences expiring and
# deleted, continue fan-out and max_alerts, deduplication of re-posted alerts, restart in the
# middle of repeat_interval: no duplicate, silences kept). The scenarios and their expected
# notifications are in alertmanager_e2e.py, one server and webhook sink each, in parallel.
#
# AM_E2E_TARGETS: comma-separated targets (hestia, real). Default: hestia, plus the Debian
# prometheus-alertmanager 0.25 as an oracle when it is installed (the same expectations must
# hold for it; a failure there means the test, not Hestia, is wrong). AM_E2E_ONLY: scenarios.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TARGETS=${AM_E2E_TARGETS:-hestia}
if [ -z "${AM_E2E_TARGETS:-}" ] && command -v prometheus-alertmanager >/dev/null; then
  TARGETS=hestia,real
fi
echo "targets: $TARGETS"
python3 "$HERE/alertmanager_e2e.py" --workdir "$WORK" --targets "$TARGETS" --hestia "$HESTIA" \
  --only "${AM_E2E_ONLY:-}" || { KEEP_WORK=1; fail "alertmanager end to end (logs kept under $WORK)"; }
echo "PASS alertmanager end to end"
