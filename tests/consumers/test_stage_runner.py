"""The consumer loop over a real broker: poison events dead-lettered, transient failures retried,
offsets committed only after the work is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaProducer

from consumers.stage_runner import StageRunner
from core.bus import BusConfig, EventConsumer, EventProducer, group_lag
from core.errors import TransientError
from core.events import DeadLetter, Envelope, PageGone, Payload, decode
from core.metrics import Metrics


def gone(n: int) -> PageGone:
    return PageGone(source_id="s", url=f"http://example.gov.cn/{n}.html", status=404, reason="gone",
                    observed_at=datetime.now(UTC))


class RecordingStage:
    """A stage that records what it handled; can be told to fail on chosen events."""

    name = "recording"
    input_topic = "pages"

    def __init__(self, fail: Callable[[PageGone, int], Exception | None] | None = None) -> None:
        self.handled: list[str] = []
        self.attempts: dict[str, int] = {}
        self._fail = fail

    def handle(self, envelope: Envelope, payload: Payload) -> None:
        assert isinstance(payload, PageGone)
        attempt = self.attempts[payload.url] = self.attempts.get(payload.url, 0) + 1
        if self._fail is not None and (error := self._fail(payload, attempt)) is not None:
            raise error
        self.handled.append(payload.url)


def wait_for(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def drain(config: BusConfig, logical: str, expected: int) -> list[bytes]:
    consumer = EventConsumer(config, logical, "inspector")
    values: list[bytes] = []
    deadline = time.monotonic() + 30
    while len(values) < expected and time.monotonic() < deadline:
        values.extend(r.value or b"" for r in consumer.poll(200))
    consumer.close()
    return values


def test_poison_event_goes_to_dead_letter_and_pipeline_goes_on(bus_config: BusConfig) -> None:
    producer = EventProducer(bus_config, "test")
    producer.publish(gone(1))
    raw = KafkaProducer(bootstrap_servers=list(bus_config.bootstrap_servers))
    raw.send(bus_config.topic("pages"), key=b"x", value=b"{not json").get(timeout=10)
    raw.close()
    producer.publish(gone(2))
    stage = RecordingStage()
    runner = StageRunner(stage, bus_config, producer, Metrics()).start()
    try:
        wait_for(lambda: len(stage.handled) == 2)
        wait_for(lambda: group_lag(bus_config, {"recording": "pages"})["recording"] == 0)
    finally:
        runner.stop()
        producer.close()
    letters = [decode(v)[1] for v in drain(bus_config, "deadletter", 1)]
    assert len(letters) == 1
    letter = letters[0]
    assert isinstance(letter, DeadLetter)
    assert letter.raw == "{not json" and "not a policywatch event envelope" in letter.error
    assert sorted(stage.handled) == ["http://example.gov.cn/1.html", "http://example.gov.cn/2.html"]


def test_transient_failure_is_retried_and_nothing_is_skipped(bus_config: BusConfig) -> None:
    producer = EventProducer(bus_config, "test")
    producer.publish_many([gone(n) for n in range(6)])

    def flaky(payload: PageGone, attempt: int) -> Exception | None:
        return TransientError("database down") if payload.url.endswith("/3.html") and attempt < 3 else None

    stage = RecordingStage(flaky)
    runner = StageRunner(stage, bus_config, producer, Metrics(), max_backoff_s=0.2).start()
    try:
        wait_for(lambda: len(stage.handled) == 6)
        wait_for(lambda: group_lag(bus_config, {"recording": "pages"})["recording"] == 0)
    finally:
        runner.stop()
        producer.close()
    assert sorted(stage.handled) == sorted(f"http://example.gov.cn/{n}.html" for n in range(6))
    assert stage.attempts["http://example.gov.cn/3.html"] == 3
    assert drain(bus_config, "deadletter", 0) == []


def test_unfinished_work_is_redelivered_to_the_next_consumer(bus_config: BusConfig) -> None:
    """A stage stopped while an event fails keeps no offset for it: the next run gets it again."""
    producer = EventProducer(bus_config, "test")
    producer.publish(gone(7))
    failing = RecordingStage(lambda p, a: TransientError("store unreachable"))
    runner = StageRunner(failing, bus_config, producer, Metrics(), max_backoff_s=0.2).start()
    wait_for(lambda: failing.attempts.get("http://example.gov.cn/7.html", 0) >= 2)
    runner.stop()
    assert failing.handled == []
    healthy = RecordingStage()
    runner = StageRunner(healthy, bus_config, producer, Metrics()).start()
    try:
        wait_for(lambda: healthy.handled == ["http://example.gov.cn/7.html"])
    finally:
        runner.stop()
        producer.close()
