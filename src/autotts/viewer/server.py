"""``autotts view``: the run page served from the run directory on 127.0.0.1.

``GET /`` is the page (rebuilt only when the run directory changed since the
last build); ``GET /api/version`` is a small JSON fingerprint of the run's
files that the page polls to re-render while the run is going.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from autotts.viewer.page import build_page
from autotts.viewer.rundata import load_run, run_version

HOST = "127.0.0.1"  # never reachable from another machine


class PageCache:
    """The last page built and the run version it was built from."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.lock = threading.Lock()
        self.version = ""
        self.html = ""

    def page(self) -> str:
        """The page for the run as it is now (rebuilt when its files changed)."""
        with self.lock:
            version = run_version(self.run_dir)
            if version != self.version:
                self.html = build_page(load_run(self.run_dir), live=True, version=version)
                self.version = version
            return self.html


def _handler(cache: PageCache) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name for the GET handler
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(200, "text/html; charset=utf-8", cache.page().encode())
            elif path == "/api/version":
                body = json.dumps({"version": run_version(cache.run_dir)}).encode()
                self._send(200, "application/json", body)
            elif path == "/favicon.ico":  # browsers ask; there is none
                self._send(204, "image/x-icon", b"")
            else:
                self._send(404, "text/plain", b"not found\n")

        def _send(self, code: int, ctype: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt: str, *args) -> None:  # quiet: one poll every 2 s
            pass

    return Handler


def make_server(run_dir: str | Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for ``run_dir`` on 127.0.0.1:``port`` (0 = any free port); the page is
    built once here so a broken run directory fails before serving."""
    cache = PageCache(Path(run_dir))
    cache.page()
    server = ThreadingHTTPServer((HOST, port), _handler(cache))
    server.daemon_threads = True
    return server
