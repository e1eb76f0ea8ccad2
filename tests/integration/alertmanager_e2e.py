#!/usr/bin/env python3
"""End-to-end acceptance of an Alertmanager (issue 6): the real Debian Alertmanager 0.25
(`prometheus-alertmanager`) or `hestia alertmanager`, driven through API v2, notifying a webhook
sink that records every POST with its arrival time. Python standard library only.

  alertmanager_e2e.py --workdir DIR [--targets hestia,real] [--hestia PATH] [--only NAME,...]

Every scenario runs its own server (own config, port, storage path) and sink, all scenarios (and
targets) in parallel. Configs use group_wait 1s, group_interval 2s. Each scenario lists the exact
notifications expected: receiver path, arrival window (seconds after an event of the scenario,
tolerances for a loaded machine, never an assertion about speed) and the whole webhook payload
(receiver, status, alerts with status, labels, annotations, startsAt, endsAt, generatorURL,
fingerprint; groupLabels, commonLabels, commonAnnotations, externalURL, version "4", groupKey,
truncatedAlerts); any other notification fails. The expectations were checked against the real
Alertmanager 0.25 (`--targets real`). Scenarios:

  grouping        two alerts of one group -> one notification with both; another group -> its own;
                  http_config basic_auth (every webhook POST must be Content-Type application/json)
  group_interval  an alert added to a notified group -> next notification group_interval after
                  the previous one (not group_wait after the new alert)
  repeat          an unchanged group repeats at the first flush more than repeat_interval after
                  the last notification (3s with flushes every 2s: at 1s, 5s, 9s)
  resolve         send_resolved true -> a resolved notification; false -> none
  partial_resolve one of two alerts resolved: status firing listing the resolved one (true),
                  nothing (false); the resolved alert then leaves the group
  group_by        ['...'] (a group per alert, groupKey with all labels), [kind] (one group, its
                  alerts ordered by job, instance, labels as Alertmanager sorts), [] (inherited)
  inhibit         a target alert is muted while its source fires and notified at the first
                  flush after the source resolves; API v2 shows it suppressed, inhibitedBy;
                  `equal` labels absent on both sides are equal
  silence         silenced alerts are muted (API v2: suppressed, silencedBy); notified at the first
                  flush after the silence expires, or after DELETE /api/v2/silence/{id}; regex
                  and negative matchers
  continue        `continue: true` fans out to two receivers; max_alerts truncates (truncatedAlerts)
  dedup           identical alerts re-posted every 0.5 s (twice in one request, with endsAt moving
                  forward as Prometheus sends them) -> a single notification
  resolve_timeout an alert posted without endsAt resolves resolve_timeout later
  refire          resolved, then firing again: sent at the group's next flush (no group_wait)
  old_alert       startsAt older than group_wait: the new group flushes at once; an alert
                  resolved before it arrives is never notified
  annotation_change  new annotations alone notify nothing; the next notification carries them
  time_intervals  mute_time_intervals / active_time_intervals (always, never) on routes
  reload          POST /-/reload with a new route: the notified group is not notified again,
                  the new route works
  integrations    two webhook_configs in one receiver: both notified, send_resolved each its own
  many            120 alerts of assorted label sets in one group, in Alertmanager's order (job,
                  instance, then label count, names, values; bytewise)
  mute_edges      a silenced source alert still inhibits; an alert resolved while silenced gets
                  no resolved notification, not even after the silence is deleted
  nested          a grandchild route inherits receiver and group_interval; its group key has
                  every level's matchers; group_by labels missing from the alerts are left out
  retry           a 500 is retried at once (backoff) and then not sent again; a 400 is not
                  retried, nor logged: sent again at every flush
  restart         SIGTERM and restart in the middle of repeat_interval, alerts re-posted: no
                  duplicate notification (notification log persisted), the repeat comes on time;
                  silences survive the restart

Exit status 0 when every scenario of every target passes; failures are printed with the events
received. Shared helpers (Sink, Server, times, fingerprint) are imported by
alertmanager_receivers.py too.
"""

