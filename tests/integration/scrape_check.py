#!/usr/bin/env python3
"""Checks of the scrape acceptance tests (tests/integration/scrape_*_test.sh); stdlib only.

Subcommands (each prints what it compared and exits 1 with a reason on a failure):
  min-value N [--series K]      stdin: a /api/v1/query answer; every value >= N (and K series)
  series-diff ...               interop: the series sets of Hestia and Prometheus
  targets ...                   bad targets: /api/v1/targets and `up` of Hestia against Prometheus
  staleness ...                 staleness markers in a `hestia tsdb dump`, and instant queries
                                just before and just after each marker
"""

import argparse
import json
import re
import sys
import urllib.parse
import urllib.request


class CheckFailed(Exception):
    pass


def api(port, path, params=None):
    """GET http://127.0.0.1:PORT/PATH?PARAMS, returns the decoded "data" of a success answer."""
    url = "http://127.0.0.1:%d%s" % (port, path)
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=30) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise CheckFailed("%s answered %s" % (url, body))
    return body["data"]


def series_key(labels):
    """A canonical text of a label set: {a="b", ...} sorted by name."""
    return "{" + ", ".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"


def selector(labels):
    """A PromQL selector matching exactly this label set (values have no quotes or backslashes)."""
    return "{" + ",".join('%s="%s"' % (k, v) for k, v in sorted(labels.items())) + "}"


def instant(port, query, time=None):
    params = {"query": query}
    if time is not None:
        params["time"] = time
    data = api(port, "/api/v1/query", params)
    if data["resultType"] != "vector":
        raise CheckFailed("%r: result type %s" % (query, data["resultType"]))
    return data["result"]


# ---------------------------------------------------------------------------------------------
def cmd_min_value(args):
    data = json.load(sys.stdin)["data"]["result"]
    values = [float(r["value"][1]) for r in data]
    if args.series is not None and len(values) != args.series:
        raise CheckFailed("%d series, want %d" % (len(values), args.series))
    if not values or min(values) < args.n:
        raise CheckFailed("values %s, want all >= %s" % (values, args.n))
    print("ok: %d series, min %s" % (len(values), min(values)))


# ---------------------------------------------------------------------------------------------
SYNTHETIC = ["up", "scrape_duration_seconds", "scrape_samples_scraped",
             "scrape_samples_post_metric_relabeling", "scrape_series_added"]


def cmd_series_diff(args):
    """Both servers scraped the same target with the same job config over the same window.

    A series one server stored and the other did not is a failure when the server holding it saw
    it in every one of its scrapes: the other server scraped the same target over the same
    window, so it must have seen it too. A series one server saw in only some of its scrapes (a
    series the exporter exposes intermittently) may legitimately be missing from the other,
    whose scrapes fell at other moments; such series are listed, not failed. Node exporter 1.5
    in this container exposes a constant set, so normally the sets are simply equal.
    """
    match = {"match[]": '{__name__=~".+"}'}
    sets = {}
    for name, port in (("hestia", args.hestia), ("prometheus", args.prometheus)):
        sets[name] = {series_key(s): s for s in api(port, "/api/v1/series", match)}
        print("%s: %d series" % (name, len(sets[name])))
    failures = []
    for name in ("hestia", "prometheus"):
        if len(sets[name]) < args.min_series:
            failures.append("%s holds only %d series (want >= %d)"
                            % (name, len(sets[name]), args.min_series))
        for metric in SYNTHETIC:
            if not any(s["__name__"] == metric for s in sets[name].values()):
                failures.append("%s has no %s series" % (name, metric))
    for holder, other in (("hestia", "prometheus"), ("prometheus", "hestia")):
        port = args.hestia if holder == "hestia" else args.prometheus
        only = sorted(set(sets[holder]) - set(sets[other]))
        if not only:
            continue
        scrapes = instant(port, 'count_over_time(up{job="%s"}[%ds])' % (args.job, args.window))
        if len(scrapes) != 1:
            raise CheckFailed("%s: no up series for job %s" % (holder, args.job))
        n_scrapes = float(scrapes[0]["value"][1])
        for key in only:
            seen = instant(port, "count_over_time(%s[%ds])" % (selector(sets[holder][key]), args.window))
            n_seen = float(seen[0]["value"][1]) if seen else 0
            if n_seen >= n_scrapes:
                failures.append("only %s has %s, seen in all %d of its scrapes"
                                % (holder, key, n_scrapes))
            else:
                print("intermittent (%d of %d scrapes), only in %s: %s"
                      % (n_seen, n_scrapes, holder, key))
    common = len(set(sets["hestia"]) & set(sets["prometheus"]))
    print("common series: %d" % common)
    if failures:
        raise CheckFailed("\n  ".join([""] + failures))


