"""The index follows the store: versions stored before search existed are backfilled by the migration,
and every version the store stage adds is searchable in the same transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select

from consumers.store_stage import StoreStage
from core.bus import BusConfig, EventProducer
from core.events import DocumentUnderstood, content_hash, decode, encode
from core.metrics import Metrics
from storage.db import alembic_config, make_engine, migrate, session_factory, transaction
from storage.models import Change, Document, DocumentVersion
from storage.search import SearchQuery, search

from .conftest import WRAPPED, Archive, analysed


def test_migration_backfills_versions_stored_before_search_existed(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0003")
        analysis = analysed(WRAPPED)
        with transaction(session_factory(engine)) as session:
            document = Document(key=uuid.uuid4().hex, source_id="old", url="https://gov.example.cn/old")
            session.add(document)
            session.flush()
            version = DocumentVersion(document_id=document.id, seq=1, content_hash="h", title=analysis["title"],
                                      text=analysis["text"], analysis=analysis)
            session.add(version)
            session.flush()
            document.latest_version_id = version.id
            document.region_code = "330100"
        migrate(engine)
        with session_factory(engine)() as session:
            hits = search(session, SearchQuery("具身智能", region="浙江省"))
        assert [hit.version_id for hit in hits] == [version.id]
    finally:
        engine.dispose()


def test_store_stage_indexes_each_new_version(empty_archive: Archive, bus_config: BusConfig) -> None:
    producer = EventProducer(bus_config, "test-store")
    stage = StoreStage(empty_archive.factory, producer, Metrics())
    try:
        analysis = analysed(WRAPPED)
        payload = DocumentUnderstood(
            source_id="hz", url="https://gov.example.cn/hz/1.html", fetched_at=datetime.now(UTC),
            content_hash=content_hash(WRAPPED), title=analysis["title"], text=analysis["text"], analysis=analysis,
        )
        envelope, _ = decode(encode(payload, "test")[1])
        stage.handle(envelope, payload)
        stage.handle(envelope, payload)  # a redelivery stores (and indexes) nothing new
    finally:
        producer.close()
    with empty_archive.factory() as session:
        hits = search(session, SearchQuery("补贴", all_versions=True))
        assert session.scalars(select(Change.kind)).all() == ["new"]
    assert [(hit.title, hit.seq, hit.doc_number) for hit in hits] == [
        ("杭州市人民政府办公厅关于加快机器人产业发展的若干意见", 1, "杭政办函〔2024〕12号")
    ]
