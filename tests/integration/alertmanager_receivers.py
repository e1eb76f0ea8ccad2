#!/usr/bin/env python3
"""Receivers of an Alertmanager end to end (issue 6): email, Slack, PagerDuty and Opsgenie
notifications of the real Debian Alertmanager 0.25 (`prometheus-alertmanager`) or `hestia
alertmanager` reach local servers started here: a minimal SMTP server (socketserver; smtpd is
gone from Python) and an HTTP sink standing for Slack's api_url, PagerDuty's events API url and
Opsgenie's api_url. Python standard library only; Sink and Server come from alertmanager_e2e.py.

  alertmanager_receivers.py --workdir DIR [--targets hestia,real] [--hestia PATH] [--dump]

One alert fires at once and is resolved 2 s later (group_wait 1s, group_interval 2s, every
receiver with send_resolved: true), so each receiver gets one firing and one resolved
notification. Checked for every target:
  email      envelope and headers (From, To, the configured X-Team header, Subject
             "[FIRING:1] DiskFull (db-1:9100 node critical)" as email.default.subject writes it,
             then "[RESOLVED] ..."), one text/html part from email.default.html holding the
             alert's labels and annotations (escaped as html/template escapes them, in text and
             in the generatorURL href), equal to Alertmanager's (sha256); a second email_config
             with two recipients (one RCPT each), AUTH PLAIN (advertised by the server; allowed
             without TLS towards 127.0.0.1), a text template and html '' (a text/plain part only)
  slack      channel, username, one attachment: title, title_link, text, fallback, color (danger,
             then good), callback_id, footer, mrkdwn_in from the slack.default.* templates
  slack (custom templates)  title and text from a templates file of the config (toUpper, title,
             len, reReplaceAll, SortedPairs, safeHtml, .StartsAt.Format, join, printf,
             Alerts.Firing and .Resolved, .Receiver, .ExternalURL)
  pagerduty  events API v2: routing_key, event_action trigger then resolve, dedup_key (sha256 of
             the group key, hex), payload {summary, source, severity, custom_details}, client,
             client_url
  pagerduty (custom)  severity, class, component, group, description (summary), details
             (templated, merged over the default ones), links, images
  opsgenie   create (POST v2/alerts: alias, message, description, details, source), then close
             (POST v2/alerts/ALIAS/close?identifierType=alias); the GenieKey header
The expected bodies, headers and html digests are what the real Alertmanager 0.25 sends for this
config (captured with --targets real --dump). When it runs too (--targets hestia,real), Hestia's
notifications must also equal its live ones (a unified diff of the email html on difference).
"""

import argparse
import base64
import difflib
import email
import email.policy
import hashlib
import os
import re
import signal
import socketserver
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alertmanager_e2e import Server, Sink, TestAlert  # noqa: E402

ROUTING_KEY = "0123456789abcdef0123456789abcdef"
GROUP_KEY = '{}:{alertname="DiskFull"}'
LABELS = {"alertname": "DiskFull", "severity": "critical", "instance": "db-1:9100", "job": "node"}
# With characters html/template escapes in the email (text/template in the others does not).
ANNOTATIONS = {"summary": "Disk almost full", "description": "Only 3% left on /var",
               "note": "<b>used > 97% & \"growing\"</b>"}
GENERATOR_URL = "http://prometheus.example.test/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+0&g0.tab=1"