import argparse
import base64
import datetime
import functools
import http.server
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ZERO_TIME = "0001-01-01T00:00:00Z"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rfc3339(ts):
    """Wall-clock seconds -> '2006-01-02T15:04:05.000Z' (milliseconds, UTC)."""
    ms = int(round(ts * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def parse_time(text):
    """RFC 3339 (any fraction length, Z or offset) -> aware datetime, or None."""
    if not isinstance(text, str):
        return None
    t = text.replace("Z", "+00:00")
    # Python wants 0, 3 or 6 fraction digits; Go writes 0 to 9.
    if "." in t:
        head, rest = t.split(".", 1)
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac = (rest[:i] + "000000")[:6]
        t = head + "." + frac + rest[i:]
    try:
        return datetime.datetime.fromisoformat(t)
    except ValueError:
        return None


def same_instant(a, b, tolerance=0.0015):
    pa, pb = parse_time(a), parse_time(b)
    return pa is not None and pb is not None and abs((pa - pb).total_seconds()) < tolerance


def fingerprint(labels):
    """Prometheus model.LabelSet.Fingerprint as Alertmanager prints it (%016x)."""
    h = 14695981039346656037
    for name in sorted(labels):
        for part in (name, labels[name]):
            for b in part.encode() + b"\xff":
                h ^= b
                h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def http_call(method, url, body=None, timeout=10):
    """-> (status, parsed JSON or text or None). Never raises on HTTP errors."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except OSError as e:
        return 0, str(e)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


class Sink:
    """Records every POST: dicts {t, path, headers, body (parsed JSON or raw text)}; answers
    each path with the status codes set in `responses`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        # path -> HTTP status codes to answer, in turn; the last one repeats (default 200, 202
        # for PagerDuty).
        self.responses = {}
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                t = time.monotonic()
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                code = None
                with sink.lock:
                    sink.events.append({"t": t, "method": self.command, "path": self.path,
                                        "headers": dict(self.headers), "body": body})
                    queue = sink.responses.get(self.path)
                    if queue:
                        code = queue.pop(0) if len(queue) > 1 else queue[0]
                reply = b"{}" if not self.path.startswith("/slack") else b"ok"
                if code is None:
                    code = 202 if self.path.startswith("/pagerduty") else 200
                self.send_response(code)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_PUT = do_POST

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def wait_count(self, n, timeout, path=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len([e for e in self.snapshot() if path is None or e["path"] == path]) >= n:
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Server:
    """An Alertmanager process: target 'real' (prometheus-alertmanager) or 'hestia'. Every
    process started is remembered so that kill_all() (on SIGTERM of the driver, e.g. a ctest
    timeout) can kill each by its pid."""

    running_lock = threading.Lock()
    running = set()

    EXTERNAL_URL = "http://am.example.test:9093"

    def __init__(self, target, hestia, workdir, name, config_text):
        self.target, self.hestia, self.name = target, hestia, name
        self.dir = os.path.join(workdir, "%s-%s" % (target, name))
        os.makedirs(self.dir, exist_ok=True)
        self.config_path = os.path.join(self.dir, "alertmanager.yml")
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(config_text)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.starts = 0

    def command(self):
        flags = ["--config.file=" + self.config_path,
                 "--storage.path=" + os.path.join(self.dir, "data"),
                 "--web.listen-address=127.0.0.1:%d" % self.port,
                 "--web.external-url=" + self.EXTERNAL_URL,
                 "--cluster.listen-address=",
                 "--log.level=debug"]
        if self.target == "real":
            return ["prometheus-alertmanager"] + flags
        return [self.hestia, "alertmanager"] + flags

    def start(self, timeout=30):
        # The port came from free_port(): another server or a sink of a scenario running in
        # parallel may have taken it since. Then the server fails to bind: pick another port.
        for _ in range(5):
            if self._start_once(timeout):
                return
            self.port = free_port()
            self.base = "http://127.0.0.1:%d" % self.port
        raise RuntimeError("%s could not bind a free port (log %s)" % (self.name, self.log_path()))

    def _start_once(self, timeout):
        """True once this server answers; False when it lost its port to another process."""
        self.starts += 1
        log = open(os.path.join(self.dir, "log.%d" % self.starts), "w")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        with Server.running_lock:
            Server.running.add(self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                with open(self.log_path(), encoding="utf-8", errors="replace") as f:
                    if "address already in use" in f.read():
                        return False
                raise RuntimeError("%s exited with %s at start (log %s)" %
                                   (self.name, self.proc.returncode, self.log_path()))
            # Ready means this Alertmanager answers: a sink that took the port answers too, but
            # not with a status document.
            status, body = http_call("GET", self.base + "/api/v2/status", timeout=2)
            if status == 200 and isinstance(body, dict) and "versionInfo" in body:
                if self.proc.poll() is None:
                    return True
            time.sleep(0.1)
        raise RuntimeError("%s not ready after %d s (log %s)" % (self.name, timeout, self.log_path()))

    def log_path(self):
        return os.path.join(self.dir, "log.%d" % self.starts)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @staticmethod
    def kill_all():
        with Server.running_lock:
            procs = list(Server.running)
        for p in procs:
            if p.poll() is None:
                p.kill()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def api(self, method, path, body=None):
        return http_call(method, self.base + path, body)

    def post_alerts(self, alerts):
        status, body = self.api("POST", "/api/v2/alerts", alerts)
        if status != 200:
            raise RuntimeError("POST /api/v2/alerts: %s %s" % (status, body))

    def add_silence(self, matchers, starts, ends, comment="e2e"):
        status, body = self.api("POST", "/api/v2/silences", {
            "matchers": [{"name": n, "value": v, "isRegex": False, "isEqual": True}
                         for n, v in matchers.items()],
            "startsAt": rfc3339(starts), "endsAt": rfc3339(ends),
            "createdBy": "e2e", "comment": comment})
        if status != 200 or not isinstance(body, dict) or "silenceID" not in body:
            raise RuntimeError("POST /api/v2/silences: %s %s" % (status, body))
        return body["silenceID"]


# --- expectations --------------------------------------------------------------------------

TOL = 0.9          # late arrival allowed after the flush an event is expected at
EARLY = 0.4        # early arrival allowed before it (timer granularity)
GEN_URL = "http://prometheus.example.test/graph?g0.expr=up"
WEBHOOK_KEYS = {"receiver", "status", "alerts", "groupLabels", "commonLabels", "commonAnnotations",
                "externalURL", "version", "groupKey", "truncatedAlerts"}
ALERT_KEYS = {"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}


class TestAlert:
    """An alert as posted: labels, annotations, startsAt (wall seconds), endsAt or None."""

    def __init__(self, labels, annotations=None, starts=None):
        self.labels = dict(labels)
        self.annotations = dict(annotations or {})
        self.starts = time.time() if starts is None else starts
        self.ends = None
        self.ends_tolerance = 0.0015  # larger when the server chose endsAt (resolve_timeout)
        self.generator_url = GEN_URL

    def posted(self):
        a = {"labels": self.labels, "annotations": self.annotations,
             "startsAt": rfc3339(self.starts), "generatorURL": self.generator_url}
        if self.ends is not None:
            a["endsAt"] = rfc3339(self.ends)
        return a

    def resolve(self, at=None):
        self.ends = time.time() if at is None else at
        return self


def common(maps):
    out = dict(maps[0]) if maps else {}
    for m in maps[1:]:
        out = {k: v for k, v in out.items() if m.get(k) == v}
    return out


def webhook_payload(receiver, alerts, group_labels, group_key, truncated=0):
    """The payload Alertmanager's webhook sends for `alerts` (TestAlerts, in the order expected)."""
    return {"receiver": receiver,
            "status": "firing" if any(a.ends is None for a in alerts) else "resolved",
            "alerts": alerts,
            "groupLabels": group_labels,
            "commonLabels": common([a.labels for a in alerts]),
            "commonAnnotations": common([a.annotations for a in alerts]),
            "externalURL": Server.EXTERNAL_URL, "version": "4", "groupKey": group_key,
            "truncatedAlerts": truncated}


def payload_diffs(got, want):
    """Differences between a received webhook body and webhook_payload(...) (times compared as
    instants; a firing alert's endsAt is Go's zero time, as Alertmanager writes it)."""
    if not isinstance(got, dict):
        return ["body is not a JSON object: %r" % (got,)]
    diffs = []
    if set(got) != WEBHOOK_KEYS:
        diffs.append("keys %s, want %s" % (sorted(got), sorted(WEBHOOK_KEYS)))
    for k in WEBHOOK_KEYS - {"alerts"}:
        if got.get(k) != want[k]:
            diffs.append("%s: got %r, want %r" % (k, got.get(k), want[k]))
    galerts = got.get("alerts") or []
    if len(galerts) != len(want["alerts"]):
        diffs.append("%d alerts %s, want %d %s" % (
            len(galerts), [a.get("labels") for a in galerts], len(want["alerts"]),
            [a.labels for a in want["alerts"]]))
        return diffs
    for i, (g, w) in enumerate(zip(galerts, want["alerts"])):
        if set(g) != ALERT_KEYS:
            diffs.append("alert %d keys %s" % (i, sorted(g)))
        wstatus = "firing" if w.ends is None else "resolved"
        expect = {"status": wstatus, "labels": w.labels, "annotations": w.annotations,
                  "generatorURL": w.generator_url, "fingerprint": fingerprint(w.labels)}
        for k, v in expect.items():
            if g.get(k) != v:
                diffs.append("alert %d %s: got %r, want %r" % (i, k, g.get(k), v))
        if not same_instant(g.get("startsAt"), rfc3339(w.starts)):
            diffs.append("alert %d startsAt %r, want %s" % (i, g.get("startsAt"), rfc3339(w.starts)))
        if w.ends is None:
            if g.get("endsAt") != ZERO_TIME:
                diffs.append("alert %d endsAt %r, want %s" % (i, g.get("endsAt"), ZERO_TIME))
        elif not same_instant(g.get("endsAt"), rfc3339(w.ends), w.ends_tolerance):
            diffs.append("alert %d endsAt %r, want %s" % (i, g.get("endsAt"), rfc3339(w.ends)))
    return diffs


class Expected:
    def __init__(self, path, lo, hi, payload, what):
        self.path, self.lo, self.hi, self.payload, self.what = path, lo, hi, payload, what


def snapshot_alerts(alerts):
    """Copies TestAlerts as they are now (payload expectations must not see later resolves)."""
    out = []
    for a in alerts:
        c = TestAlert(a.labels, a.annotations, a.starts)
        c.ends, c.ends_tolerance, c.generator_url = a.ends, a.ends_tolerance, a.generator_url
        out.append(c)
    return out


# --- scenarios -----------------------------------------------------------------------------

def route_yaml(receiver="hook", repeat="1h", group_by="[alertname]"):
    return ("route:\n  receiver: %s\n  group_by: %s\n  group_wait: 1s\n  group_interval: 2s\n"
            "  repeat_interval: %s\n" % (receiver, group_by, repeat))


def hook_receiver(name, url, extra=""):
    return "  - name: %s\n    webhook_configs:\n      - url: %s\n%s" % (name, url, extra)


class Ctx:
    """One scenario run: its server, sink, expectations, failures, clock (monotonic t0)."""

    def __init__(self, name, target, server, sink):
        self.name, self.target, self.server, self.sink = name, target, server, sink
        self.expected = []
        self.failures = []
        self.t0 = time.monotonic()
        self.notes = []

    def now(self):
        return time.monotonic() - self.t0

    def sleep_until(self, rel):
        d = self.t0 + rel - time.monotonic()
        if d > 0:
            time.sleep(d)

    def expect(self, path, lo, hi, payload, what):
        """A notification to `path` arriving in [lo, hi] (seconds since t0)."""
        self.expected.append(Expected(path, self.t0 + lo, self.t0 + hi, payload, what))

    def fail(self, msg):
        self.failures.append(msg)

    def post(self, alerts):
        self.server.post_alerts([a.posted() for a in alerts])

    def alert_states(self):
        status, body = self.server.api("GET", "/api/v2/alerts")
        if status != 200 or not isinstance(body, list):
            self.fail("GET /api/v2/alerts: %s %r" % (status, body))
            return {}
        return {a.get("fingerprint"): a.get("status") for a in body}

    def check_status(self, alert, state, silenced_by=(), inhibited_by=()):
        fp = fingerprint(alert.labels)
        got = self.alert_states().get(fp)
        want = {"state": state, "silencedBy": list(silenced_by), "inhibitedBy": list(inhibited_by)}
        if got != want:
            self.fail("at %.1fs GET /api/v2/alerts status of %s: got %r, want %r" %
                      (self.now(), alert.labels, got, want))

    def verify(self):
        events = sorted(self.sink.snapshot(), key=lambda e: e["t"])
        for e in events:
            if e["headers"].get("Content-Type") != "application/json":
                self.fail("webhook Content-Type %r at %.2fs" %
                          (e["headers"].get("Content-Type"), e["t"] - self.t0))
        used = set()
        for exp in self.expected:
            found = None
            near = []
            for i, e in enumerate(events):
                if i in used or e["path"] != exp.path:
                    continue
                diffs = payload_diffs(e["body"], exp.payload)
                if not diffs and exp.lo <= e["t"] <= exp.hi:
                    found = i
                    break
                near.append("  at %.2fs: %s" % (e["t"] - self.t0,
                                                 "; ".join(diffs) if diffs else "payload as expected"))
            if found is None:
                self.fail("missing %s: %s in [%.2fs, %.2fs]%s" % (
                    exp.what, exp.path, exp.lo - self.t0, exp.hi - self.t0,
                    ("; unmatched notifications to that path:\n" + "\n".join(near)) if near else ""))
            else:
                used.add(found)
        for i, e in enumerate(events):
            if i not in used:
                b = e["body"] if isinstance(e["body"], dict) else {}
                self.fail("unexpected notification at %.2fs to %s: status %s, groupKey %s, alerts %s" % (
                    e["t"] - self.t0, e["path"], b.get("status"), b.get("groupKey"),
                    [(a.get("status"), a.get("labels")) for a in b.get("alerts", [])]))


def scenario_grouping():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver(
            "hook", sink.url("/hook"), "        http_config:\n          basic_auth: {username: am, password: s3cret}\n")

    def run(c):
        a1 = TestAlert({"alertname": "Grouped", "instance": "a", "job": "j"},
                       {"summary": "same", "description": "a"})
        a2 = TestAlert({"alertname": "Grouped", "instance": "b", "job": "j"},
                       {"summary": "same", "description": "b"})
        b = TestAlert({"alertname": "Lonely", "instance": "a", "job": "j"}, {"summary": "lonely"})
        c.post([a2, b, a1])
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", [a1, a2], {"alertname": "Grouped"}, '{}:{alertname="Grouped"}'), "both Grouped alerts")
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", [b], {"alertname": "Lonely"}, '{}:{alertname="Lonely"}'), "the Lonely group")
        c.sleep_until(5.5)
        auth = "Basic " + base64.b64encode(b"am:s3cret").decode()
        for e in c.sink.snapshot():
            if e["headers"].get("Authorization") != auth:
                c.fail("webhook Authorization header %r, want %r (http_config.basic_auth)" %
                       (e["headers"].get("Authorization"), auth))
    return config, run


def scenario_group_interval():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        x1 = TestAlert({"alertname": "Interval", "instance": "1"})
        x2 = TestAlert({"alertname": "Interval", "instance": "2"})
        c.post([x1, x2])
        key = '{}:{alertname="Interval"}'
        c.expect("/hook", 1 - EARLY, 1 + TOL,
                 webhook_payload("hook", [x1, x2], {"alertname": "Interval"}, key), "first flush")
        if not c.sink.wait_count(1, 4):
            c.fail("no first notification within 4 s")
            return
        t1 = c.sink.snapshot()[0]["t"] - c.t0
        x3 = TestAlert({"alertname": "Interval", "instance": "3"})
        c.post([x3])
        c.expect("/hook", t1 + 2 - EARLY, t1 + 2 + TOL,
                 webhook_payload("hook", [x1, x2, x3], {"alertname": "Interval"}, key),
                 "the added alert, group_interval after the first notification")
        c.sleep_until(t1 + 5.5)
    return config, run


def scenario_repeat():
    def config(sink):
        return route_yaml(repeat="3s") + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        r = TestAlert({"alertname": "Repeat", "severity": "page"})
        c.post([r])
        want = webhook_payload("hook", [r], {"alertname": "Repeat"}, '{}:{alertname="Repeat"}')
        for at, what in ((1, "first notification"), (5, "first repeat"), (9, "second repeat")):
            c.expect("/hook", at - EARLY, at + TOL, want, what)
        c.sleep_until(10.3)
    return config, run


def scenario_resolve():
    def config(sink):
        return (route_yaml(receiver="default") +
                "  routes:\n"
                "    - matchers: ['sr=\"true\"']\n      receiver: resolved\n"
                "    - matchers: ['sr=\"false\"']\n      receiver: quiet\n"
                "receivers:\n" + "  - name: default\n" +
                hook_receiver("resolved", sink.url("/resolved"), "        send_resolved: true\n") +
                hook_receiver("quiet", sink.url("/quiet"), "        send_resolved: false\n"))

    def run(c):
        rt = TestAlert({"alertname": "Resolve", "sr": "true"}, {"summary": "resolves"})
        rf = TestAlert({"alertname": "Resolve", "sr": "false"}, {"summary": "resolves quietly"})
        c.post([rt, rf])
        kt, kf = '{}/{sr="true"}:{alertname="Resolve"}', '{}/{sr="false"}:{alertname="Resolve"}'
        g = {"alertname": "Resolve"}
        c.expect("/resolved", 1 - EARLY, 1 + TOL, webhook_payload("resolved", snapshot_alerts([rt]), g, kt),
                 "firing (send_resolved true)")
        c.expect("/quiet", 1 - EARLY, 1 + TOL, webhook_payload("quiet", snapshot_alerts([rf]), g, kf),
                 "firing (send_resolved false)")
        c.sleep_until(2.0)
        rt.resolve()
        rf.resolve()
        c.post([rt, rf])
        c.expect("/resolved", 3 - EARLY, 3 + TOL, webhook_payload("resolved", [rt], g, kt),
                 "resolved notification")
        c.sleep_until(7.5)
    return config, run


def scenario_inhibit():
    def config(sink):
        return (route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook")) +
                "inhibit_rules:\n"
                "  - source_matchers: ['severity=\"critical\"']\n"
                "    target_matchers: ['severity=\"warning\"']\n"
                "    equal: [instance]\n")

    def run(c):
        src = TestAlert({"alertname": "Source", "severity": "critical", "instance": "i1"})
        t1 = TestAlert({"alertname": "Target", "severity": "warning", "instance": "i1"})
        t2 = TestAlert({"alertname": "Target", "severity": "warning", "instance": "i2"})
        # `equal` labels missing on both sides count as equal: Unlabelled stays muted throughout.
        src_bare = TestAlert({"alertname": "SourceBare", "severity": "critical"})
        t_bare = TestAlert({"alertname": "Unlabelled", "severity": "warning"})
        c.post([src, t1, t2, src_bare, t_bare])
        ks, kt = '{}:{alertname="Source"}', '{}:{alertname="Target"}'
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", [src_bare], {"alertname": "SourceBare"}, '{}:{alertname="SourceBare"}'), "bare source firing")
        c.expect("/hook", 1 - EARLY, 1 + TOL,
                 webhook_payload("hook", snapshot_alerts([src]), {"alertname": "Source"}, ks), "source firing")
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload("hook", [t2], {"alertname": "Target"}, kt),
                 "the target group without the inhibited alert")
        c.sleep_until(1.6)
        c.check_status(t1, "suppressed", inhibited_by=[fingerprint(src.labels)])
        c.check_status(t2, "active")
        c.check_status(t_bare, "suppressed", inhibited_by=[fingerprint(src_bare.labels)])
        c.sleep_until(2.0)
        src.resolve()
        c.post([src])
        c.expect("/hook", 3 - EARLY, 3 + TOL, webhook_payload("hook", [src], {"alertname": "Source"}, ks),
                 "source resolved")
        c.expect("/hook", 3 - EARLY, 3 + TOL, webhook_payload("hook", [t1, t2], {"alertname": "Target"}, kt),
                 "the target group with the alert no longer inhibited")
        c.sleep_until(3.8)
        c.check_status(t1, "active")
        c.sleep_until(5.7)
    return config, run


def scenario_silence():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        wall0 = time.time()
        sd = TestAlert({"alertname": "SilencedDeleted"})
        se = TestAlert({"alertname": "SilencedExpiring"})
        id_d = c.server.add_silence({"alertname": "SilencedDeleted"}, wall0, wall0 + 3600)
        id_e = c.server.add_silence({"alertname": "SilencedExpiring"}, wall0, wall0 + 4.0)
        # Regex and negative matchers: silences SilencedRegex (instance a) all along, not b.
        sr_a = TestAlert({"alertname": "SilencedRegex", "instance": "a"})
        sr_b = TestAlert({"alertname": "SilencedRegex", "instance": "b"})
        status, body = c.server.api("POST", "/api/v2/silences", {
            "matchers": [{"name": "alertname", "value": "Silenced(Re|Xx)gex", "isRegex": True, "isEqual": True},
                         {"name": "instance", "value": "b", "isRegex": False, "isEqual": False}],
            "startsAt": rfc3339(wall0), "endsAt": rfc3339(wall0 + 3600), "createdBy": "e2e", "comment": "re"})
        id_r = body.get("silenceID") if isinstance(body, dict) else None
        if status != 200 or not id_r:
            c.fail("POST /api/v2/silences with regex and != matchers: %s %r" % (status, body))
        c.t0 = time.monotonic() - (time.time() - wall0)
        c.post([sd, se, sr_a, sr_b])
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", [sr_b], {"alertname": "SilencedRegex"}, '{}:{alertname="SilencedRegex"}'),
            "the alert the negative matcher leaves out")
        c.sleep_until(1.6)
        c.check_status(sd, "suppressed", silenced_by=[id_d])
        c.check_status(se, "suppressed", silenced_by=[id_e])
        c.check_status(sr_a, "suppressed", silenced_by=[id_r] if id_r else [])
        c.check_status(sr_b, "active")
        c.expect("/hook", 4.0, 5 + TOL, webhook_payload(
            "hook", [se], {"alertname": "SilencedExpiring"}, '{}:{alertname="SilencedExpiring"}'),
            "the alert of the expired silence")
        c.sleep_until(4.3)
        status, body = c.server.api("GET", "/api/v2/silence/" + id_e)
        state = body.get("status", {}).get("state") if isinstance(body, dict) else None
        if status != 200 or state != "expired":
            c.fail("GET /api/v2/silence/%s after its end: %s %r, want state expired" % (id_e, status, body))
        c.sleep_until(5.6)
        status, body = c.server.api("DELETE", "/api/v2/silence/" + id_d)
        if status != 200:
            c.fail("DELETE /api/v2/silence/%s: %s %r" % (id_d, status, body))
        c.expect("/hook", 5.6, 7 + TOL, webhook_payload(
            "hook", [sd], {"alertname": "SilencedDeleted"}, '{}:{alertname="SilencedDeleted"}'),
            "the alert of the deleted silence")
        c.sleep_until(8.2)
    return config, run


def scenario_continue():
    def config(sink):
        return (route_yaml(receiver="hook") +
                "  routes:\n"
                "    - matchers: ['team=\"x\"']\n      receiver: fan-a\n      continue: true\n"
                "    - matchers: ['alertname=\"Fan\"']\n      receiver: fan-b\n"
                "    - matchers: ['team=\"x\"']\n      receiver: fan-c\n"
                "receivers:\n" + hook_receiver("hook", sink.url("/hook")) +
                hook_receiver("fan-a", sink.url("/a")) +
                hook_receiver("fan-b", sink.url("/b"), "        max_alerts: 1\n") +
                hook_receiver("fan-c", sink.url("/c")))

    def run(c):
        f1 = TestAlert({"alertname": "Fan", "team": "x", "instance": "1"}, {"summary": "s1"})
        f2 = TestAlert({"alertname": "Fan", "team": "x", "instance": "2"}, {"summary": "s2"})
        c.post([f2, f1])
        g = {"alertname": "Fan"}
        c.expect("/a", 1 - EARLY, 1 + TOL,
                 webhook_payload("fan-a", [f1, f2], g, '{}/{team="x"}:{alertname="Fan"}'), "fan-a")
        # max_alerts: 1 keeps the first alert; Alertmanager 0.25 computes commonLabels and
        # commonAnnotations over the alerts it keeps.
        want_b = webhook_payload("fan-b", [f1], g, '{}/{alertname="Fan"}:{alertname="Fan"}', truncated=1)
        c.expect("/b", 1 - EARLY, 1 + TOL, want_b, "fan-b (truncated to 1)")
        c.sleep_until(4.2)
    return config, run


def scenario_dedup():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        d = TestAlert({"alertname": "Dedup", "instance": "x"}, {"summary": "again"})
        c.post([d, d])
        # Re-posted as Prometheus does, with an endsAt moving forward (still firing), and with
        # labels in another order.
        e = TestAlert({"alertname": "Dedup", "instance": "y"}, {"summary": "again"})
        c.post([e])
        c.expect("/hook", 1 - EARLY, 1 + TOL,
                 webhook_payload("hook", [d, e], {"alertname": "Dedup"}, '{}:{alertname="Dedup"}'),
                 "the only notification")
        at = 0.5
        while at < 6:
            c.sleep_until(at)
            again = e.posted()
            again["endsAt"] = rfc3339(time.time() + 4)
            again["labels"] = dict(reversed(list(e.labels.items())))
            c.server.post_alerts([d.posted(), again])
            at += 0.5
        c.sleep_until(6.5)
    return config, run


def scenario_restart():
    def config(sink):
        return route_yaml(repeat="6s") + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        wall0 = time.time()
        r = TestAlert({"alertname": "Restart"})
        rs = TestAlert({"alertname": "RestartSilenced"})
        sid = c.server.add_silence({"alertname": "RestartSilenced"}, wall0, wall0 + 3600)
        c.t0 = time.monotonic() - (time.time() - wall0)
        c.post([r, rs])
        want = webhook_payload("hook", [r], {"alertname": "Restart"}, '{}:{alertname="Restart"}')
        c.expect("/hook", 1 - EARLY, 1 + TOL, want, "first notification")
        if not c.sink.wait_count(1, 4):
            c.fail("no first notification within 4 s")
            return
        t1 = c.sink.snapshot()[0]["t"] - c.t0
        c.sleep_until(2.5)
        c.server.stop()
        c.notes.append("stopped at %.2fs (exit %s)" % (c.now(), c.server.proc.returncode))
        c.server.start()
        c.notes.append("ready again at %.2fs" % c.now())
        c.post([r, rs])
        status, body = c.server.api("GET", "/api/v2/silences")
        mine = [s for s in body if s.get("id") == sid] if status == 200 and isinstance(body, list) else []
        if len(mine) != 1 or mine[0].get("status", {}).get("state") != "active" or \
                [(m.get("name"), m.get("value")) for m in mine[0].get("matchers", [])] != \
                [("alertname", "RestartSilenced")]:
            c.fail("silence %s after restart: GET /api/v2/silences %s %r" % (sid, status, body))
        # Flushes of the new group at r+1, r+3, ...: the first one more than repeat_interval (6s)
        # after the notification logged before the restart sends the repeat.
        c.expect("/hook", t1 + 6 - 0.2, t1 + 6 + 2 + TOL, want, "the repeat after the restart")
        c.sleep_until(t1 + 9.5)
    return config, run


def scenario_partial_resolve():
    def config(sink):
        return (route_yaml(receiver="default") +
                "  routes:\n"
                "    - matchers: ['sr=\"true\"']\n      receiver: resolved\n"
                "    - matchers: ['sr=\"false\"']\n      receiver: quiet\n"
                "receivers:\n" + "  - name: default\n" +
                hook_receiver("resolved", sink.url("/resolved"), "        send_resolved: true\n") +
                hook_receiver("quiet", sink.url("/quiet"), "        send_resolved: false\n"))

    def run(c):
        g = {"alertname": "Partial"}
        kt, kf = '{}/{sr="true"}:{alertname="Partial"}', '{}/{sr="false"}:{alertname="Partial"}'
        t1, t2 = (TestAlert({"alertname": "Partial", "sr": "true", "instance": i}) for i in "12")
        f1, f2 = (TestAlert({"alertname": "Partial", "sr": "false", "instance": i}) for i in "12")
        c.post([t1, t2, f1, f2])
        c.expect("/resolved", 1 - EARLY, 1 + TOL,
                 webhook_payload("resolved", snapshot_alerts([t1, t2]), g, kt), "both firing (send_resolved true)")
        c.expect("/quiet", 1 - EARLY, 1 + TOL,
                 webhook_payload("quiet", snapshot_alerts([f1, f2]), g, kf), "both firing (send_resolved false)")
        c.sleep_until(2.0)
        t1.resolve()
        f1.resolve()
        c.post([t1, f1])
        # One of two resolved: status stays firing, the resolved alert is listed; with
        # send_resolved false nothing is sent (the firing set shrank, nothing new fires).
        c.expect("/resolved", 3 - EARLY, 3 + TOL,
                 webhook_payload("resolved", snapshot_alerts([t1, t2]), g, kt), "one resolved, one firing")
        c.sleep_until(5.8)
        t2.resolve()
        f2.resolve()
        c.post([t2, f2])
        # The alert notified as resolved left the group: only the second one now.
        c.expect("/resolved", 7 - EARLY, 7 + TOL, webhook_payload("resolved", [t2], g, kt), "all resolved")
        c.sleep_until(9.6)
    return config, run


def scenario_group_by():
    def config(sink):
        return (route_yaml(receiver="default") +
                "  routes:\n"
                "    - matchers: ['kind=\"each\"']\n      receiver: each\n      group_by: ['...']\n"
                "    - matchers: ['kind=\"one\"']\n      receiver: one\n      group_by: [kind]\n"
                "    - matchers: ['kind=\"inherit\"']\n      receiver: inherit\n      group_by: []\n"
                "receivers:\n" + "  - name: default\n" +
                hook_receiver("each", sink.url("/each")) + hook_receiver("one", sink.url("/one")) +
                hook_receiver("inherit", sink.url("/inherit")))

    def run(c):
        e1 = TestAlert({"alertname": "Each", "kind": "each", "instance": "1"})
        e2 = TestAlert({"alertname": "Each", "kind": "each", "instance": "2"})
        # Alertmanager orders a group's alerts by job, then instance (alerts having them first),
        # then by their labels.
        o_no_job = TestAlert({"alertname": "M", "kind": "one", "instance": "0"})
        o_job_b = TestAlert({"alertname": "A", "kind": "one", "job": "b", "instance": "1"})
        o_job_a2 = TestAlert({"alertname": "Z", "kind": "one", "job": "a", "instance": "2"})
        o_job_a1 = TestAlert({"alertname": "Z", "kind": "one", "job": "a", "instance": "1"})
        # An empty group_by is no group_by in Alertmanager 0.25: inherited from the parent.
        i1 = TestAlert({"alertname": "I1", "kind": "inherit"})
        i2 = TestAlert({"alertname": "I2", "kind": "inherit"})
        c.post([e2, o_no_job, o_job_b, e1, o_job_a2, i1, o_job_a1, i2])
        for i in (i1, i2):
            name = i.labels["alertname"]
            c.expect("/inherit", 1 - EARLY, 1 + TOL, webhook_payload(
                "inherit", [i], {"alertname": name}, '{}/{kind="inherit"}:{alertname="%s"}' % name),
                "group_by [] inheriting [alertname]: %s" % name)
        for e in (e1, e2):
            c.expect("/each", 1 - EARLY, 1 + TOL, webhook_payload(
                "each", [e], e.labels,
                '{}/{kind="each"}:{alertname="Each", instance="%s", kind="each"}' % e.labels["instance"]),
                "group_by ... alert %s" % e.labels["instance"])
        c.expect("/one", 1 - EARLY, 1 + TOL, webhook_payload(
            "one", [o_job_a1, o_job_a2, o_job_b, o_no_job], {"kind": "one"}, '{}/{kind="one"}:{kind="one"}'),
            "group_by [kind] (one group, alerts ordered by job, instance, labels)")
        c.sleep_until(4.2)
    return config, run


def scenario_resolve_timeout():
    def config(sink):
        return ("global:\n  resolve_timeout: 4s\n" + route_yaml() + "receivers:\n" +
                hook_receiver("hook", sink.url("/hook")))

    def run(c):
        a = TestAlert({"alertname": "Timeout"})
        c.post([a])  # no endsAt: Alertmanager sets now + resolve_timeout
        key, g = '{}:{alertname="Timeout"}', {"alertname": "Timeout"}
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload("hook", snapshot_alerts([a]), g, key), "firing")
        a.resolve(time.time() + 4)
        a.ends_tolerance = 0.5
        c.expect("/hook", 5 - EARLY, 5 + TOL, webhook_payload("hook", [a], g, key),
                 "resolved by resolve_timeout (4s) at the flush after it")
        c.sleep_until(7.6)
    return config, run


def scenario_refire():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        a = TestAlert({"alertname": "Refire"})
        key, g = '{}:{alertname="Refire"}', {"alertname": "Refire"}
        c.post([a])
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload("hook", snapshot_alerts([a]), g, key), "firing")
        c.sleep_until(2.0)
        a.resolve()
        c.post([a])
        c.expect("/hook", 3 - EARLY, 3 + TOL, webhook_payload("hook", snapshot_alerts([a]), g, key), "resolved")
        c.sleep_until(3.3)
        # Fires again (new startsAt): the emptied group lives on (Alertmanager removes empty
        # groups in its 30 s maintenance), so the next flush of its timer sends it, no group_wait.
        b = TestAlert({"alertname": "Refire"})
        c.post([b])
        c.expect("/hook", 5 - EARLY, 5 + TOL, webhook_payload("hook", [b], g, key), "firing again")
        c.sleep_until(7.6)
    return config, run


def scenario_old_alert():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        # startsAt more than group_wait ago: the new group flushes at once, then every group_interval.
        a = TestAlert({"alertname": "Old"}, starts=time.time() - 60)
        # Already resolved when it arrives: never notified.
        r = TestAlert({"alertname": "OldResolved"}, starts=time.time() - 60).resolve(time.time() - 30)
        c.post([a, r])
        c.expect("/hook", 0, 0.6, webhook_payload("hook", snapshot_alerts([a]), {"alertname": "Old"},
                                                  '{}:{alertname="Old"}'), "immediate flush")
        c.sleep_until(1.0)
        b = TestAlert({"alertname": "Old", "instance": "2"})
        c.post([b])
        # The alert with an instance label sorts first.
        c.expect("/hook", 2 - EARLY, 2 + TOL, webhook_payload("hook", [b, a], {"alertname": "Old"},
                                                              '{}:{alertname="Old"}'), "group_interval later")
        c.sleep_until(4.6)
    return config, run


def scenario_reload():
    def config(sink, extra=""):
        return (route_yaml() + extra + "receivers:\n" + hook_receiver("hook", sink.url("/hook")) +
                hook_receiver("other", sink.url("/other")))

    def run(c):
        a = TestAlert({"alertname": "Reload"})
        c.post([a])
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", [a], {"alertname": "Reload"}, '{}:{alertname="Reload"}'), "before the reload")
        c.sleep_until(1.8)
        # A new route: groups are rebuilt and alerts re-dispatched; the notification log keeps
        # the unchanged group from being notified again.
        with open(c.server.config_path, "w", encoding="utf-8") as f:
            f.write(config(c.sink, "  routes:\n    - matchers: ['alertname=\"New\"']\n      receiver: other\n"))
        status, body = c.server.api("POST", "/-/reload")
        if status != 200:
            c.fail("POST /-/reload: %s %r" % (status, body))
        c.sleep_until(2.2)
        n = TestAlert({"alertname": "New"})
        c.post([n])
        c.expect("/other", 3.2 - EARLY, 3.2 + TOL, webhook_payload(
            "other", [n], {"alertname": "New"}, '{}/{alertname="New"}:{alertname="New"}'), "the new route")
        c.sleep_until(6.5)
    return config, run


def scenario_integrations():
    def config(sink):
        return (route_yaml() + "receivers:\n" +
                "  - name: hook\n    webhook_configs:\n"
                "      - url: %s\n      - url: %s\n        send_resolved: false\n" %
                (sink.url("/one"), sink.url("/two")))

    def run(c):
        a = TestAlert({"alertname": "Two"})
        key, g = '{}:{alertname="Two"}', {"alertname": "Two"}
        c.post([a])
        for path in ("/one", "/two"):
            c.expect(path, 1 - EARLY, 1 + TOL, webhook_payload("hook", snapshot_alerts([a]), g, key),
                     "firing to %s" % path)
        c.sleep_until(2.0)
        a.resolve()
        c.post([a])
        c.expect("/one", 3 - EARLY, 3 + TOL, webhook_payload("hook", [a], g, key), "resolved to /one only")
        c.sleep_until(5.6)
    return config, run


def scenario_annotation_change():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        key, g = '{}:{alertname="Annotated"}', {"alertname": "Annotated"}
        a = TestAlert({"alertname": "Annotated", "instance": "1"}, {"summary": "old text"})
        c.post([a])
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload("hook", snapshot_alerts([a]), g, key), "first")
        c.sleep_until(1.6)
        # Same labels, new annotation: the firing set is unchanged, so no notification ...
        a.annotations = {"summary": "new text"}
        c.post([a])
        c.sleep_until(3.6)
        # ... until something else changes; then the new annotation is sent.
        b = TestAlert({"alertname": "Annotated", "instance": "2"}, {"summary": "new text"})
        c.post([b])
        c.expect("/hook", 5 - EARLY, 5 + TOL, webhook_payload("hook", [a, b], g, key), "with the new annotation")
        c.sleep_until(7.6)
    return config, run


