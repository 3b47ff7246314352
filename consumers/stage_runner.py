"""The consumer loop every stage runs in: poll → decode → handle → (DB commit) → offset commit.

Delivery semantics, in order for each record:
1. decode and validate the event; a malformed event is a PermanentError;
2. ``stage.handle`` does the work and makes it durable (its own DB transaction, its own publishes,
   which wait for the broker's ack);
3. only then is the offset committed.
A PermanentError (or an unexpected bug) sends the record to the dead-letter topic with the error and
the loop goes on. A TransientError (database or broker down) rewinds every partition to its first
unprocessed record, backs off and retries: nothing is skipped. A crash anywhere before step 3 means
redelivery, so every handler is idempotent (keyed by document and content hash).

Health: the runner counts consecutive transient failures with their cause (reset by the next record
handled, or a poll that finds nothing to do) and when it last made progress; ``health()`` says "ok"
or why the stage is degraded, for /healthz.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Protocol

from core.bus import BusConfig, EventConsumer, EventProducer, Record
from core.errors import PermanentError, TransientError
from core.events import DeadLetter, Envelope, Payload, decode
from core.metrics import Metrics
from core.tracing import trace_from_headers, traced

log = logging.getLogger(__name__)


class Stage(Protocol):
    """A pipeline stage: reads one logical topic and handles each event durably and idempotently."""

    name: str
    input_topic: str

    def handle(self, envelope: Envelope, payload: Payload) -> None: ...


class StageRunner:
    """Runs one stage in a thread until ``stop()``; survives broker and database outages."""

    def __init__(
        self,
        stage: Stage,
        bus: BusConfig,
        producer: EventProducer,
        metrics: Metrics,
        poll_timeout_ms: int = 300,
        max_backoff_s: float = 10.0,
        consumer_options: dict[str, int] | None = None,
    ) -> None:
        self.stage = stage
        self._bus = bus
        self._producer = producer
        self._metrics = metrics
        self._poll_timeout_ms = poll_timeout_ms
        self._max_backoff_s = max_backoff_s
        self._consumer_options = consumer_options or {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: EventConsumer | None = None
        self.last_error: str = ""
        self.handled = 0
        self.consecutive_failures = 0
        self.last_progress_at: float | None = None  # time.time() of the last record handled or idle poll
        # Set once the group has assigned this stage its partitions (events published before wait, not lost).
        self.joined = threading.Event()

    def start(self) -> StageRunner:
        self._thread = threading.Thread(target=self.run, name=f"stage-{self.stage.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the record in hand, commit, close the consumer."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def lag(self) -> dict[int, int]:
        consumer = self._consumer
        return consumer.lag() if consumer is not None else {}

    def run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._consumer = EventConsumer(
                    self._bus, self.stage.input_topic, self.stage.name, **self._consumer_options
                )
                log.info("stage %s consuming %s", self.stage.name, self._consumer.topic)
                self._loop()
                backoff = 0.5
            except TransientError as exc:
                self._failed(exc)
                log.warning("stage %s: %s; retrying in %.1fs", self.stage.name, exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
            finally:
                if self._consumer is not None:
                    try:
                        self._consumer.close()
                    except Exception:  # closing a consumer on a dead broker may fail; nothing to keep
                        log.debug("closing consumer failed", exc_info=True)
                    self._consumer = None
        log.info("stage %s stopped", self.stage.name)

    def _loop(self) -> None:
        assert self._consumer is not None
        backoff = 0.5
        while not self._stop.is_set():
            records = self._consumer.poll(self._poll_timeout_ms)
            if not self.joined.is_set() and self._consumer.assigned:
                self.joined.set()
            if not records:
                self._progressed()
            for index, record in enumerate(records):
                if self._stop.is_set():
                    self._rewind(records[index:])
                    return
                try:
                    self._process(record)
                except TransientError as exc:
                    self._failed(exc)
                    self._metrics.events_failed.labels(self.stage.name, "transient").inc()
                    log.warning(
                        "stage %s: transient failure at %s/%d@%d: %s; retrying in %.1fs",
                        self.stage.name, record.topic, record.partition, record.offset, exc, backoff,
                    )
                    self._rewind(records[index:])
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
                    break
                self._consumer.commit(record)
                self._progressed()
                backoff = 0.5

    def _failed(self, exc: TransientError) -> None:
        self.consecutive_failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"

    def _progressed(self) -> None:
        self.consecutive_failures = 0
        self.last_progress_at = time.time()

    def health(self) -> str:
        """"ok", or why this stage cannot make progress."""
        if not self.running:
            return "stopped"
        if self.consecutive_failures:
            return f"degraded: {self.consecutive_failures} consecutive failures, last: {self.last_error[:300]}"
        return "ok"

    def _rewind(self, pending: list[Record]) -> None:
        assert self._consumer is not None
        first: dict[int, Record] = {}
        for record in pending:
            first.setdefault(record.partition, record)
        for record in first.values():
            self._consumer.rewind(record)

    def _process(self, record: Record) -> None:
        """Handle one record with its trace id current, so every log line of its handling carries it."""
        with traced(trace_from_headers(record.headers)):
            self._process_traced(record)

    def _process_traced(self, record: Record) -> None:
        started = time.perf_counter()
        try:
            envelope, payload = decode(record.value)
            self.stage.handle(envelope, payload)
        except TransientError:
            raise
        except PermanentError as exc:
            self._dead_letter(record, f"{type(exc).__name__}: {exc}")
            return
        except Exception as exc:  # a bug on one event must not stop the pipeline
            log.exception("stage %s failed on %s/%d@%d", self.stage.name, record.topic,
                          record.partition, record.offset)
            self._dead_letter(record, "".join(traceback.format_exception_only(exc)).strip())
            return
        self.handled += 1
        self._metrics.events_processed.labels(self.stage.name, envelope.type).inc()
        self._metrics.stage_seconds.labels(self.stage.name).observe(time.perf_counter() - started)

    def _dead_letter(self, record: Record, error: str) -> None:
        self.last_error = error
        log.error("stage %s: dead-lettering %s/%d@%d: %s", self.stage.name, record.topic,
                  record.partition, record.offset, error)
        raw = (record.value or b"").decode("utf-8", errors="replace")
        self._producer.publish(
            DeadLetter(
                stage=self.stage.name,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                key=record.key.decode("utf-8", errors="replace") if record.key else None,
                error=error[:4000],
                raw=raw[:1_000_000],
            )
        )
        self._metrics.dead_letters.labels(self.stage.name).inc()
        self._metrics.events_failed.labels(self.stage.name, "permanent").inc()
