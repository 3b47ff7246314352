"""Logging setup at the edge: plain or JSON lines on stderr, each with the trace id of the event in hand
(``core.tracing``): ``… store_stage trace=3f2a…: stored …`` or ``"trace_id"`` in JSON."""

from __future__ import annotations

import json
import logging
import sys

from core.settings import LoggingSettings
from core.tracing import current_trace


class TraceFilter(logging.Filter):
    """Stamps every record with the current trace id (``trace_id``) and its plain-text form (``trace``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        trace_id = getattr(record, "trace_id", "") or current_trace.get()
        record.trace_id = trace_id
        record.trace = f" trace={trace_id}" if trace_id else ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "trace_id", ""):
            entry["trace_id"] = record.trace_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: LoggingSettings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s%(trace)s: %(message)s"))
    handler.addFilter(TraceFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level)
    for noisy in ("kafka", "apscheduler.executors", "apscheduler.scheduler", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.level)))
