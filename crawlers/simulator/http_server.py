"""The simulators' HTTP server: a ThreadingHTTPServer on loopback in a daemon thread, started and stopped
by the simulator that owns it (``SimulatedSites``, ``GeneratedSites``)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class BackgroundHttpServer:
    """Serve ``handler`` on ``host:port`` (0: a free port) until ``stop()``."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def serve(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{self._name} are not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
