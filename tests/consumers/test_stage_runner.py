"""The consumer loop over a real broker — the embedded Tansu broker and Apache Kafka alike: poison events
dead-lettered, transient failures retried, offsets committed only after the work is done; and on Apache
Kafka, partitions shared out again when an instance joins or dies."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer

from consumers.stage_runner import StageRunner
from core.bus import BusConfig, EventConsumer, EventProducer
from core.consumer_lag import group_lag
from core.errors import TransientError
from core.events import DeadLetter, Envelope, PageGone, Payload, decode
from core.metrics import Metrics
from tests.conftest import BROKERS

ON_EACH_BROKER = pytest.mark.parametrize("bus_config", BROKERS, indirect=True)
INSTANCE = Path(__file__).with_name("recording_instance.py")


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


@ON_EACH_BROKER
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


@ON_EACH_BROKER
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


@ON_EACH_BROKER
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


@pytest.mark.parametrize("bus_config", ["apache-kafka"], indirect=True)
def test_partitions_rebalance_when_an_instance_joins_and_when_one_dies(bus_config: BusConfig, tmp_path: Path) -> None:
    """Two instances of one stage share its partitions; when one is killed the other takes them all.
    (On Apache Kafka, the production broker; NOTES.md records the same behaviour measured on Tansu.)"""
    producer = EventProducer(bus_config, "test")
    first = RecordingStage()
    runner = StageRunner(first, bus_config, producer, Metrics()).start()
    published: list[str] = []

    def publish_batch(size: int = 12) -> list[str]:
        batch = [gone(len(published) + n) for n in range(size)]
        producer.publish_many(batch)
        published.extend(event.url for event in batch)
        return [event.url for event in batch]

    publish_batch()
    wait_for(lambda: len(first.handled) == len(published))  # alone, it has every partition
    handled_file = tmp_path / "second.txt"
    second = subprocess.Popen(
        [sys.executable, str(INSTANCE), bus_config.to_json(), str(handled_file)], cwd=Path.cwd(),
    )
    try:
        def second_handled() -> list[str]:
            return handled_file.read_text().split() if handled_file.exists() else []

        deadline = time.monotonic() + 45
        while not second_handled():  # the newcomer gets a share once the group has rebalanced
            assert time.monotonic() < deadline, "the second instance never got a partition"
            publish_batch()
            time.sleep(0.5)
        wait_for(lambda: set(first.handled) | set(second_handled()) == set(published))
        assert second_handled()  # the newcomer really took a share

        second.send_signal(signal.SIGKILL)  # dies: no clean leave, the group notices by session timeout
        second.wait(timeout=10)
        after_death = publish_batch()
        wait_for(lambda: set(after_death) <= set(first.handled), timeout_s=60)
        assert set(first.handled) | set(second_handled()) == set(published)
    finally:
        if second.poll() is None:
            second.kill()
            second.wait(timeout=10)
        runner.stop()
        producer.close()
