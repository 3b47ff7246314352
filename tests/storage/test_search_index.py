"""The index follows the store: versions stored before search existed are backfilled by the migration,
and every version the store stage adds is searchable in the same transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import Connection, MetaData, Table, insert, select, update

from consumers.store_stage import StoreStage
from core.bus import BusConfig, EventProducer
from core.events import DocumentUnderstood, content_hash, decode, encode
from core.metrics import Metrics
from storage.db import alembic_config, make_engine, migrate, session_factory
from storage.models import Base, Change, Document, DocumentVersion
from storage.search import SearchQuery, search

from .conftest import WRAPPED, Archive, analysed


def _insert(conn: Connection, model: type[Base], **values: Any) -> int:
    """Insert a row into a table as an older schema has it: only the columns that exist there, with the
    model's defaults for the ones not given (the model may already have columns added later)."""
    table = Table(model.__tablename__, MetaData(), autoload_with=conn)
    row = {}
    for column in model.__table__.columns:
        if column.name in table.c and column.name not in values and column.default is not None:
            arg = column.default.arg  # type: ignore[attr-defined]
            row[column.name] = arg(None) if callable(arg) else arg
    row.update(values)
    return int(conn.execute(insert(table).values(row)).inserted_primary_key[0])


def test_migration_backfills_versions_stored_before_search_existed(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0003")
        analysis = analysed(WRAPPED)
        with engine.begin() as conn:
            doc_id = _insert(conn, Document, key=uuid.uuid4().hex, source_id="old", url="https://gov.example.cn/old",
                             region_code="330100")
            version_id = _insert(conn, DocumentVersion, document_id=doc_id, seq=1, content_hash="h",
                                 title=analysis["title"], text=analysis["text"], analysis=analysis)
            conn.execute(update(Document).where(Document.id == doc_id).values(latest_version_id=version_id))
        migrate(engine)
        with session_factory(engine)() as session:
            hits = search(session, SearchQuery("具身智能", region="浙江省"))
        assert [hit.version_id for hit in hits] == [version_id]
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
