"""The trace (correlation) id of one fetched page, followed from fetch to delivery.

The crawler makes one id per page it publishes; it travels in the ``pw-trace-id`` header of every
event derived from that page (page → document → change), is stored on the change and its alerts, and
the stage handling an event sets it in ``current_trace`` so every log line written meanwhile carries it
(``policywatch.logs`` adds it). A context variable, not an argument, because the log lines come from
every layer below the stage.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

TRACE_HEADER = "pw-trace-id"

current_trace: ContextVar[str] = ContextVar("policywatch_trace_id", default="")


def new_trace_id() -> str:
    """A fresh id: 16 hex characters, short enough to read in a log line."""
    return uuid.uuid4().hex[:16]


@contextmanager
def traced(trace_id: str) -> Iterator[str]:
    """Run the block with ``trace_id`` as the current trace (an empty id clears it)."""
    token = current_trace.set(trace_id)
    try:
        yield trace_id
    finally:
        current_trace.reset(token)


def trace_from_headers(headers: Sequence[tuple[str, bytes]] | None) -> str:
    """The trace id a Kafka message carries, or ""."""
    for key, value in headers or ():
        if key == TRACE_HEADER and value:
            return value.decode("ascii", errors="replace")
    return ""


def trace_headers(trace_id: str) -> list[tuple[str, bytes]]:
    """The headers that carry ``trace_id`` (none when it is empty)."""
    return [(TRACE_HEADER, trace_id.encode("ascii"))] if trace_id else []
