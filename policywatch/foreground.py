"""Running a long-lived process in the foreground: start, wait for SIGTERM or Ctrl-C, stop cleanly.

Shared by `policywatch run` (``policywatch.daemon``) and the role commands (``policywatch.roles``), so
they stop the same way: the signal only sets an event; the stop itself runs on the main thread.
"""

from __future__ import annotations

import signal
import threading
from abc import ABC, abstractmethod
from typing import Any


class ForegroundProcess(ABC):
    """Subclasses set ``self._stop`` (a threading.Event) and say how they start and stop."""

    _stop: threading.Event

    @abstractmethod
    def start(self) -> Any:
        """Start every part; raise (after stopping what started) if one cannot."""

    @abstractmethod
    def stop(self) -> None:
        """Stop every part, finishing the work in hand."""

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        self.start()
        try:
            self._stop.wait()
        finally:
            self.stop()
