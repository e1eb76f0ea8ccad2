#!/usr/bin/env python3
"""Helpers of alerting_interop_test.sh and rules_restart_test.sh. Python standard library only.

  alerting_interop.py rules OUT_DIR FILE...
      Copies the rule files to OUT_DIR with every `for: Nm` shortened to `for: 2N s` (so that an
      alert fires within seconds), and repairs the one invalid seed template: rental-ml-alerts.yml
      writes `{{ database_connection_pool_size }}`, a call of an undefined function; the copy asks
      for what its author meant, `{{ with query "database_connection_pool_size" }}{{ . | first |
      value }}{{ end }}`. Prints the paths written.

  alerting_interop.py data --start S --t0 T0 --end E URL...
      Remote-writes the same samples, every 5 s from S to E (seconds since the epoch, samples at
      .437 s), to every URL (oldest first, 60 s per request). Every alert condition below is false
      before T0 and those of EXPECTED_FIRING become true from T0 on (see SERIES). Samples later
      than now are fine: a rule evaluated at t only sees samples at or before t, so both servers
      see the same data whenever their evaluations run.

  alerting_interop.py check --webhook FILE --prometheus URL --hestia URL --t0 T0 --end E
                            --external-url URL
      The acceptance checks (exit status 1 and a list of differences on failure):
      1. ALERTS and ALERTS_FOR_STATE: the raw samples of both servers in [T0 - 10 s, E] are the
         same (labels, timestamp, value). Both evaluate a group at the same instants: Prometheus
         and Hestia place a group's evaluations at interval slots shifted by the same hash of
         (file, name), and the rule files are given to both by the same absolute paths.
      2. At E, both have exactly EXPECTED_FIRING firing.
      3. The webhook behind Alertmanager received every alert Prometheus has firing, except the
         one Hestia's alert_relabel_configs drops, with Hestia's external label added, Prometheus's
         annotations (templates expanded the same way), and Hestia's generatorURL.

  alerting_interop.py restart-data --start S --end E URL...
      Remote-writes restart_test_metric{instance="r1"} = 1 every second from S to E.

  alerting_interop.py restart-check --hestia URL --since T [--expect-restored | --expect-pending]
      The ALERTS and ALERTS_FOR_STATE samples of RestartTest since T (a restart): with
      --expect-restored, no pending sample, firing samples, and the for-state (the activeAt the
      alert had before the restart, its value) unchanged from before T; with --expect-pending, a
      new pending phase with a later activeAt (the restore did not apply). Prints the activeAt.
"""

import argparse
import json
import math
import os
import re
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from promql_diff_data import encode_write_request, snappy_literal_block  # noqa: E402

EXTERNAL_LABEL = ("cluster", "interop")
DROPPED_BY_RELABEL = "SearchIndexingLag"
# (alertname, instance) of the alerts firing at the end; every other seed alert stays silent.
EXPECTED_FIRING = {
    ("HighCPUUtilization", "web-1:9100"),  # both rentguy files (> 80 and > 90)
    ("HighCPUUtilization", "web-2:9100"),  # only rentguy-alert-rules.yml (> 80)
    ("DatabaseConnectionIssues", "app:8080"),
    ("HighDatabaseConnections", "pg:9187"),
    ("DatabaseConnectionPoolExhaustion", "app:8080"),
    ("HighRedisMemoryUsage", "redis:9121"),
    ("SearchIndexingLag", "search:9200"),
    ("HighAPIErrorRate", "api-1:9091"),
    ("LowAPIThroughput", "api-2:9091"),
}
# Descriptions whose value is fixed by the data (the rate-based ones change with every evaluation).
EXPECTED_DESCRIPTIONS = {
    "HighDatabaseConnections": "95 active database connections",
    "DatabaseConnectionPoolExhaustion": "95 active connections out of 100 total",
    "HighRedisMemoryUsage": "Redis memory usage is 90%",
    "DatabaseConnectionIssues": "Multiple database connection failures detected",
}
CHANGING_DESCRIPTIONS = {
    "HighAPIErrorRate": r"Error rate is [0-9.]+% on instance api-1:9091",
    "LowAPIThroughput": r"Request rate is [0-9.e+-]+ RPS on instance api-2:9091",
}


# --- rules -------------------------------------------------------------------------------

def cmd_rules(args):
    os.makedirs(args.out_dir, exist_ok=True)
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"(?m)^(\s*for:\s*)(\d+)m\s*$",
                      lambda m: "%s%ds" % (m.group(1), 2 * int(m.group(2))), text)
        text = text.replace(
            "{{ database_connection_pool_size }}",
            '{{ with query \\"database_connection_pool_size\\" }}{{ . | first | value }}{{ end }}')
        out = os.path.join(args.out_dir, os.path.basename(path))
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        print(out)