class SmtpServer:
    """Accepts every message; records {t, from, to, auth, data} (data: bytes, dot-unstuffed;
    auth: None or [mechanism, credentials...] of AUTH PLAIN or LOGIN in the session)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 sink.example.test ESMTP test sink")
                mail_from, rcpts, auth = None, [], None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-sink.example.test\r\n250-8BITMIME\r\n"
                                         b"250-AUTH PLAIN LOGIN\r\n250 SIZE 10485760\r\n")
                        self.wfile.flush()
                    elif verb == "HELO":
                        self.reply("250 sink.example.test")
                    elif verb == "AUTH":
                        args = cmd.split(" ")[1:]
                        if args and args[0].upper() == "PLAIN":
                            if len(args) < 2:
                                self.reply("334 ")
                                args.append(self.rfile.readline().decode().strip())
                            auth = ["PLAIN"] + base64.b64decode(args[1]).decode().split("\0")
                        else:
                            auth = ["LOGIN"]
                            for prompt in ("VXNlcm5hbWU6", "UGFzc3dvcmQ6"):
                                self.reply("334 " + prompt)
                                auth.append(base64.b64decode(self.rfile.readline().strip()).decode())
                        self.reply("235 Authentication successful")
                    elif verb == "MAIL":
                        mail_from, rcpts = cmd[10:].strip(), []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        rcpts.append(cmd[8:].strip())
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while True:
                            l = self.rfile.readline()
                            if not l or l in (b".\r\n", b".\n"):
                                break
                            lines.append(l[1:] if l.startswith(b"..") else l)
                        with smtp.lock:
                            smtp.messages.append({"t": time.monotonic(), "from": mail_from, "to": list(rcpts),
                                                  "auth": auth, "data": b"".join(lines)})
                        self.reply("250 OK queued")
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        class TCPServer(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = TCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


CUSTOM_TEMPLATES = r"""{{ define "custom.title" }}{{ .Status | toUpper }} {{ .CommonLabels.alertname | title }} x{{ len .Alerts }}{{ end }}
{{ define "custom.text" }}{{ range .Alerts.Firing }}* {{ .Labels.instance | reReplaceAll ":[0-9]+" "" }} {{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }} {{ .Annotations.summary | safeHtml }} since {{ .StartsAt.Format "2006" }}
{{ end }}{{ range .Alerts.Resolved }}- {{ .Labels.alertname }} ok
{{ end }}{{ .GroupLabels.Names | join "," }} {{ .CommonAnnotations.SortedPairs.Values | join "|" }} {{ printf "%05.1f" 3.14159 }} {{ "a<b" }} {{ .ExternalURL }} {{ .Receiver }} {{ .Alerts.Firing | len }}/{{ .Alerts.Resolved | len }}{{ end }}
"""


def config(smtp, sink, tmpl_dir):
    return """global:
  smtp_smarthost: 127.0.0.1:%d
  smtp_from: alertmanager@example.test
  smtp_require_tls: false
route:
  receiver: all
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: all
    email_configs:
      - to: oncall@example.test
        send_resolved: true
        headers:
          X-Team: storage
      - to: 'team-a@example.test, Team B <team-b@example.test>'
        send_resolved: true
        auth_username: am
        auth_password: pw
        text: '{{ template "email.default.subject" . }} ({{ .Alerts | len }})'
        html: ''
    slack_configs:
      - api_url: %s
        channel: '#alerts'
        send_resolved: true
      - api_url: %s
        send_resolved: true
        title: '{{ template "custom.title" . }}'
        text: '{{ template "custom.text" . }}'
    pagerduty_configs:
      - routing_key: %s
        url: %s
        send_resolved: true
      - routing_key: custom-key
        url: %s
        severity: '{{ .CommonLabels.severity }}'
        class: disk
        component: '{{ .CommonLabels.job }}'
        group: storage
        description: '{{ .CommonAnnotations.summary }}'
        details:
          team: storage
          firing: '{{ .Alerts.Firing | len }}'
        links:
          - href: '{{ .ExternalURL }}/runbook'
            text: runbook
        images:
          - src: 'http://img.example.test/{{ .GroupLabels.alertname }}.png'
            alt: graph
            href: 'http://img.example.test/'
    opsgenie_configs:
      - api_key: opsgenie-key
        api_url: %s
