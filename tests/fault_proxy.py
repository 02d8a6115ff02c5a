"""A small HTTP proxy on 127.0.0.1 that injects faults in front of a real
service (the moto S3 server, a search node): the test sets `proxy.fault` to

* None      - forward every request (the service is fine);
* "503"     - answer 503 Service Unavailable (S3 throttling, an engine
              restarting) without forwarding;
* "drop"    - close the connection without an answer (the service is down);
* "hang"    - hold the request `hang_seconds` before forwarding (a timeout);

and `proxy.faults_left` to how many requests get it (None: until cleared),
`proxy.match(method, path)` to which requests may get it (default: all);
`proxy.seen` lists (method, path, fault) of every request.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


class FaultProxy:
    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.fault: str | None = None
        self.faults_left: int | None = None
        self.hang_seconds = 5.0
        self.match = lambda method, path: True
        self.seen: list[tuple[str, str, str | None]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def set(self, fault: str | None, times: int | None = None, match=None) -> None:
        with self._lock:
            self.fault, self.faults_left = fault, times
            self.match = match or (lambda method, path: True)

    def _take_fault(self, method: str, path: str) -> str | None:
        with self._lock:
            fault = self.fault
            if fault and not self.match(method, path):
                return None
            if fault and self.faults_left is not None:
                self.faults_left -= 1
                if self.faults_left <= 0:
                    self.fault = None
            return fault

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: the test reads `seen`
                pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _any(self):
                body = self._body()
                fault = proxy._take_fault(self.command, self.path)
                proxy.seen.append((self.command, self.path, fault))
                if fault == "drop":
                    self.close_connection = True
                    return
                if fault == "503":
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                if fault == "hang":
                    time.sleep(proxy.hang_seconds)
                self._forward(body)

            def _forward(self, body: bytes) -> None:
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
                }
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status, resp.reason)
                head = self.command == "HEAD"  # keeps the object's length
                skip = HOP_BY_HOP if head else HOP_BY_HOP | {"content-length"}
                for key, value in resp.getheaders():
                    if key.lower() not in skip:
                        self.send_header(key, value)
                if not head:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not head:
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        return Handler
