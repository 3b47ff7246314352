"""The outbox relay over a real broker and SQLite: a change whose event was acknowledged but never reached
the alert stage (lost with the embedded broker in a crash) is published again; one already alerted is not;
and the alert stage marks what it handled, so the relay stops."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from consumers.alert_stage import AlertStage
from consumers.store_stage import StoreStage
from core.bus import BusConfig, EventConsumer, EventProducer
from core.events import DocumentChanged, decode
from core.metrics import Metrics
from storage.db import session_factory, transaction
from storage.models import Change, Document


def _change(factory: sessionmaker[Session], n: int, published_at: datetime | None,
            alerted_at: datetime | None) -> int:
    with transaction(factory) as session:
        document = Document(key=f"k{n}", source_id="s", url=f"http://example.gov.cn/{n}.html")
        session.add(document)
        session.flush()
        change = Change(dedup_key=f"d{n}", document_id=document.id, kind="new", summary={},
                        published_at=published_at, alerted_at=alerted_at)
        session.add(change)
        session.flush()
        return change.id


def _published(config: BusConfig) -> list[int]:
    consumer = EventConsumer(config, "changes", "inspector")
    ids: list[int] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for record in consumer.poll(200):
            payload = decode(record.value or b"")[1]
            assert isinstance(payload, DocumentChanged)
            ids.append(payload.change_id)
    consumer.close()
    return sorted(ids)


def test_relay_publishes_again_changes_published_but_never_alerted(migrated_engine, bus_config: BusConfig) -> None:  # type: ignore[no-untyped-def]
    factory = session_factory(migrated_engine)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    unpublished = _change(factory, 1, None, None)
    lost = _change(factory, 2, long_ago, None)
    alerted = _change(factory, 3, long_ago, long_ago)
    recent = _change(factory, 4, datetime.now(UTC), None)
    producer = EventProducer(bus_config, "test")
    stage = StoreStage(factory, producer, Metrics())

    relayed = stage.publish_outbox(unalerted_before=datetime.now(UTC) - timedelta(minutes=5))

    assert relayed == 2
    assert _published(bus_config) == [unpublished, lost]
    assert recent not in _published(bus_config) and alerted not in _published(bus_config)
    with transaction(factory) as session:
        # Re-armed: the copy was just published, so the next periodic pass leaves it to the alert stage.
        lost_change = session.get(Change, lost)
        assert lost_change is not None and lost_change.published_at is not None
        assert lost_change.published_at.replace(tzinfo=UTC) > long_ago + timedelta(minutes=30)
    assert stage.publish_outbox(unalerted_before=datetime.now(UTC) - timedelta(minutes=5)) == 0
    producer.close()


def test_alert_stage_marks_changes_it_handled_even_without_a_match(migrated_engine, bus_config: BusConfig) -> None:  # type: ignore[no-untyped-def]
    factory = session_factory(migrated_engine)
    change_id = _change(factory, 1, datetime.now(UTC), None)
    stage = AlertStage(factory, lambda: None, "http://127.0.0.1:8470", Metrics())
    event = DocumentChanged(change_id=change_id, document_id=1, version_id=None,
                            url="http://example.gov.cn/1.html", kind="new", detected_at=datetime.now(UTC))
    stage.handle(None, event)  # type: ignore[arg-type]
    with transaction(factory) as session:
        change = session.get(Change, change_id)
        assert change is not None and change.alerted_at is not None
    producer = EventProducer(bus_config, "test")
    assert StoreStage(factory, producer, Metrics()).publish_outbox(unalerted_before=datetime.now(UTC)) == 0
    producer.close()