def scenario_time_intervals():
    def config(sink):
        routes = "".join(
            "    - matchers: ['kind=\"%s\"']\n      receiver: hook\n      %s: [%s]\n" % row for row in (
                ("mute_always", "mute_time_intervals", "always"),
                ("mute_never", "mute_time_intervals", "never"),
                ("active_always", "active_time_intervals", "always"),
                ("active_never", "active_time_intervals", "never")))
        return ("time_intervals:\n"
                "  - name: always\n    time_intervals:\n"
                "      - weekdays: ['sunday:saturday']\n        times: [{start_time: '00:00', end_time: '24:00'}]\n"
                "  - name: never\n    time_intervals:\n      - years: ['1999']\n" +
                route_yaml(group_by="[kind]") + "  routes:\n" + routes +
                "receivers:\n" + hook_receiver("hook", sink.url("/hook")))

    def run(c):
        alerts = {k: TestAlert({"alertname": "Timed", "kind": k})
                  for k in ("mute_always", "mute_never", "active_always", "active_never")}
        c.post(list(alerts.values()))
        for k in ("mute_never", "active_always"):
            c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
                "hook", [alerts[k]], {"kind": k}, '{}/{kind="%s"}:{kind="%s"}' % (k, k)), k)
        c.sleep_until(1.6)
        # Alertmanager 0.25 does not show time-interval muting in API v2.
        c.check_status(alerts["mute_always"], "active")
        c.sleep_until(4.2)
    return config, run