# ---------------------------------------------------------------------------------------------
# Hestia's parse errors use Prometheus 3's wording (docs/scrape.md, "Errors"), which adds the
# token text and the line read so far to 2.42's message; this turns it back into 2.42's form:
#   3.x: expected value after metric, got "\n" ("INVALID") while parsing: "broken_metric\n"
#   2.42: expected value after metric, got "INVALID"
WORDING_3X = [
    (re.compile(r'^(.*, got )"(?:[^"\\]|\\.)*" \(("[A-Z_]+")\) while parsing: "(?:[^"\\]|\\.)*"$'),
     r"\1\2"),
    (re.compile(r'^(strconv\.Parse\w+: .*) while parsing: "(?:[^"\\]|\\.)*"$'), r"\1"),
]


def as_2_42_wording(message):
    for pattern, repl in WORDING_3X:
        if pattern.match(message):
            return pattern.sub(repl, message)
    return message


def cmd_targets(args):
    """Each bad job's target: down, lastError as Prometheus's, up == 0; the good job: up == 1."""
    def targets(port):
        out = {}
        for t in api(port, "/api/v1/targets")["activeTargets"]:
            out[t["labels"]["job"]] = t
        return out
    hestia, prom = targets(args.hestia), targets(args.prometheus)
    up = {r["metric"]["job"]: float(r["value"][1]) for r in instant(args.hestia, "up")}
    timeouts = dict(kv.split("=") for kv in args.timeout or [])
    failures = []
    for job in args.good:
        t = hestia.get(job)
        if t is None or t["health"] != "up" or t["lastError"] != "":
            failures.append("good job %s: target %s" % (job, t))
        if up.get(job) != 1:
            failures.append("good job %s: up = %s, want 1" % (job, up.get(job)))
    for job in args.bad:
        t, p = hestia.get(job), prom.get(job)
        if t is None:
            failures.append("%s: no target in Hestia" % job)
            continue
        line = "%-16s hestia: %r\n%-16s prometheus 2.42: %r" % (
            job, t["lastError"], "", p["lastError"] if p else None)
        print(line)
        if t["health"] != "down" or not t["lastError"]:
            failures.append("%s: health %r, lastError %r; want down with an error"
                            % (job, t["health"], t["lastError"]))
        if up.get(job) != 0:
            failures.append("%s: up = %s, want 0" % (job, up.get(job)))
        if p is None or not p["lastError"]:
            failures.append("%s: Prometheus shows no error (%s): the scenario is broken" % (job, p))
        elif as_2_42_wording(t["lastError"]) != p["lastError"]:
            failures.append("%s: lastError differs from Prometheus 2.42's:\n    hestia:     %r\n"
                            "    prometheus: %r" % (job, t["lastError"], p["lastError"]))
        if job in timeouts:
            limit = float(timeouts[job]) + args.timeout_slack
            took = float(t["lastScrapeDuration"])
            if took > limit:
                failures.append("%s: the scrape took %.2f s, past its scrape_timeout of %s s"
                                % (job, took, timeouts[job]))
    if failures:
        raise CheckFailed("\n  ".join([""] + failures))
    print("ok: %d bad targets as Prometheus, %d good" % (len(args.bad), len(args.good)))


