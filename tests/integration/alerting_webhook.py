#!/usr/bin/env python3
"""A webhook receiver for Alertmanager in the alerting tests: records every POST body.

Usage: alerting_webhook.py PORT OUT_FILE
Listens on 127.0.0.1:PORT; appends each request body (Alertmanager's webhook JSON) to OUT_FILE
as one line, and answers 200. GET / answers 200 (readiness). Python standard library only.
"""

import http.server
import json
import sys
import threading


def main():
    port, out_path = int(sys.argv[1]), sys.argv[2]
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                line = json.dumps(json.loads(body), sort_keys=True)
            except ValueError:
                line = json.dumps({"invalid_body": body.decode("utf-8", "replace")})
            with lock, open(out_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
            self.send_response(200)
            self.end_headers()

        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    open(out_path, "a").close()
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
