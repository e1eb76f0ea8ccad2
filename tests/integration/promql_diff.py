#!/usr/bin/env python3
"""Differential PromQL test: the same queries against Prometheus 2.42 (the reference) and Hestia.

Queries: every expression of the seed configurations (rule files' `expr:` and Grafana dashboards'
`targets[].expr`, read from the files themselves so that a new seed expression is covered without
editing this test) plus promql_diff_queries.txt. Each query runs as instant queries at a few times
and as one 1 h range query with a 15 s step, on both servers' /api/v1/query and /api/v1/query_range.

Agreement: the same status and errorType; the same resultType; the same set of series (label sets
compared exactly); per series the same timestamps and values within a relative tolerance of 1e-9
(NaN equals NaN, infinities must match); for sort() and sort_desc() also the same order.

Grafana variables in dashboard expressions are replaced before querying: $__rate_interval by 1m
(Grafana's max(4 x scrape interval, step + scrape interval) for 15 s scrapes), $__interval by 30s,
$__interval_ms by 30000, $__range by 1h, $__range_s by 3600, $__range_ms by 3600000; any other
variable ($var, ${var}, ${var:format}, [[var]]) inside a label matcher's quoted value turns the
matcher into `=~".+"` (`!~".+"` for a negative one), Grafana's "All", and elsewhere becomes 5m.

Prints one verdict per query and a summary; exit status 1 when any query disagrees, returns no data
where it must (a vacuous agreement), or the servers do not hold every sample sent.
"""

import argparse
import json
import math
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

REL_TOL = 1e-9
STEP = 15
# Expressions whose meaning differs between Prometheus 2.42 and 3.x (Hestia follows 3.x), with why.
KNOWN_DIFFERENCES = [
    (re.compile(r"\bholt_winters\s*\("),
     "holt_winters is double_exponential_smoothing (experimental) in Prometheus 3"),
]


# --- queries ---------------------------------------------------------------------------------

class Query:
    def __init__(self, expr, origin, expect=None):
        self.expr, self.origin, self.expect = expr, origin, expect  # expect: None, "empty", "error"


def read_query_file(path, at):
    queries = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            expect = None
            m = re.match(r"^\[(empty|error)\]\s*(.*)$", line)
            if m:
                expect, line = m.group(1), m.group(2)
            origin = f"{os.path.basename(path)}:{n}"
            queries.append(Query(line.replace("$AT", str(at)), origin, expect))
    return queries


def yaml_expr_values(text):
    """The values of every `expr:` key in a YAML rule file: plain, quoted and block scalars.

    A small reader for the shapes rule files use, so that the test needs nothing beyond the
    standard library; it does not interpret the rest of the document."""
    lines = text.split("\n")
    values = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*(?:-\s+)?)expr:(?:\s+(.*))?$", lines[i])
        i += 1
        if not m:
            continue
        key_indent = len(m.group(1))
        rest = (m.group(2) or "").rstrip()
        cont = []
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > key_indent):
            cont.append(lines[i])
            i += 1
        while cont and not cont[-1].strip():
            cont.pop()
        if rest[:1] in ("|", ">"):
            indent = min(len(c) - len(c.lstrip()) for c in cont if c.strip())
            body = [c[indent:] for c in cont]
            values.append("\n".join(body) if rest[0] == "|" else " ".join(b for b in body if b))
        elif rest[:1] in ('"', "'"):
            joined = " ".join([rest] + [c.strip() for c in cont])
            q = rest[0]
            if q == '"':
                end = re.match(r'^"((?:[^"\\]|\\.)*)"', joined)
                values.append(json.loads('"' + end.group(1) + '"'))
            else:
                end = re.match(r"^'((?:[^']|'')*)'", joined)
                values.append(end.group(1).replace("''", "'"))
        else:
            parts = [rest] + [c.strip() for c in cont]
            value = " ".join(p for p in parts if p)
            values.append(re.sub(r"\s+#.*$", "", value))
    return values


def dashboard_exprs(doc):
    found = []

    def walk(node):
        if isinstance(node, dict):
            targets = node.get("targets")
            for target in targets if isinstance(targets, list) else []:
                expr = target.get("expr") if isinstance(target, dict) else None
                if isinstance(expr, str) and expr.strip():
                    found.append(expr)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return found


GRAFANA_BUILTINS = {"__rate_interval": "1m", "__interval": "30s", "__interval_ms": "30000",
                    "__range": "1h", "__range_s": "3600", "__range_ms": "3600000"}
VAR = r"(?:\$\{([A-Za-z_]\w*)(?::\w+)?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::\w+)?\]\])"