def scenario_retry():
    def config(sink):
        sink.responses["/flaky"] = [500, 200]
        sink.responses["/rejecting"] = [400]
        return (route_yaml() + "  routes:\n"
                "    - matchers: ['alertname=\"Flaky\"']\n      receiver: flaky\n"
                "    - matchers: ['alertname=\"Rejected\"']\n      receiver: rejecting\n"
                "receivers:\n  - name: hook\n" + hook_receiver("flaky", sink.url("/flaky")) +
                hook_receiver("rejecting", sink.url("/rejecting")))

    def run(c):
        f = TestAlert({"alertname": "Flaky"})
        r = TestAlert({"alertname": "Rejected"})
        c.post([f, r])
        want_f = webhook_payload("flaky", [f], {"alertname": "Flaky"}, '{}/{alertname="Flaky"}:{alertname="Flaky"}')
        # 500: retried within the flush (exponential backoff from about 0.5 s), then logged.
        c.expect("/flaky", 1 - EARLY, 1 + TOL, want_f, "first attempt (500)")
        c.expect("/flaky", 1 - EARLY, 2.9, want_f, "retry (200)")
        # 400: not retried, not logged, so sent again at every flush.
        want_r = webhook_payload("rejecting", [r], {"alertname": "Rejected"},
                                 '{}/{alertname="Rejected"}:{alertname="Rejected"}')
        for at in (1, 3, 5):
            c.expect("/rejecting", at - EARLY, at + TOL, want_r, "attempt at the flush at %ds (400)" % at)
        c.sleep_until(6.3)
    return config, run


