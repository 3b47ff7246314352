"""The trace id travels in the pw-trace-id header and appears in every log line written while it is current."""

from __future__ import annotations

import io
import json
import logging
import time
from datetime import UTC, datetime

from core.bus import BusConfig, EventConsumer, EventProducer
from core.events import CrawlRequested
from core.settings import LoggingSettings
from core.tracing import TRACE_HEADER, trace_from_headers, traced
from policywatch.logs import configure_logging


def test_published_event_carries_the_trace_id_header(bus_config: BusConfig) -> None:
    producer = EventProducer(bus_config, "test")
    consumer = EventConsumer(bus_config, "crawl_requests", "trace-test")
    try:
        producer.publish(CrawlRequested(source_id="a", requested_at=datetime.now(UTC)), trace_id="feedface00000001")
        with traced("0123456789abcdef"):  # the trace of the event in hand is the default
            producer.publish(CrawlRequested(source_id="b", requested_at=datetime.now(UTC)))
        producer.publish(CrawlRequested(source_id="c", requested_at=datetime.now(UTC)))  # no trace: no header
        records = []
        deadline = time.monotonic() + 30
        while len(records) < 3 and time.monotonic() < deadline:
            records += consumer.poll(500)
    finally:
        consumer.close()
        producer.close()
    by_source = {json.loads(r.value or b"{}")["data"]["source_id"]: r for r in records}
    assert trace_from_headers(by_source["a"].headers) == "feedface00000001"
    assert trace_from_headers(by_source["b"].headers) == "0123456789abcdef"
    assert TRACE_HEADER not in dict(by_source["c"].headers)


def test_every_log_line_written_under_a_trace_names_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        for json_format in (False, True):
            configure_logging(LoggingSettings(level="INFO", json_format=json_format))
            log = logging.getLogger("consumers.store_stage")
            with traced("3f2a9c0d11223344"):
                log.info("stored version %d", 2)
            log.info("outside any trace")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert "consumers.store_stage trace=3f2a9c0d11223344: stored version 2" in lines[0]
    assert "trace=" not in lines[1]
    assert json.loads(lines[2])["trace_id"] == "3f2a9c0d11223344"
    assert "trace_id" not in json.loads(lines[3])
