"""The only module that talks to Kafka (kafka-python): topic setup, a producer and a consumer.

Delivery contract: producers wait for the broker's acknowledgement (acks=all) before a send counts;
consumers never auto-commit — a stage commits an offset only after its work is durable.
Idempotent producing follows ``kafka.idempotent_producer``: off by default because after a restart of
the embedded Tansu broker kafka-python's idempotent producer never recovers (see NOTES.md); on with Apache
Kafka, which keeps producer state on disk, so a retried send is never written twice. Consumers are
idempotent either way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from core.errors import BusUnavailable, ConfigurationError
from core.events import TOPICS, Payload, encode
from core.settings import KafkaSettings
from core.tracing import current_trace, trace_headers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BusConfig:
    """The one Kafka client configuration, built once from ``settings.kafka`` by the composition root and
    handed to every producer, consumer and admin client — the crawler's too (``to_json``/``from_json``
    carry it into a crawl's process). Its only addition to the settings is the resolved broker list: the
    embedded broker's address when no Kafka is configured."""

    kafka: KafkaSettings

    @classmethod
    def from_settings(cls, kafka: KafkaSettings, bootstrap_servers: Sequence[str] | None = None) -> BusConfig:
        """The configuration for ``kafka``, on ``bootstrap_servers`` when given (the embedded broker)."""
        if bootstrap_servers is not None:
            kafka = kafka.model_copy(update={"bootstrap_servers": list(bootstrap_servers)})
        if not kafka.bootstrap_servers:
            raise ConfigurationError("no Kafka broker to connect to", setting="kafka.bootstrap_servers")
        return cls(kafka)

    @property
    def bootstrap_servers(self) -> tuple[str, ...]:
        return tuple(self.kafka.bootstrap_servers)

    @property
    def topic_prefix(self) -> str:
        return self.kafka.topic_prefix

    @property
    def group_prefix(self) -> str:
        return self.kafka.group_prefix

    @property
    def partitions(self) -> int:
        return self.kafka.partitions

    def topic(self, logical: str) -> str:
        """Full Kafka topic name of a logical topic; unknown names fail loudly (Tansu auto-creates)."""
        if logical not in TOPICS:
            raise KeyError(f"unknown topic {logical!r}; known: {sorted(TOPICS)}")
        return f"{self.kafka.topic_prefix}.{TOPICS[logical]}"

    def group(self, stage: str) -> str:
        return f"{self.kafka.group_prefix}.{stage}"

    def to_json(self) -> str:
        return self.kafka.model_dump_json()

    @classmethod
    def from_json(cls, data: str) -> BusConfig:
        return cls.from_settings(KafkaSettings.model_validate_json(data))


def _admin(config: BusConfig, client_id: str, bootstrap_timeout_ms: int = 30000) -> KafkaAdminClient:
    try:
        return KafkaAdminClient(
            bootstrap_servers=list(config.bootstrap_servers),
            client_id=client_id,
            request_timeout_ms=config.kafka.request_timeout_ms,
            bootstrap_timeout_ms=bootstrap_timeout_ms,
        )
    except KafkaError as exc:
        raise BusUnavailable(f"cannot reach Kafka at {config.bootstrap_servers}: {exc}") from exc