def scenario_nested():
    def config(sink):
        return (route_yaml(receiver="hook") +
                "  routes:\n"
                "    - matchers: ['team=\"db\"']\n      receiver: db\n      group_interval: 4s\n"
                "      routes:\n"
                "        - matchers: ['severity=~\"page|critical\"']\n          group_by: [alertname, cluster]\n"
                "receivers:\n" + hook_receiver("hook", sink.url("/hook")) + hook_receiver("db", sink.url("/db")))

    def run(c):
        # The grandchild inherits receiver db and group_interval 4s; cluster is missing from the
        # alerts, so it is not among the group labels.
        key = '{}/{team="db"}/{severity=~"page|critical"}:{alertname="Nested"}'
        g = {"alertname": "Nested"}
        a = TestAlert({"alertname": "Nested", "team": "db", "severity": "page", "instance": "1"})
        c.post([a])
        c.expect("/db", 1 - EARLY, 1 + TOL, webhook_payload("db", snapshot_alerts([a]), g, key), "first")
        c.sleep_until(1.6)
        b = TestAlert({"alertname": "Nested", "team": "db", "severity": "critical", "instance": "2"})
        c.post([b])
        c.expect("/db", 5 - EARLY, 5 + TOL, webhook_payload("db", [a, b], g, key),
                 "the added alert after the inherited group_interval (4s)")
        c.sleep_until(7.0)
    return config, run