templates: ['%s']
""" % (smtp.port, sink.url("/slack"), sink.url("/slack-custom"), ROUTING_KEY, sink.url("/pagerduty"),
       sink.url("/pagerduty-custom"),
       sink.url("/opsgenie/"), os.path.join(tmpl_dir, "*.tmpl"))


def parse_mail(msg):
    """-> (headers {name: value} without Date/Message-Id, boundary removed; [(content type, text)])."""
    m = email.message_from_bytes(msg["data"], policy=email.policy.default)
    headers = {}
    for k, v in m.items():
        if k.lower() in ("date", "message-id"):
            continue
        headers[k] = re.sub(r'boundary="?[^";]+"?', "boundary=B", str(v))
    parts = [(p.get_content_type(), p.get_content()) for p in m.walk() if not p.is_multipart()]
    return headers, parts


def run_target(target, hestia, workdir, out):
    smtp, sink = SmtpServer(), Sink()
    tmpl_dir = os.path.join(workdir, "%s-templates" % target)
    os.makedirs(tmpl_dir, exist_ok=True)
    with open(os.path.join(tmpl_dir, "custom.tmpl"), "w", encoding="utf-8") as f:
        f.write(CUSTOM_TEMPLATES)
    server = Server(target, hestia, workdir, "receivers", config(smtp, sink, tmpl_dir))
    res = {"failures": [], "mails": [], "slack": [], "pagerduty": [], "log": server.log_path()}
    try:
        server.start()
        res["log"] = server.log_path()
        alert = TestAlert(LABELS, ANNOTATIONS)
        alert.generator_url = GENERATOR_URL
        server.post_alerts([alert.posted()])
        time.sleep(2.0)
        alert.resolve()
        server.post_alerts([alert.posted()])
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            if len(smtp.snapshot()) >= 4 and sink.wait_count(10, 0.1):
                break
            time.sleep(0.1)
        time.sleep(1.0)  # nothing more may come
    except Exception as e:
        res["failures"].append("%s: %s" % (type(e).__name__, e))
    finally:
        server.stop()
        smtp.close()
        sink.close()
    res["mails"] = sorted((parse_mail(m) + (m["from"], m["to"], m["auth"]) for m in smtp.snapshot()),
                          key=lambda m: (m[0].get("To", ""), m[0].get("Subject", "")))
    events = sorted(sink.snapshot(), key=lambda e: e["t"])
    res["slack"] = [e["body"] for e in events if e["path"] == "/slack"]
    res["slack-custom"] = [e["body"] for e in events if e["path"] == "/slack-custom"]
    res["opsgenie"] = [(e["method"], e["path"], e["body"]) for e in events if e["path"].startswith("/opsgenie")]
    res["pagerduty"] = [e["body"] for e in events if e["path"] == "/pagerduty"]
    res["pagerduty-custom"] = [e["body"] for e in events if e["path"] == "/pagerduty-custom"]
    res["headers"] = {p: [e["headers"] for e in events if e["path"].startswith(p)]
                      for p in ("/slack", "/pagerduty", "/opsgenie")}
    out[target] = res


SUBJECTS = ["[FIRING:1] DiskFull (db-1:9100 node critical)", "[RESOLVED] DiskFull (db-1:9100 node critical)"]
ALERTS_URL = Server.EXTERNAL_URL + "/#/alerts?receiver=all"
NOTE = ANNOTATIONS["note"]
DETAILS = ("Labels:\n - alertname = DiskFull\n - instance = db-1:9100\n - job = node\n - severity = critical\n"
           "Annotations:\n - description = Only 3% left on /var\n - note = " + NOTE + "\n - summary = Disk almost full\n"
           "Source: " + GENERATOR_URL + "\n")
# What the real Alertmanager 0.25 sends for this config (captured with --targets real --dump).
WANT_SLACK = [{"channel": "#alerts", "username": "Alertmanager", "attachments": [{
    "title": SUBJECTS[i], "title_link": ALERTS_URL, "text": "", "fallback": SUBJECTS[i] + " | " + ALERTS_URL,
    "callback_id": "", "footer": "", "color": ("danger", "good")[i],
    "mrkdwn_in": ["fallback", "pretext", "text"]}]} for i in (0, 1)]
WANT_PAGERDUTY = [{
    "routing_key": ROUTING_KEY, "dedup_key": hashlib.sha256(GROUP_KEY.encode()).hexdigest(),
    "event_action": ("trigger", "resolve")[i],
    "payload": {"summary": SUBJECTS[i], "source": "Alertmanager", "severity": "error",
                "custom_details": {"firing": (DETAILS, "")[i], "num_firing": ("1", "0")[i],
                                   "num_resolved": ("0", "1")[i], "resolved": ("", DETAILS)[i]}},
    "client": "Alertmanager", "client_url": ALERTS_URL} for i in (0, 1)]
CUSTOM_TAIL = "alertname Only 3% left on /var|" + NOTE + "|Disk almost full 003.1 a<b http://am.example.test:9093 all "
WANT_SLACK_CUSTOM = [{"username": "Alertmanager", "attachments": [{
    "title": ("FIRING Diskfull x1", "RESOLVED Diskfull x1")[i], "title_link": ALERTS_URL,
    "text": ("* db-1 alertname=DiskFull;instance=db-1:9100;job=node;severity=critical; Disk almost full "
             "since %d\n" % time.gmtime().tm_year + CUSTOM_TAIL + "1/0",
             "- DiskFull ok\n" + CUSTOM_TAIL + "0/1")[i],
    "fallback": SUBJECTS[i] + " | " + ALERTS_URL, "callback_id": "", "footer": "",
    "color": ("danger", "good")[i], "mrkdwn_in": ["fallback", "pretext", "text"]}]} for i in (0, 1)]
WANT_PAGERDUTY_CUSTOM = [{
    "routing_key": "custom-key", "dedup_key": hashlib.sha256(GROUP_KEY.encode()).hexdigest(),
    "event_action": ("trigger", "resolve")[i],
    "payload": {"summary": "Disk almost full", "source": "Alertmanager", "severity": "critical",
                "class": "disk", "component": "node", "group": "storage",
                "custom_details": {"firing": ("1", "0")[i], "num_firing": ("1", "0")[i],
                                   "num_resolved": ("0", "1")[i], "resolved": ("", DETAILS)[i],
                                   "team": "storage"}},
    "client": "Alertmanager", "client_url": ALERTS_URL,
    "images": [{"src": "http://img.example.test/DiskFull.png", "alt": "graph", "href": "http://img.example.test/"}],
    "links": [{"href": Server.EXTERNAL_URL + "/runbook", "text": "runbook"}]} for i in (0, 1)]
ALIAS = hashlib.sha256(GROUP_KEY.encode()).hexdigest()
WANT_OPSGENIE = [
    ("POST", "/opsgenie/v2/alerts", {
        "alias": ALIAS, "message": SUBJECTS[0],
        "description": "Only 3% left on /var " + NOTE + " Disk almost full\nAlerts Firing:\n" + DETAILS + "\n",
        "details": LABELS, "source": ALERTS_URL}),
    ("POST", "/opsgenie/v2/alerts/%s/close?identifierType=alias" % ALIAS, {"source": ALERTS_URL})]
# sha256 of the text/html part (CRLF as LF) Alertmanager 0.25 renders from email.default.html.
WANT_HTML_SHA256 = ["ab39af31c1ce6e4a56568625ec68886d9d087730f0cfdf7a424d05b90e685b30",
                    "d18a3734fdaa7e547376f7e6116be02791740c62dd8ecd0d2c23b5f6811aaad0"]
TEAM_TO = "team-a@example.test, Team B <team-b@example.test>"
# Sorted by To, then Subject: the first email_config's two mails, then the second's.
WANT_MAIL_HEADERS = [{"From": "alertmanager@example.test", "To": "oncall@example.test", "X-Team": "storage",
                      "Subject": SUBJECTS[i], "MIME-Version": "1.0",
                      "Content-Type": "multipart/alternative; boundary=B"} for i in (0, 1)] + \
                    [{"From": "alertmanager@example.test", "To": TEAM_TO, "Subject": SUBJECTS[i],
                      "MIME-Version": "1.0", "Content-Type": "multipart/alternative; boundary=B"} for i in (0, 1)]
WANT_MAIL_ENVELOPES = [(["<oncall@example.test>"], None)] * 2 + \
                      [(["<team-a@example.test>", "<team-b@example.test>"], ["PLAIN", "", "am", "pw"])] * 2
WANT_MAIL_TEXT = [None, None, SUBJECTS[0] + " (1)", SUBJECTS[1] + " (1)"]


def check(res):
    f = res["failures"]
    mails = res["mails"]
    if len(mails) != 4:
        f.append("%d mails, want 4 (firing, resolved from each email_config)" % len(mails))
    for i, (headers, parts, mfrom, mto, auth) in enumerate(mails[:4]):
        if headers != WANT_MAIL_HEADERS[i]:
            f.append("mail %d headers (but Date, Message-Id):\n    got  %r\n    want %r" %
                     (i, headers, WANT_MAIL_HEADERS[i]))
        if mfrom.split(" ")[0] != "<alertmanager@example.test>" or (mto, auth) != WANT_MAIL_ENVELOPES[i]:
            f.append("mail %d envelope from %r to %r, AUTH %r; want to and AUTH %r" %
                     (i, mfrom, mto, auth, WANT_MAIL_ENVELOPES[i]))
        if WANT_MAIL_TEXT[i] is not None:
            # text set, html '' (no html part)
            if parts != [("text/plain", WANT_MAIL_TEXT[i])]:
                f.append("mail %d parts %r, want [('text/plain', %r)]" % (i, parts, WANT_MAIL_TEXT[i]))
            continue
        html = [text for ctype, text in parts if ctype == "text/html"]
        if [ctype for ctype, _ in parts] != ["text/html"]:
            f.append("mail %d parts %s, want one text/html" % (i, [ctype for ctype, _ in parts]))
        if not html:
            continue
        # html/template escapes text and URL attributes.
        needles = ["%s = %s<br" % kv for kv in sorted(LABELS.items())] + \
                  ["description = Only 3% left on /var<br", "summary = Disk almost full<br",
                   "note = &lt;b&gt;used &gt; 97% &amp; &#34;growing&#34;&lt;/b&gt;<br"] + \
                  ["<title>%s</title>" % SUBJECTS[i], "1 alert for", "alertname=DiskFull",
                   ("[1] Firing", "[1] Resolved")[i], 'href="%s"' % ALERTS_URL,
                   'href="http://prometheus.example.test/graph?g0.expr=rate%28x%5B5m%5D%29&#43;%3E&#43;0&amp;g0.tab=1"']
        for needle in needles:
            if needle not in html[0]:
                f.append("mail %d html lacks %r" % (i, needle))
        if hashlib.sha256(html[0].replace("\r\n", "\n").encode()).hexdigest() != WANT_HTML_SHA256[i]:
            f.append("mail %d html is not Alertmanager 0.25's email.default.html output (sha256 differs; "
                     "--targets hestia,real shows the diff)" % i)
    for kind, want in (("slack", WANT_SLACK), ("slack-custom", WANT_SLACK_CUSTOM),
                       ("pagerduty", WANT_PAGERDUTY), ("pagerduty-custom", WANT_PAGERDUTY_CUSTOM),
                       ("opsgenie", WANT_OPSGENIE)):
        got = res[kind]
        if len(got) != len(want):
            f.append("%d %s notifications, want %d (firing, resolved)" % (len(got), kind, len(want)))
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                f.append("%s %d:\n    got  %r\n    want %r" % (kind, i, g, w))
    for kind, hs in res["headers"].items():
        for h in hs:
            if h.get("Content-Type") != "application/json":
                f.append("%s Content-Type %r" % (kind, h.get("Content-Type")))
            if kind == "/opsgenie" and h.get("Authorization") != "GenieKey opsgenie-key":
                f.append("opsgenie Authorization %r, want 'GenieKey opsgenie-key'" % h.get("Authorization"))


def compare(got, want):
    diffs = []
    for kind in ("mails", "slack", "slack-custom", "pagerduty", "pagerduty-custom", "opsgenie"):
        g, w = got[kind], want[kind]
        if len(g) != len(w):
            diffs.append("%s: %d notifications, real Alertmanager %d" % (kind, len(g), len(w)))
        for i, (a, b) in enumerate(zip(g, w)):
            if a == b:
                continue
            if kind != "mails":
                diffs.append("%s %d differs from the real Alertmanager's:\n    hestia %r\n    real   %r" % (kind, i, a, b))
                continue
            if a[0] != b[0]:
                diffs.append("mail %d headers: hestia %r, real %r" % (i, a[0], b[0]))
            if a[2:] != b[2:]:
                diffs.append("mail %d envelope: hestia %r, real %r" % (i, a[2:], b[2:]))
            if [p[0] for p in a[1]] != [p[0] for p in b[1]]:
                diffs.append("mail %d parts: hestia %r, real %r" % (i, [p[0] for p in a[1]], [p[0] for p in b[1]]))
            for (ctype, ta), (_, tb) in zip(a[1], b[1]):
                if ta != tb:
                    d = list(difflib.unified_diff(tb.splitlines(), ta.splitlines(), "real", "hestia", lineterm="", n=1))
                    diffs.append("mail %d %s part differs (unified diff real -> hestia, first 40 lines):\n    %s" %
                                 (i, ctype, "\n    ".join(x[:200] for x in d[:40])))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--targets", default="hestia")
    ap.add_argument("--hestia", default=os.environ.get("HESTIA", ""))
    ap.add_argument("--dump", action="store_true", help="print what each target sent")
    args = ap.parse_args()
    targets = [t for t in args.targets.split(",") if t]
    def on_term(signum, frame):
        Server.kill_all()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    out = {}
    threads = [threading.Thread(target=run_target, args=(t, args.hestia, args.workdir, out)) for t in targets]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    failed = 0
    for t in targets:
        check(out[t])
    if "hestia" in out and "real" in out:
        out["hestia"]["failures"] += compare(out["hestia"], out["real"])
    for t in targets:
        res = out[t]
        if args.dump:
            for kind in ("mails", "slack", "slack-custom", "pagerduty", "pagerduty-custom", "opsgenie"):
                for x in res[kind]:
                    print("%s %s: %r" % (t, kind, x))
            print("%s headers: %r" % (t, res["headers"]))
        if res["failures"]:
            failed += 1
            print("FAIL %s/receivers (server log %s)" % (t, res["log"]))
            for x in res["failures"]:
                print("  " + x)
        else:
            print("ok   %s/receivers" % t)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
