#!/usr/bin/env bash
# Alertmanager receivers end to end (issue 6 acceptance): `hestia alertmanager` sends email to an
# SMTP server started by the test, Slack, PagerDuty (events API v2) and Opsgenie JSON to local
# HTTP sinks, with Alertmanager's default templates and a custom templates file; alertmanager_receivers.py holds the checks and the
# payloads the real Alertmanager 0.25 sends. When the Debian prometheus-alertmanager is installed
# it runs beside Hestia as an oracle and Hestia's notifications must equal its (but times, ids
# and the MIME boundary). AM_E2E_TARGETS overrides the targets (hestia, real).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TARGETS=${AM_E2E_TARGETS:-hestia}
if [ -z "${AM_E2E_TARGETS:-}" ] && command -v prometheus-alertmanager >/dev/null; then
  TARGETS=hestia,real
fi
echo "targets: $TARGETS"
python3 "$HERE/alertmanager_receivers.py" --workdir "$WORK" --targets "$TARGETS" --hestia "$HESTIA" ||
  { KEEP_WORK=1; fail "alertmanager receivers (logs kept under $WORK)"; }
echo "PASS alertmanager receivers"