def scenario_mute_edges():
    def config(sink):
        return (route_yaml() + "receivers:\n" +
                hook_receiver("hook", sink.url("/hook"), "        send_resolved: true\n") +
                "inhibit_rules:\n"
                "  - source_matchers: ['alertname=\"MuteSource\"']\n"
                "    target_matchers: ['alertname=\"MuteTarget\"']\n")

    def run(c):
        wall0 = time.time()
        # A silenced source still inhibits.
        src = TestAlert({"alertname": "MuteSource"})
        tgt = TestAlert({"alertname": "MuteTarget"})
        sid = c.server.add_silence({"alertname": "MuteSource"}, wall0, wall0 + 3600)
        c.t0 = time.monotonic() - (time.time() - wall0)
        # Resolved while silenced: the resolved notification is never sent.
        r = TestAlert({"alertname": "ResolvedWhileSilenced"})
        c.post([src, tgt, r])
        key = '{}:{alertname="ResolvedWhileSilenced"}'
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", snapshot_alerts([r]), {"alertname": "ResolvedWhileSilenced"}, key), "firing")
        c.sleep_until(1.5)
        c.check_status(src, "suppressed", silenced_by=[sid])
        c.check_status(tgt, "suppressed", inhibited_by=[fingerprint(src.labels)])
        sid2 = c.server.add_silence({"alertname": "ResolvedWhileSilenced"}, time.time(), time.time() + 3600)
        c.sleep_until(2.0)
        r.resolve()
        c.post([r])
        c.sleep_until(4.0)
        status, _ = c.server.api("DELETE", "/api/v2/silence/" + sid2)
        if status != 200:
            c.fail("DELETE /api/v2/silence/%s: %s" % (sid2, status))
        c.sleep_until(7.6)
    return config, run


