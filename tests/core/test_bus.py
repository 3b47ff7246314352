"""The idempotent producer on Apache Kafka: the broker tracks our producer (so a retried send is never
written twice), and it keeps publishing across a broker crash and restart — which the embedded Tansu
broker cannot do (NOTES.md), hence the setting is off by default."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from core.bus import BusConfig, EventProducer
from core.events import PageGone
from tools.apache_kafka import ApacheKafka


def gone(n: int) -> PageGone:
    return PageGone(source_id="s", url=f"http://example.gov.cn/{n}.html", status=404, reason="gone",
                    observed_at=datetime.now(UTC))


def pages_topic(config: BusConfig) -> list[TopicPartition]:
    return [TopicPartition(config.topic("pages"), p) for p in range(config.partitions)]


def active_producers(config: BusConfig) -> dict[int, list[int]]:
    """{partition: [producer ids the broker tracks on it]} on the pages topic."""
    admin = KafkaAdminClient(bootstrap_servers=list(config.bootstrap_servers))
    try:
        states = admin.describe_producers(pages_topic(config))
    finally:
        admin.close()
    return {tp.partition: [p.producer_id for p in state.active_producers] for tp, state in states.items()}


def read_urls(config: BusConfig) -> list[str]:
    consumer = KafkaConsumer(bootstrap_servers=list(config.bootstrap_servers), enable_auto_commit=False)
    try:
        partitions = pages_topic(config)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        urls: list[str] = []
        for _ in range(100):
            if all(consumer.position(tp) >= end[tp] for tp in partitions):
                break
            for messages in consumer.poll(timeout_ms=200).values():
                urls.extend(json.loads(m.value)["data"]["url"] for m in messages)
        return urls
    finally:
        consumer.close()


@pytest.mark.parametrize("bus_config", ["apache-kafka"], indirect=True)
def test_idempotent_producer_survives_a_broker_crash_and_writes_each_event_once(
    bus_config: BusConfig, apache_kafka: ApacheKafka
) -> None:
    assert bus_config.kafka.idempotent_producer
    producer = EventProducer(bus_config, "test")
    try:
        producer.publish_many([gone(n) for n in range(30)])
        tracked = active_producers(bus_config)
        ids = {pid for pids in tracked.values() for pid in pids}
        assert len(ids) == 1 and min(ids) >= 0  # one idempotent producer, known to every partition it wrote

        apache_kafka.kill()
        apache_kafka.start()
        producer.publish_many([gone(n) for n in range(30, 60)])  # the same client, no reconnect()
        after = active_producers(bus_config)
        assert {pid for pids in after.values() for pid in pids} == ids  # its state survived on disk
    finally:
        producer.close()
    urls = read_urls(bus_config)
    assert sorted(urls) == sorted(gone(n).url for n in range(60))  # nothing lost, nothing twice


@pytest.mark.parametrize("bus_config", ["apache-kafka"], indirect=True)
def test_producer_without_idempotence_leaves_no_producer_state(bus_config: BusConfig) -> None:
    plain = BusConfig.from_settings(bus_config.kafka.model_copy(update={"idempotent_producer": False}))
    producer = EventProducer(plain, "test")
    try:
        producer.publish_many([gone(n) for n in range(6)])
    finally:
        producer.close()
    assert all(pids == [] for pids in active_producers(plain).values())