def replace_grafana_variables(expr):
    def builtin(m):
        name = m.group(1) or m.group(2) or m.group(3)
        return GRAFANA_BUILTINS.get(name, m.group(0))

    expr = re.sub(VAR, builtin, expr)
    # A matcher whose quoted value holds a variable selects every value.
    def all_values(m):
        return m.group(1) + ("!~" if m.group(2).startswith("!") else "=~") + '".+"'

    expr = re.sub(r'(\w+)\s*(=~|!~|!=|=)\s*"[^"]*' + VAR + r'[^"]*"', all_values, expr)
    return re.sub(VAR, "5m", expr)


def seed_queries(seed_dir):
    queries = []
    for name in sorted(os.listdir(seed_dir)):
        path = os.path.join(seed_dir, name)
        if name.endswith((".yml", ".yaml")):
            with open(path) as f:
                text = f.read()
            if not re.search(r"^groups:", text, re.M):
                continue  # prometheus.yml, alertmanager.yml
            for expr in yaml_expr_values(text):
                queries.append(Query(expr.strip(), name))
        elif name.endswith(".json"):
            with open(path) as f:
                doc = json.load(f)
            for expr in dashboard_exprs(doc):
                queries.append(Query(replace_grafana_variables(expr).strip(), name))
    return queries


# --- HTTP ------------------------------------------------------------------------------------