def alert_order(x, y):
    """Alertmanager's order of a group's alerts (types.AlertSlice.Less, then
    model.LabelSet.Before) as a cmp function over TestAlerts."""
    for key in ("job", "instance"):
        xv, yv = x.labels.get(key), y.labels.get(key)
        if xv is None and yv is None:
            continue
        if xv is None:
            return 1
        if yv is None:
            return -1
        if xv != yv:
            return -1 if xv < yv else 1
    a, b = x.labels, y.labels
    if len(a) != len(b):
        return -1 if len(a) < len(b) else 1
    for name in sorted(set(a) | set(b)):
        if name not in a:
            return -1
        if name not in b:
            return 1
        if a[name] != b[name]:
            return -1 if a[name] < b[name] else 1
    return 0


def scenario_many():
    def config(sink):
        return route_yaml() + "receivers:\n" + hook_receiver("hook", sink.url("/hook"))

    def run(c):
        rng = random.Random(6)
        values = ["1", "10", "9", "a", "B", "\u00e9t\u00e9", "z z", "-"]
        seen, alerts = set(), []
        while len(alerts) < 120:
            labels = {"alertname": "Many"}
            for name in ("job", "instance", "a", "b", "zz"):
                if rng.random() < 0.6:
                    labels[name] = rng.choice(values)
            key = tuple(sorted(labels.items()))
            if key not in seen:
                seen.add(key)
                alerts.append(TestAlert(labels, {"n": str(len(alerts))}))
        c.post(alerts)
        ordered = sorted(alerts, key=functools.cmp_to_key(alert_order))
        c.expect("/hook", 1 - EARLY, 1 + TOL, webhook_payload(
            "hook", ordered, {"alertname": "Many"}, '{}:{alertname="Many"}'),
            "120 alerts in Alertmanager's order")
        c.sleep_until(3.6)
    return config, run