# ---------------------------------------------------------------------------------------------
DUMP_LINE = re.compile(r"^(\{.*\}) (\S+) (-?\d+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def read_dump(path):
    """{series key: (labels, [(t, value text)] in time order)} from `hestia tsdb dump` output."""
    series = {}
    with open(path) as f:
        for line in f:
            m = DUMP_LINE.match(line.rstrip("\n"))
            if not m:
                raise CheckFailed("unexpected dump line %r" % line)
            labels = dict(LABEL.findall(m.group(1)))
            key = series_key(labels)
            series.setdefault(key, (labels, []))[1].append((int(m.group(3)), m.group(2)))
    for _, samples in series.values():
        samples.sort()
    return series


def cmd_staleness(args):
    """The scenario of scrape_staleness_test.sh, checked on its dump and a restarted Hestia.

    Expected staleness markers (the fake targets never expose NaN, so every NaN is a marker):
      changing_series{name="b"} (gone from the body)                 one marker after --t-changing
      job="down": what the target exposed (not up, scrape_*)         one marker after --t-down
      job="removed": every series, synthetic ones included           one marker after --t-removed
    and no marker on anything else (changing_series{name="a"}, job="stay", up{job="down"}, ...),
    which all have samples after the last marker. Then, on the restarted server, each marked
    series is returned by an instant query 1 ms before its marker and not 1 ms after, while the
    continuing series are returned 1 ms after.
    """
    dump = read_dump(args.dump)
    failures = []

    def expect_marker(labels):
        name, job = labels.get("__name__"), labels.get("job")
        if name == "changing_series" and labels.get("name") == "b":
            return args.t_changing
        if job == "down" and name not in SYNTHETIC:
            return args.t_down
        if job == "removed":
            return args.t_removed
        return None

    markers = {}   # key -> marker time
    last_end = 0   # the latest marker
    for key, (labels, samples) in sorted(dump.items()):
        stale = [t for t, v in samples if v == "NaN"]
        after = expect_marker(labels)
        if after is None:
            if stale:
                failures.append("unexpected staleness marker(s) at %s on %s" % (stale, key))
            continue
        if len(stale) != 1:
            failures.append("%s: %d markers (%s), want 1" % (key, len(stale), stale))
            continue
        if samples[-1][1] != "NaN":
            failures.append("%s: samples after its marker at %d: %s" % (key, stale[0], samples[-3:]))
        # A sample's timestamp is taken when its scrape starts, before the fetch: a scrape that
        # started just before the change and fetched just after it is stamped slightly early.
        if stale[0] < after - args.early_ms:
            failures.append("%s: marker at %d, before the change at %d" % (key, stale[0], after))
        elif stale[0] > after + args.max_delay_ms:
            failures.append("%s: marker at %d, %d ms after the change (limit %d)"
                            % (key, stale[0], stale[0] - after, args.max_delay_ms))
        markers[key] = stale[0]
        last_end = max(last_end, stale[0])
    want_marked = {
        "changing_series b": lambda l: l.get("__name__") == "changing_series" and l.get("name") == "b",
        "down exposed": lambda l: l.get("job") == "down" and l.get("__name__") not in SYNTHETIC,
        "removed all": lambda l: l.get("job") == "removed",
    }
    for what, pred in want_marked.items():
        n = sum(1 for k in markers if pred(dump[k][0]))
        want = {"changing_series b": 1, "down exposed": 3, "removed all": 3 + len(SYNTHETIC)}[what]
        if n != want:
            failures.append("%s: %d series with a marker, want %d" % (what, n, want))
    continuing = [k for k, (labels, _) in dump.items() if expect_marker(labels) is None]
    for key in continuing:
        if dump[key][1][-1][0] <= last_end:
            failures.append("%s: no sample after the last marker (%d)" % (key, last_end))
    print("dump: %d series, %d with a staleness marker, %d continuing"
          % (len(dump), len(markers), len(continuing)))
    if failures:
        raise CheckFailed("\n  ".join([""] + failures))

    # Instant queries around each marker on the restarted server.
    probes = [dump[k][0] for k in continuing if dump[k][0].get("job") == "stay"
              or dump[k][0].get("name") == "a"]
    for key, tm in sorted(markers.items()):
        labels = dump[key][0]
        sel = selector(labels)
        before = instant(args.port, sel, "%.3f" % ((tm - 1) / 1000))
        after = instant(args.port, sel, "%.3f" % ((tm + 1) / 1000))
        if len(before) != 1:
            failures.append("%s 1 ms before its marker: %d series, want 1" % (sel, len(before)))
        if after:
            failures.append("%s 1 ms after its marker: still returned: %s" % (sel, after))
        for p in probes:
            if not instant(args.port, selector(p), "%.3f" % ((tm + 1) / 1000)):
                failures.append("%s not returned 1 ms after the marker of %s" % (selector(p), sel))
    print("queries: %d marked series gone 1 ms after their markers, %d continuing series present"
          % (len(markers), len(probes)))
    if failures:
        raise CheckFailed("\n  ".join([""] + failures))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("min-value")
    p.add_argument("n", type=float)
    p.add_argument("--series", type=int)
    p.set_defaults(fn=cmd_min_value)
    p = sub.add_parser("series-diff")
    p.add_argument("--hestia", type=int, required=True)
    p.add_argument("--prometheus", type=int, required=True)
    p.add_argument("--job", required=True)
    p.add_argument("--window", type=int, default=600, help="seconds covering the whole run")
    p.add_argument("--min-series", type=int, default=100)
    p.set_defaults(fn=cmd_series_diff)
    p = sub.add_parser("targets")
    p.add_argument("--hestia", type=int, required=True)
    p.add_argument("--prometheus", type=int, required=True)
    p.add_argument("--good", action="append", default=[])
    p.add_argument("--bad", action="append", default=[])
    p.add_argument("--timeout", action="append", help="JOB=SECONDS: its scrape_timeout")
    p.add_argument("--timeout-slack", type=float, default=0.5)
    p.set_defaults(fn=cmd_targets)
    p = sub.add_parser("staleness")
    p.add_argument("--dump", required=True)
    p.add_argument("--port", type=int, required=True, help="Hestia restarted on the data")
    p.add_argument("--t-changing", type=int, required=True)
    p.add_argument("--t-down", type=int, required=True)
    p.add_argument("--t-removed", type=int, required=True)
    p.add_argument("--max-delay-ms", type=int, default=4000)
    p.add_argument("--early-ms", type=int, default=200)
    p.set_defaults(fn=cmd_staleness)
    args = ap.parse_args()
    try:
        args.fn(args)
    except CheckFailed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