def ensure_topics(config: BusConfig) -> list[str]:
    """Create every topic with explicit partition counts; existing topics are left alone."""
    names = [config.topic(logical) for logical in TOPICS]
    admin = _admin(config, "policywatch-admin")
    try:
        existing = set(admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            with suppress(TopicAlreadyExistsError):  # another instance created it meanwhile
                admin.create_topics(
                    [NewTopic(name, config.partitions, config.kafka.replication_factor) for name in missing]
                )
            log.info("created topics %s with %d partitions", missing, config.partitions)
    except KafkaError as exc:
        raise BusUnavailable(f"cannot create topics: {exc}") from exc
    finally:
        admin.close()
    return names


def missing_topics(config: BusConfig, bootstrap_timeout_ms: int = 5000) -> list[str]:
    """Our topics the cluster does not have yet (``ensure_topics`` creates them at start); raises
    BusUnavailable when no broker answers within ``bootstrap_timeout_ms``."""
    admin = _admin(config, "policywatch-check", bootstrap_timeout_ms)
    try:
        existing = set(admin.list_topics())
    except KafkaError as exc:
        raise BusUnavailable(f"cannot list topics: {exc}") from exc
    finally:
        admin.close()
    return [config.topic(logical) for logical in TOPICS if config.topic(logical) not in existing]


class EventProducer:
    """Publishes typed events and returns only once the broker acknowledged them."""

    def __init__(self, config: BusConfig, source: str) -> None:
        self._config = config
        self._source = source
        self._timeout = config.kafka.send_timeout_seconds
        self._lock = threading.Lock()
        self._producer = self._connect()

    def _connect(self) -> KafkaProducer:
        config = self._config
        try:
            return KafkaProducer(
                bootstrap_servers=list(config.bootstrap_servers),
                client_id=f"policywatch-{self._source}",
                acks="all",
                enable_idempotence=config.kafka.idempotent_producer,
                linger_ms=2,
                retries=5,
                max_request_size=config.kafka.max_request_size,
                request_timeout_ms=config.kafka.request_timeout_ms,
            )
        except KafkaError as exc:
            raise BusUnavailable(f"cannot reach Kafka at {config.bootstrap_servers}: {exc}") from exc

    def publish(self, payload: Payload, trace_id: str | None = None) -> tuple[int, int]:
        """Send one event and wait for the ack; returns (partition, offset)."""
        return self.publish_many([payload], trace_id)[0]

    def publish_many(self, payloads: Iterable[Payload], trace_id: str | None = None) -> list[tuple[int, int]]:
        """Send events and wait for every ack; raises BusUnavailable if any was not acknowledged.

        The events carry ``trace_id`` in their headers (default: the trace of the event in hand)."""
        futures = []
        headers = trace_headers(current_trace.get() if trace_id is None else trace_id)
        with self._lock:
            producer = self._producer
        try:
            for payload in payloads:
                key, value = encode(payload, self._source)
                futures.append(
                    producer.send(self._config.topic(payload.TOPIC), key=key, value=value, headers=headers or None)
                )
            producer.flush(timeout=self._timeout)
            results = []
            for future in futures:
                meta = future.get(timeout=self._timeout)
                results.append((meta.partition, meta.offset))
            return results
        except KafkaError as exc:
            raise BusUnavailable(f"broker did not acknowledge: {exc}") from exc

    def reconnect(self) -> None:
        """Replace the client after a broker restart (its producer state is gone with the broker)."""
        fresh = self._connect()
        with self._lock:
            stale, self._producer = self._producer, fresh
        stale.close(timeout=1)

    def close(self) -> None:
        with self._lock:
            self._producer.close(timeout=5)


@dataclass(frozen=True)
class Record:
    """A consumed message, decoupled from kafka-python's types."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


class EventConsumer:
    """A group member on one logical topic with manual offset commits.

    ``max_poll_records`` / ``max_poll_interval_ms`` override the settings for consumers whose work on
    one record is long (a crawl worker takes one request at a time and may crawl for many minutes)."""

    def __init__(
        self, config: BusConfig, logical_topic: str, stage: str,
        max_poll_records: int | None = None, max_poll_interval_ms: int | None = None,
    ) -> None:
        self._config = config
        self.topic = config.topic(logical_topic)
        try:
            self._consumer = KafkaConsumer(
                self.topic,
                bootstrap_servers=list(config.bootstrap_servers),
                group_id=config.group(stage),
                client_id=f"policywatch-{stage}",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=config.kafka.session_timeout_ms,
                heartbeat_interval_ms=config.kafka.heartbeat_interval_ms,
                max_poll_interval_ms=max_poll_interval_ms or config.kafka.max_poll_interval_ms,
                fetch_max_wait_ms=config.kafka.fetch_max_wait_ms,
                max_poll_records=max_poll_records or config.kafka.max_poll_records,
                request_timeout_ms=max(config.kafka.request_timeout_ms, config.kafka.session_timeout_ms + 5000),
            )
        except KafkaError as exc:
            raise BusUnavailable(f"cannot reach Kafka at {config.bootstrap_servers}: {exc}") from exc

    @property
    def assigned(self) -> bool:
        """Whether the group has given this member its partitions. A group's first join waits out the
        broker's initial rebalance delay (about 3 s on Tansu and on Apache Kafka's defaults)."""
        return bool(self._consumer.assignment())

    def poll(self, timeout_ms: int = 500) -> list[Record]:
        try:
            batches = self._consumer.poll(timeout_ms=timeout_ms)
        except KafkaError as exc:
            raise BusUnavailable(f"poll failed: {exc}") from exc
        records = [
            Record(msg.topic, msg.partition, msg.offset, msg.key, msg.value, tuple(msg.headers or ()))
            for messages in batches.values()
            for msg in messages
        ]
        records.sort(key=lambda r: (r.partition, r.offset))
        return records

    def commit(self, record: Record) -> None:
        """Commit the position after ``record``: it and everything before it in its partition are done."""
        tp = TopicPartition(record.topic, record.partition)
        try:
            self._consumer.commit({tp: OffsetAndMetadata(record.offset + 1, "", -1)})
        except KafkaError as exc:
            raise BusUnavailable(f"commit failed: {exc}") from exc

    def rewind(self, record: Record) -> None:
        """Make the next poll return ``record`` again (used when its processing must be retried)."""
        self._consumer.seek(TopicPartition(record.topic, record.partition), record.offset)

    def lag(self) -> dict[int, int]:
        """Messages not yet committed per assigned partition."""
        assigned = self._consumer.assignment()
        if not assigned:
            return {}
        ends = self._consumer.end_offsets(list(assigned))
        return {
            tp.partition: ends[tp] - (self._consumer.committed(tp) or 0) for tp in assigned
        }

    def close(self) -> None:
        self._consumer.close(autocommit=False)