# --- data --------------------------------------------------------------------------------

def step(before, after):
    return lambda t, t0: before if t < t0 else after


def counter(base, rate_before, rate_after):
    return lambda t, t0, start: (base + rate_before * (min(t, t0) - start) +
                                 rate_after * max(0.0, t - t0))


# (labels, gauge function of (t, t0)) and (labels, counter function of (t, t0, start)).
SERIES = [
    ({"__name__": "node_cpu_usage", "job": "node", "instance": "web-1:9100"}, step(50, 95)),
    ({"__name__": "node_cpu_usage", "job": "node", "instance": "web-2:9100"}, step(50, 85)),
    ({"__name__": "node_cpu_usage", "job": "node", "instance": "web-3:9100"}, step(30, 40)),
    ({"__name__": "database_connection_errors", "job": "app", "instance": "app:8080"}, step(2, 25)),
    ({"__name__": "pg_stat_activity_count", "job": "postgres", "instance": "pg:9187"}, step(40, 95)),
    ({"__name__": "database_connection_pool_active", "job": "app", "instance": "app:8080"},
     step(50, 95)),
    ({"__name__": "database_connection_pool_size", "job": "app", "instance": "app:8080"},
     step(100, 100)),
    ({"__name__": "redis_memory_used_bytes", "job": "redis", "instance": "redis:9121"},
     step(5e8, 9e8)),
    ({"__name__": "redis_memory_max_bytes", "job": "redis", "instance": "redis:9121"},
     step(1e9, 1e9)),
    ({"__name__": "search_index_lag_seconds", "job": "search", "instance": "search:9200"},
     step(30, 600)),
]
COUNTERS = [
    ({"__name__": "http_requests_total", "job": "api", "instance": "api-1:9091", "status": "200"},
     counter(1e6, 100, 100)),
    ({"__name__": "http_requests_total", "job": "api", "instance": "api-1:9091", "status": "500"},
     counter(5000, 0, 200)),
    # 10.5 requests/s (just above LowAPIThroughput's 10), then none.
    ({"__name__": "http_requests_total", "job": "api", "instance": "api-2:9091", "status": "200"},
     counter(2e5, 10.5, 0)),
]


def write(url, body):
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        if resp.status // 100 != 2:
            raise SystemExit("remote write to %s: HTTP %d" % (url, resp.status))


def cmd_data(args):
    times = []
    t = math.floor(args.start)
    while t <= args.end:
        times.append(t + 0.437)
        t += 5
    for i in range(0, len(times), 12):
        chunk = times[i:i + 12]
        series = []
        for labels, f in SERIES:
            series.append((labels, [(int(round(t * 1000)), float(f(t, args.t0)), False)
                                    for t in chunk]))
        for labels, f in COUNTERS:
            series.append((labels, [(int(round(t * 1000)), float(f(t, args.t0, args.start)), False)
                                    for t in chunk]))
        body = snappy_literal_block(encode_write_request(series))
        for url in args.urls:
            write(url, body)


# --- check -------------------------------------------------------------------------------

def get_json(base, path, params):
    url = base + path + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as resp:
        doc = json.load(resp)
    if doc.get("status") != "success":
        raise SystemExit("%s: %s" % (url, doc))
    return doc["data"]


def raw_samples(base, metric, t_from, t_to):
    """{(labels tuple, t_ms): value} of `metric` in (t_from, t_to]."""
    window = int(math.ceil(t_to - t_from))
    data = get_json(base, "/api/v1/query", {"query": "%s[%ds]" % (metric, window), "time": t_to})
    out = {}
    for s in data["result"]:
        key = tuple(sorted(s["metric"].items()))
        for t, v in s["values"]:
            out[(key, int(round(float(t) * 1000)))] = v
    return out


def firing(base, t):
    data = get_json(base, "/api/v1/query", {"query": 'ALERTS{alertstate="firing"}', "time": t})
    return {(s["metric"]["alertname"], s["metric"].get("instance", "")) for s in data["result"]}


def fmt_key(key):
    labels, t = key
    return "{%s} @%d" % (",".join("%s=%s" % kv for kv in labels), t)