def api(base_url, path, params):
    body = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(base_url + path, data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read()
    except urllib.error.HTTPError as e:
        text = e.read()
    try:
        return json.loads(text)
    except ValueError:
        return {"status": "error", "errorType": "invalid_json",
                "error": text[:200].decode(errors="replace")}


# --- comparison ------------------------------------------------------------------------------

def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def label_key(metric):
    return ",".join(f'{k}="{v}"' for k, v in sorted(metric.items()))


def keyed(result, diffs, who):
    out = {}
    for s in result:
        key = label_key(s["metric"])
        if key in out:
            diffs.append(f"{who} returned the series {{{key}}} twice")
        out[key] = s
    return out


def compare_points(key, p_points, h_points, diffs):
    if len(p_points) != len(h_points):
        p_t = {float(t) for t, _ in p_points}
        h_t = {float(t) for t, _ in h_points}
        only_p = sorted(p_t - h_t)[:3]
        only_h = sorted(h_t - p_t)[:3]
        diffs.append(f"{{{key}}}: {len(p_points)} points in prometheus, {len(h_points)} in hestia"
                     f" (only prometheus at {only_p}, only hestia at {only_h})")
        return
    for (pt, pv), (ht, hv) in zip(p_points, h_points):
        if abs(float(pt) - float(ht)) > 1e-6:
            diffs.append(f"{{{key}}}: timestamp {pt} in prometheus, {ht} in hestia")
            return
        if not close(float(pv), float(hv)):
            diffs.append(f"{{{key}}} at {pt}: prometheus {pv}, hestia {hv}")
            return


def compare(expr, prom, hestia):
    """Returns (differences, prometheus_result_nonempty)."""
    diffs = []
    if prom.get("status") != hestia.get("status"):
        return [f"prometheus {describe(prom)}; hestia {describe(hestia)}"], False
    if prom.get("status") != "success":
        if prom.get("errorType") != hestia.get("errorType"):
            diffs.append(f"errorType: prometheus {describe(prom)}; hestia {describe(hestia)}")
        return diffs, False
    pd, hd = prom["data"], hestia["data"]
    if pd["resultType"] != hd["resultType"]:
        return [f"resultType: prometheus {pd['resultType']}, hestia {hd['resultType']}"], False
    rtype = pd["resultType"]
    if rtype in ("scalar", "string"):
        pt, pv = pd["result"]
        ht, hv = hd["result"]
        same = pv == hv if rtype == "string" else close(float(pv), float(hv))
        if abs(float(pt) - float(ht)) > 1e-6 or not same:
            diffs.append(f"prometheus {pd['result']}, hestia {hd['result']}")
        return diffs, True
    p, h = keyed(pd["result"], diffs, "prometheus"), keyed(hd["result"], diffs, "hestia")
    for key in sorted(set(p) - set(h))[:5]:
        diffs.append(f"only prometheus has {{{key}}}")
    for key in sorted(set(h) - set(p))[:5]:
        diffs.append(f"only hestia has {{{key}}}")
    for key in sorted(set(p) & set(h)):
        if rtype == "vector":
            compare_points(key, [p[key]["value"]], [h[key]["value"]], diffs)
        else:
            compare_points(key, p[key]["values"], h[key]["values"], diffs)
    if rtype == "vector" and re.match(r"^\s*sort(_desc)?\s*\(", expr) and not diffs:
        pv = [float(s["value"][1]) for s in pd["result"]]
        hv = [float(s["value"][1]) for s in hd["result"]]
        if not all(close(a, b) for a, b in zip(pv, hv)):
            diffs.append(f"order: prometheus {pv}, hestia {hv}")
    return diffs, bool(pd["result"])


def describe(resp):
    if resp.get("status") == "success":
        d = resp["data"]
        n = len(d["result"]) if d["resultType"] in ("vector", "matrix") else 1
        return f"success ({d['resultType']}, {n} results)"
    return f"{resp.get('errorType')}: {resp.get('error')}"


# --- main ------------------------------------------------------------------------------------

def check_ingestion(args, meta, when):
    """Both servers return every series and sample sent, as raw samples of one matrix selector."""
    q = '{__name__=~".+"}[3h]'
    ok = True
    for name, url in (("prometheus", args.prometheus), ("hestia", args.hestia)):
        r = api(url, "/api/v1/query", {"query": q, "time": str(when)})
        if r.get("status") != "success":
            print(f"FAIL: {name}: {describe(r)}")
            ok = False
            continue
        result = r["data"]["result"]
        n = sum(len(s["values"]) for s in result)
        if n != meta["samples"] or len(result) != meta["series"]:
            print(f"FAIL: {name} holds {n} samples in {len(result)} series; "
                  f"{meta['samples']} samples in {meta['series']} series were sent")
            ok = False
    if ok:
        print(f"both servers hold the {meta['samples']} samples sent, in {meta['series']} series")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--meta", required=True, help="the JSON promql_diff_data.py wrote")
    ap.add_argument("--queries", required=True)
    ap.add_argument("--seed-dir", required=True)
    ap.add_argument("--prometheus", required=True, help="base URL of Prometheus 2.42")
    ap.add_argument("--hestia", required=True, help="base URL of Hestia")
    ap.add_argument("--min-queries", type=int, default=60)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    with open(args.meta) as f:
        meta = json.load(f)
    base = meta["base"]
    # Every evaluation time is 7 s past a multiple of 15 s (the range step is 15 s), so never a
    # multiple of a subquery step: the queries' subquery steps are all multiples of 15 s.
    range_end = base + 91 * 60 + 7
    range_start = range_end - 3600
    instants = [base + 20 * 60 + 7, base + 47 * 60 + 37, base + 75 * 60 + 7, base + 89 * 60 + 37,
                base + 93 * 60 + 37]
    at = base + 60 * 60 + 7

    if not check_ingestion(args, meta, base + 95 * 60 + 7):
        return 1

    seeds = seed_queries(args.seed_dir)
    queries, seen = [], set()
    for q in seeds + read_query_file(args.queries, at):
        if q.expr not in seen:
            seen.add(q.expr)
            queries.append(q)

    failures, skipped, evaluations, compared = [], [], 0, 0
    for q in queries:
        reason = next((why for pattern, why in KNOWN_DIFFERENCES if pattern.search(q.expr)), None)
        if reason:
            skipped.append(q)
            print(f"skip  {q.expr}  [{q.origin}: {reason}]")
            continue
        compared += 1
        diffs, nonempty, errors, answers = [], False, 0, []
        runs = [(f"instant@{t}", "/api/v1/query", {"query": q.expr, "time": str(t)})
                for t in instants]
        runs.append((f"range {range_start}..{range_end}/{STEP}s", "/api/v1/query_range",
                     {"query": q.expr, "start": str(range_start), "end": str(range_end),
                      "step": str(STEP)}))
        for label, path, params in runs:
            evaluations += 1
            p, h = api(args.prometheus, path, params), api(args.hestia, path, params)
            d, ne = compare(q.expr, p, h)
            nonempty |= ne
            errors += p.get("status") != "success" and h.get("status") != "success"
            diffs += [f"{label}: {x}" for x in d]
            answers.append(f"{label}: prometheus {describe(p)}; hestia {describe(h)}")
        if q.expect == "error" and errors != len(runs):
            diffs.append("expected both servers to reject the query at every evaluation")
        elif q.expect == "empty" and nonempty:
            diffs.append("expected an empty result at every evaluation")
        elif q.expect is None and not nonempty and not diffs:
            diffs.append("vacuous: Prometheus returned no data at any evaluation "
                         "(test data or query to fix)")
        verdict = "ok  " if not diffs else "FAIL"
        print(f"{verdict}  {q.expr}  [{q.origin}]")
        for a in answers if args.verbose else []:
            print(f"      {a}")
        for d in diffs[:8]:
            print(f"        {d}")
        if len(diffs) > 8:
            print(f"        ... {len(diffs) - 8} more")
        if diffs:
            failures.append(q)

    n_seed = sum(1 for q in queries
                 if q.origin.endswith((".yml", ".yaml", ".json")) and q not in skipped)
    print(f"\n{compared} queries compared ({n_seed} from the seed configs), "
          f"{len(skipped)} skipped, {evaluations} evaluations; "
          f"{compared - len(failures)} agree, {len(failures)} disagree")
    if failures:
        print("disagreeing queries:")
        for q in failures:
            print(f"  {q.expr}  [{q.origin}]")
        return 1
    if compared < args.min_queries:
        print(f"FAIL: only {compared} queries compared, at least {args.min_queries} required")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
