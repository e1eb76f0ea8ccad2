#!/usr/bin/env python3
"""Records what Alertmanager 0.25 (/usr/bin/prometheus-alertmanager) sends to each receiver kind
for fixed alerts, as golden files for alerting/notify/receivers_test.cc ("[am025]").

    cd alerting/notify/testdata && python3 record_am025.py

Starts an HTTP sink and an SMTP sink on free 127.0.0.1 ports, Alertmanager with am025.yml
(ports filled in), posts the alerts of the test's MixedGroup() (the firing one with endsAt in
2100 so that it stays firing), waits for the notifications, then resolves the group of a second
alert to capture the resolve requests. Writes am025/<receiver>-<n>.txt: the request line,
selected headers and the body. Email Date, Message-Id and the MIME boundary vary per run; the
test masks them.
"""
import hashlib, http.server, json, os, shutil, socket, socketserver, subprocess, sys, tempfile
import threading, time, urllib.request

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "am025")
lock = threading.Lock()
records = []  # (kind, text)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Sink(http.server.BaseHTTPRequestHandler):
    def handle_one(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        kind = self.path.strip("/").split("/")[0].split("?")[0]
        hdrs = "".join("%s: %s\n" % (h, self.headers[h]) for h in
                       ("User-Agent", "Content-Type", "Authorization") if self.headers[h])
        with lock:
            records.append((kind, "%s %s\n%s\n%s" % (self.command, self.path, hdrs, body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = handle_one
    do_PUT = handle_one

    def log_message(self, *a):
        pass


def smtp_serve(srv):
    while True:
        c, _ = srv.accept()
        f = c.makefile("rwb")
        def send(s):
            f.write(s.encode())
            f.flush()
        send("220 sink ESMTP\r\n")
        cmds = []
        while True:
            line = f.readline().decode()
            if not line:
                break
            line = line.rstrip("\r\n")
            verb = line.split(" ")[0]
            if verb == "DATA":
                cmds.append(line)
                send("354 go\r\n")
                data = []
                while True:
                    l = f.readline().decode()
                    if l == ".\r\n":
                        break
                    data.append(l[1:] if l.startswith(".") else l)
                with lock:
                    records.append(("email", "\n".join(cmds) + "\n\n" + "".join(data)))
                send("250 ok\r\n")
                continue
            cmds.append(line)
            if verb == "EHLO":
                send("250-sink\r\n250 8BITMIME\r\n")
            elif verb == "QUIT":
                send("221 bye\r\n")
                break
            else:
                send("250 ok\r\n")
        c.close()


def post_alerts(am, alerts):
    req = urllib.request.Request("http://127.0.0.1:%d/api/v2/alerts" % am,
                                 json.dumps(alerts).encode(),
                                 {"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()


def main():
    http_port, smtp_port, am_port = free_port(), free_port(), free_port()
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", http_port), Sink)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    smtp = socket.socket()
    smtp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    smtp.bind(("127.0.0.1", smtp_port))
    smtp.listen(4)
    threading.Thread(target=smtp_serve, args=(smtp,), daemon=True).start()

    tmp = tempfile.mkdtemp()
    here = os.path.dirname(os.path.abspath(__file__))
    cfg = open(os.path.join(here, "am025.yml")).read()
    cfg = cfg.replace("HTTP_PORT", str(http_port)).replace("SMTP_PORT", str(smtp_port))
    open(os.path.join(tmp, "am.yml"), "w").write(cfg)
    am = subprocess.Popen(["/usr/bin/prometheus-alertmanager",
                           "--config.file=" + os.path.join(tmp, "am.yml"),
                           "--storage.path=" + tmp,
                           "--web.listen-address=127.0.0.1:%d" % am_port,
                           "--web.external-url=http://am:9093",
                           "--cluster.listen-address="],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % am_port).read()
                break
            except Exception:
                time.sleep(0.1)
        gen = "http://prom:9090/graph?g0.expr=up"
        post_alerts(am_port, [
            {"labels": {"alertname": "HighLoad", "instance": "a:9100", "severity": "page"},
             "annotations": {"summary": "load is high"}, "startsAt": "2024-03-10T11:30:15.123Z",
             "endsAt": "2100-01-01T00:00:00Z", "generatorURL": gen},
            {"labels": {"alertname": "HighLoad", "instance": "b:9100", "severity": "page"},
             "annotations": {"summary": "load was high"},
             "startsAt": "2024-03-10T10:30:15.123Z", "endsAt": "2024-03-10T11:45:00Z",
             "generatorURL": gen},
            {"labels": {"alertname": "Down"}, "startsAt": "2024-03-10T11:30:15.123Z",
             "endsAt": "2100-01-01T00:00:00Z", "generatorURL": gen},
        ])
        time.sleep(4)
        post_alerts(am_port, [
            {"labels": {"alertname": "Down"}, "startsAt": "2024-03-10T11:30:15.123Z",
             "endsAt": "2024-03-10T11:45:00Z", "generatorURL": gen}])
        time.sleep(5)
    finally:
        am.terminate()
        am.wait()
        shutil.rmtree(tmp)
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    counts = {}
    with lock:
        for kind, text in records:
            # Alerts of both groups arrive in either order: name files by group and kind.
            down_alias = hashlib.sha256(b'{}:{alertname="Down"}').hexdigest()
            group = "down" if "Down" in text or down_alias in text else "highload"
            key = "%s-%s" % (group, kind)
            counts[key] = counts.get(key, 0) + 1
            text = text.replace("127.0.0.1:%d" % http_port, "SINK").replace(
                "127.0.0.1:%d" % smtp_port, "SMTP")
            open(os.path.join(OUT, "%s-%d.txt" % (key, counts[key])), "w").write(text)
    print("recorded", sorted(counts.items()))


main()