def webhook_alerts(path):
    """labels tuple -> the last firing alert the webhook received with these labels."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for a in doc.get("alerts", []):
                if a.get("status") == "firing":
                    out[tuple(sorted(a["labels"].items()))] = a
    return out


def missed_iterations(base):
    """prometheus_rule_group_iterations_missed_total summed over the groups of a server."""
    with urllib.request.urlopen(base + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("prometheus_rule_group_iterations_missed_total"))


def skip_missed(mine, other, missed):
    """Timestamps at which a server that reports missed iterations has no sample at all while
    the other has some: that server skipped the slot (both skip slots they are late for, as
    Prometheus does), which is load, not semantics."""
    if not missed:
        return set()
    mine_t = {t for _, t in mine}
    return {t for _, t in other} - mine_t


def cmd_check(args):
    problems = []
    t_from = args.t0 - 10
    missed_p, missed_h = missed_iterations(args.prometheus), missed_iterations(args.hestia)
    for metric in ("ALERTS", "ALERTS_FOR_STATE"):
        prom = raw_samples(args.prometheus, metric, t_from, args.end)
        hestia = raw_samples(args.hestia, metric, t_from, args.end)
        skipped = skip_missed(prom, hestia, missed_p) | skip_missed(hestia, prom, missed_h)
        if skipped:
            print("%s: %d slots left out, missed by a loaded server (missed iterations: "
                  "Prometheus %g, Hestia %g)" % (metric, len(skipped), missed_p, missed_h))
            prom = {k: v for k, v in prom.items() if k[1] not in skipped}
            hestia = {k: v for k, v in hestia.items() if k[1] not in skipped}
        only_p = sorted(set(prom) - set(hestia))
        only_h = sorted(set(hestia) - set(prom))
        diff_v = sorted(k for k in set(prom) & set(hestia) if prom[k] != hestia[k])
        for k in only_p[:10]:
            problems.append("%s only in Prometheus: %s" % (metric, fmt_key(k)))
        for k in only_h[:10]:
            problems.append("%s only in Hestia: %s" % (metric, fmt_key(k)))
        for k in diff_v[:10]:
            problems.append("%s value differs at %s: Prometheus %s, Hestia %s" %
                            (metric, fmt_key(k), prom[k], hestia[k]))
        print("%s: %d samples in Prometheus, %d in Hestia, %d differ" %
              (metric, len(prom), len(hestia), len(only_p) + len(only_h) + len(diff_v)))
        if not prom:
            problems.append("%s: no samples at all in the window" % metric)
    for name, base in (("Prometheus", args.prometheus), ("Hestia", args.hestia)):
        got = firing(base, args.end)
        if got != EXPECTED_FIRING:
            problems.append("%s firing at the end: missing %s, unexpected %s" %
                            (name, sorted(EXPECTED_FIRING - got), sorted(got - EXPECTED_FIRING)))

    # What Prometheus has firing, as the webhook should have received it from Hestia.
    prom_alerts = [a for a in get_json(args.prometheus, "/api/v1/alerts", {})["alerts"]
                   if a["state"] == "firing"]
    want = {}
    for a in prom_alerts:
        if a["labels"]["alertname"] == DROPPED_BY_RELABEL:
            continue
        labels = dict(a["labels"])
        labels[EXTERNAL_LABEL[0]] = EXTERNAL_LABEL[1]
        # Two rules may make alerts with the same labels (HighCPUUtilization of web-1 in both
        # rentguy files): Alertmanager keeps one, with the annotations of either.
        want.setdefault(tuple(sorted(labels.items())), []).append(a["annotations"])
    deadline = time.time() + 20
    while True:
        got = webhook_alerts(args.webhook)
        if all(k in got for k in want) or time.time() > deadline:
            break
        time.sleep(0.5)
    for key, candidates in sorted(want.items()):
        a = got.get(key)
        name = dict(key)["alertname"]
        if a is None:
            problems.append("webhook did not receive %s" % dict(key))
            continue
        annotations = next((c for c in candidates if c == a["annotations"]), candidates[0])
        for ann_name, value in sorted(annotations.items()):
            recv = a["annotations"].get(ann_name)
            if ann_name == "description" and name in CHANGING_DESCRIPTIONS:
                if not recv or not re.fullmatch(CHANGING_DESCRIPTIONS[name], recv):
                    problems.append("%s description %r does not match %r" %
                                    (name, recv, CHANGING_DESCRIPTIONS[name]))
            elif recv != value:
                problems.append("%s annotation %s: webhook %r, Prometheus %r" %
                                (name, ann_name, recv, value))
        if set(a["annotations"]) != set(annotations):
            problems.append("%s annotation names: webhook %s, Prometheus %s" %
                            (name, sorted(a["annotations"]), sorted(annotations)))
        if name in EXPECTED_DESCRIPTIONS and a["annotations"].get("description") != EXPECTED_DESCRIPTIONS[name]:
            problems.append("%s description %r, expected %r" %
                            (name, a["annotations"].get("description"), EXPECTED_DESCRIPTIONS[name]))
        if not a.get("generatorURL", "").startswith(args.external_url + "/graph?g0.expr="):
            problems.append("%s generatorURL %r" % (name, a.get("generatorURL")))
    for key in got:
        labels = dict(key)
        if labels["alertname"] == DROPPED_BY_RELABEL:
            problems.append("webhook received %s, which alert_relabel_configs drops" % labels)
        if labels.get(EXTERNAL_LABEL[0]) != EXTERNAL_LABEL[1]:
            problems.append("webhook alert without the external label: %s" % labels)
    names = {dict(k)["alertname"] for k in want}
    print("webhook: %d firing alerts received, %d expected (%s)" %
          (len(got), len(want), ", ".join(sorted(names))))
    if problems:
        print("\n".join("  " + p for p in problems))
        sys.exit(1)
    print("OK")


def cmd_restart_data(args):
    labels = {"__name__": "restart_test_metric", "job": "restart", "instance": "r1"}
    t = math.floor(args.start)
    times = []
    while t <= args.end:
        times.append(t + 0.437)
        t += 1
    for i in range(0, len(times), 60):
        body = snappy_literal_block(encode_write_request(
            [(labels, [(int(round(t * 1000)), 1.0, False) for t in times[i:i + 60]])]))
        for url in args.urls:
            write(url, body)


def cmd_restart_check(args):
    now = time.time()
    window = int(math.ceil(now - args.since)) + 120
    def samples(metric):
        data = get_json(args.hestia, "/api/v1/query",
                        {"query": '%s{alertname="RestartTest"}[%ds]' % (metric, window), "time": now})
        out = []
        for s in data["result"]:
            for t, v in s["values"]:
                out.append((float(t), s["metric"].get("alertstate", ""), float(v)))
        return sorted(out)
    alerts, for_state = samples("ALERTS"), samples("ALERTS_FOR_STATE")
    before = [v for t, _, v in for_state if t < args.since]
    after_alerts = [(t, state) for t, state, _ in alerts if t >= args.since]
    after_for = [v for t, _, v in for_state if t >= args.since]
    problems = []
    if not before:
        problems.append("no ALERTS_FOR_STATE sample before the restart")
    if not after_alerts or not after_for:
        problems.append("no ALERTS sample after the restart")
    states = [state for _, state in after_alerts]
    print("before the restart: activeAt %s; after: states %s, activeAt %s" %
          (before[-1:] or None, sorted(set(states)), sorted(set(after_for))))
    if not problems and args.expect_restored:
        if "pending" in states:
            problems.append("a new pending phase after the restart: %s" % after_alerts[:5])
        if set(after_for) != {before[-1]}:
            problems.append("activeAt changed over the restart: %s -> %s" %
                            (before[-1], sorted(set(after_for))))
    if not problems and args.expect_pending:
        if states[0] != "pending":
            problems.append("expected a new pending phase, got %s" % after_alerts[:5])
        if min(after_for) <= before[-1]:
            problems.append("expected a later activeAt than %s, got %s" % (before[-1], after_for[:3]))
    if problems:
        print("\n".join("  " + p for p in problems))
        sys.exit(1)
    print("OK")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rules")
    r.add_argument("out_dir")
    r.add_argument("files", nargs="+")
    d = sub.add_parser("data")
    d.add_argument("--start", type=float, required=True)
    d.add_argument("--t0", type=float, required=True)
    d.add_argument("--end", type=float, required=True)
    d.add_argument("urls", nargs="+")
    c = sub.add_parser("check")
    c.add_argument("--webhook", required=True)
    c.add_argument("--prometheus", required=True)
    c.add_argument("--hestia", required=True)
    c.add_argument("--t0", type=float, required=True)
    c.add_argument("--end", type=float, required=True)
    c.add_argument("--external-url", required=True)
    rd = sub.add_parser("restart-data")
    rd.add_argument("--start", type=float, required=True)
    rd.add_argument("--end", type=float, required=True)
    rd.add_argument("urls", nargs="+")
    rc = sub.add_parser("restart-check")
    rc.add_argument("--hestia", required=True)
    rc.add_argument("--since", type=float, required=True)
    mode = rc.add_mutually_exclusive_group(required=True)
    mode.add_argument("--expect-restored", action="store_true")
    mode.add_argument("--expect-pending", action="store_true")
    args = p.parse_args()
    {"rules": cmd_rules, "data": cmd_data, "check": cmd_check, "restart-data": cmd_restart_data,
     "restart-check": cmd_restart_check}[args.cmd](args)


if __name__ == "__main__":
    main()
