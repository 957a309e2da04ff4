"""A webhook receiver on loopback for the tests: a tiny http.server in a thread that records
every POST (headers, body) and answers from a script of statuses (or stalls, for timeouts)."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, script=None):
        self.calls, self.script, self.lock = [], list(script or []), threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.calls.append({"headers": dict(self.headers), "body": body, "path": self.path})
                    answer = receiver.script.pop(0) if receiver.script else 200
                if answer == "stall":
                    time.sleep(2.5)  # longer than the sender's timeout in these tests
                    answer = 200
                try:
                    self.send_response(answer)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if answer < 300 else b"x" * 10_000)
                except OSError:
                    pass  # the sender gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def events(self, ok_only=False):
        with self.lock:
            return [json.loads(c["body"]) for c in self.calls]

    def wait_for(self, predicate, timeout=60):
        """Poll (bounded) until predicate(self) holds; returns whether it did."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate(self):
                return True
            time.sleep(0.05)
        return predicate(self)


def signature_ok(call, secret):
    """The X-Icpsim-Signature check a client does (README snippet)."""
    header = call["headers"].get("X-Icpsim-Signature", "")
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), f"{parts['t']}.".encode() + call["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts["v1"])