SCENARIOS = {
    "grouping": scenario_grouping,
    "group_interval": scenario_group_interval,
    "repeat": scenario_repeat,
    "resolve": scenario_resolve,
    "inhibit": scenario_inhibit,
    "silence": scenario_silence,
    "continue": scenario_continue,
    "dedup": scenario_dedup,
    "restart": scenario_restart,
    "partial_resolve": scenario_partial_resolve,
    "group_by": scenario_group_by,
    "resolve_timeout": scenario_resolve_timeout,
    "refire": scenario_refire,
    "old_alert": scenario_old_alert,
    "reload": scenario_reload,
    "integrations": scenario_integrations,
    "annotation_change": scenario_annotation_change,
    "time_intervals": scenario_time_intervals,
    "retry": scenario_retry,
    "nested": scenario_nested,
    "mute_edges": scenario_mute_edges,
    "many": scenario_many,
}


def run_one(target, hestia, workdir, name, results):
    config, run = SCENARIOS[name]()
    sink = Sink()
    server = Server(target, hestia, workdir, name, config(sink))
    ctx = None
    try:
        server.start()
        ctx = Ctx(name, target, server, sink)
        run(ctx)
        ctx.verify()
    except Exception as e:  # a crash of the driver or the server fails the scenario
        ctx = ctx or Ctx(name, target, server, sink)
        ctx.fail("%s: %s" % (type(e).__name__, e))
    finally:
        server.stop()
        if server.proc is not None and server.proc.returncode not in (0, None):
            ctx.notes.append("server exit status %s" % server.proc.returncode)
        sink.close()
    events = ["  %.2fs %s %s" % (e["t"] - ctx.t0, e["path"], json.dumps(e["body"], sort_keys=True))
              for e in sorted(sink.snapshot(), key=lambda e: e["t"])]
    results.append((target, name, ctx.failures, ctx.notes, events, server.log_path()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--targets", default="hestia", help="comma-separated: hestia, real")
    ap.add_argument("--hestia", default=os.environ.get("HESTIA", ""))
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    ap.add_argument("--verbose", action="store_true", help="print the events of passing scenarios")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            ap.error("unknown scenario %s (have %s)" % (n, ", ".join(SCENARIOS)))
    targets = [t for t in args.targets.split(",") if t]
    if "hestia" in targets and not os.access(args.hestia, os.X_OK):
        ap.error("no hestia binary at %r (--hestia or $HESTIA)" % args.hestia)
    def on_term(signum, frame):
        Server.kill_all()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    results = []
    threads = [threading.Thread(target=run_one, args=(t, args.hestia, args.workdir, n, results))
               for t in targets for n in names]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    failed = 0
    for target, name, failures, notes, events, log in sorted(results):
        if failures:
            failed += 1
            print("FAIL %s/%s (server log %s)" % (target, name, log))
            for f in failures:
                print("  " + f.replace("\n", "\n  "))
            for n in notes:
                print("  note: " + n)
            print("  notifications received:")
            print("\n".join(events) if events else "  (none)")
        else:
            print("ok   %s/%s" % (target, name))
            if args.verbose:
                print("\n".join(events))
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
