"""Serving the web application: uvicorn in a background thread of the daemon (or of `policywatch web`)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from core.errors import StartupError

log = logging.getLogger(__name__)


class WebServer:
    """uvicorn in a background thread on a socket bound here, stopped cooperatively.

    The socket is bound before uvicorn starts, so a taken port is a ``StartupError`` naming the address
    and the setting at once, and uvicorn logs through the application's logging (no second format).
    """

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", log_config=None)
        )
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._socket is not None:
            host, port = self._socket.getsockname()[:2]
            return f"http://{host}:{port}"
        return f"http://{self._server.config.host}:{self._server.config.port}"

    def _bind(self) -> socket.socket:
        host, port = self._server.config.host, self._server.config.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise StartupError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (change web.port or web.host)",
                setting="web.port",
            ) from exc
        sock.set_inheritable(True)
        return sock

    def start(self, timeout_s: float = 10.0) -> WebServer:
        self._socket = self._bind()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="web", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise StartupError(f"the web server did not start on {self.url}", setting="web.port")
            time.sleep(0.01)
        log.info("web endpoints on %s (/healthz, /metrics)", self.url)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
        if self._socket is not None:
            self._socket.close()
