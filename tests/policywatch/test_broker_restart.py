"""The broker dies mid-run and comes back: on the embedded Tansu broker the pipeline restarts it itself and
the next crawl flows through; on Apache Kafka (restarted by its operator — here the test) the pipeline
reconnects by itself, and since Kafka keeps its log on disk, events acknowledged before the crash are
still delivered after it: nothing lost, nothing stored or alerted twice, no crawl repeated."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.bus import BusConfig, ensure_topics
from core.events import CONSUMER_GROUPS
from core.settings import load_settings
from policywatch.demo import DemoScenario
from policywatch.pipeline import Pipeline
from storage.models import Alert, Delivery, Document, DocumentVersion
from tests.conftest import BROKERS
from tools.apache_kafka import ApacheKafka

pytestmark = pytest.mark.slow


def crash_and_restore(request: pytest.FixtureRequest, pipeline: Pipeline) -> None:
    """Kill the broker the pipeline runs on (SIGKILL) and bring it back the way production would."""
    if pipeline.broker is not None:  # embedded: the daemon's supervision restarts it
        assert pipeline.supervise_broker() is False  # alive: nothing to do
        pid = pipeline.broker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pipeline.broker.alive():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert pipeline.supervise_broker() is True
        assert pipeline.broker.alive() and pipeline.broker.pid != pid
        return
    kafka: ApacheKafka = request.getfixturevalue("apache_kafka")
    kafka.kill()
    kafka.start()


@pytest.mark.parametrize("pipeline_kafka", BROKERS, indirect=True)
def test_dead_broker_comes_back_and_work_goes_on(
    pipeline_kafka: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    scenario = DemoScenario(load_settings(None, kafka=pipeline_kafka), tmp_path / "var")
    with scenario.running():
        pipeline = scenario.pipeline
        assert pipeline is not None
        assert pipeline.crawl("sim-shenzhen").ok
        pipeline.wait_idle(timeout_s=60)

        crash_and_restore(request, pipeline)

        assert pipeline.crawl("sim-nansha").ok
        pipeline.wait_idle(timeout_s=90)
        with pipeline.factory() as session:
            assert session.scalar(select(func.count(Document.id))) == 2
            assert session.scalar(select(func.count(Alert.id))) == 3 + 3  # 深圳: gd, icv, archivist; 南沙 too
        received = scenario.received_since_last()
        assert received.total() == 6


def topic_ends(bus: BusConfig) -> dict[str, int]:
    """Events on each stage's input topic (sum of partition end offsets)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=list(bus.bootstrap_servers))
    try:
        ends = {}
        for logical in CONSUMER_GROUPS.values():
            tps = [TopicPartition(bus.topic(logical), p) for p in range(bus.partitions)]
            ends[logical] = sum(consumer.end_offsets(tps).values())
        return ends
    finally:
        consumer.close()


@pytest.mark.parametrize("pipeline_kafka", ["apache-kafka"], indirect=True)
def test_apache_kafka_crash_mid_flow_loses_nothing_and_duplicates_nothing(
    pipeline_kafka: dict[str, Any], tmp_path: Path, apache_kafka: ApacheKafka, pg_url: str
) -> None:
    scenario = DemoScenario(load_settings(None, kafka=pipeline_kafka, database={"url": pg_url}), tmp_path / "var")
    with scenario.running():
        pipeline = scenario.pipeline
        assert pipeline is not None and pipeline.bus is not None
        results = [pipeline.crawl(source.id) for source in pipeline.sources]  # acknowledged, not yet handled
        assert all(r.ok for r in results), [r.error for r in results]
        published = topic_ends(pipeline.bus)

        with pipeline.factory() as session:  # wait until the stages are in the middle of it
            deadline = time.monotonic() + 60
            while not session.scalar(select(func.count(DocumentVersion.id))):
                assert time.monotonic() < deadline, "the store stage never stored anything"
                time.sleep(0.05)
        apache_kafka.kill()
        time.sleep(1.0)  # the stages notice: polls and commits fail, they back off and retry
        apache_kafka.start()
        ensure_topics(pipeline.bus)  # a no-op: the topics and their events survived on disk
        survived = topic_ends(pipeline.bus)
        assert survived["pages"] == published["pages"]

        pipeline.wait_idle(timeout_s=120)  # no crawl repeated: what was acknowledged is still there
        assert scenario.counts() == {"documents": 5, "versions": 5, "changes.new": 5}
        received = scenario.received_since_last()
        assert received.total() == 11  # gd 2, sh 1, icv 3, archivist 5 — each exactly once
        keys = [(name, alert["subject"]) for name, alerts in received.by_subscriber.items() for alert in alerts]
        assert len(keys) == len(set(keys))
        with pipeline.factory() as session:
            assert session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "sent")) == 11
        assert sum(pipeline.lag().values()) == 0
