"""An archive on a real database (SQLite file or PostgreSQL), filled the way the store stage fills it:
analysis of real seed plans and short texts, ``add_version`` + ``apply_analysis`` + ``index_version``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from consumers.analysis import analyze
from core.events import content_hash, document_key
from storage import documents as repo
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Document
from storage.search_index import index_version

SEEDS = {"nansha": "000_", "shenyang": "001_", "liuzhou": "002_", "minhang": "003_", "shenzhen": "004_"}

# A term wrapped across two lines, and 补贴 only inside the compound 财政补贴.
WRAPPED = (
    "杭州市人民政府办公厅关于加快机器人产业发展的若干意见\n"
    "杭政办函〔2024〕12号\n"
    "各区、县（市）人民政府：\n"
    "为推动人形机器人和具\n身智能产业集聚发展，对符合条件的项目给予财政补贴资金支持。\n"
    "杭州市人民政府办公厅\n2024年3月1日\n"
)
VERSION_1 = (
    "苏州市人民政府关于促进数字孪生城市建设的实施意见\n"
    "苏府〔2023〕8号\n"
    "建设数字孪生城市底座，推动城市治理数字化转型。\n苏州市人民政府\n2023年5月6日\n"
)
VERSION_2 = VERSION_1.replace("数字孪生城市底座", "城市信息模型平台")


@lru_cache(maxsize=32)
def analysed(text: str) -> dict[str, Any]:
    data = analyze(text).to_dict()
    return data


@dataclass
class Archive:
    engine: Engine
    factory: sessionmaker[Session]
    ids: dict[str, int] = field(default_factory=dict)

    def store(self, name: str, text: str, fetched_at: datetime | None = None) -> int:
        """Store ``text`` as the next version of document ``name`` (as the store stage does); its version id."""
        analysis = analysed(text)
        url = f"https://gov.example.cn/{name}.html"
        with transaction(self.factory) as session:
            document = repo.document_by_key(session, document_key(url))
            if document is None:
                document = Document(key=document_key(url), source_id="test", url=url)
                session.add(document)
                session.flush()
            version = repo.add_version(
                session, document, content_hash=content_hash(text), fetched_at=fetched_at or datetime.now(UTC),
                title=analysis["title"] or "", text=analysis["text"], analysis=analysis,
                warc_record=f"warc/2026-11-24.warc.gz#{name}-{document.id}",
            )
            repo.apply_analysis(document, analysis["title"] or "", analysis)
            index_version(session, version)
            self.ids[name] = document.id
            return version.id

    def set_status(self, name: str, status: str) -> None:
        with transaction(self.factory) as session:
            document = session.get(Document, self.ids[name])
            assert document is not None
            document.status = status


@pytest.fixture(scope="session")
def seed_texts(shared_dir: Path) -> dict[str, str]:
    files = sorted((shared_dir / "seeds").glob("*.txt"))
    return {name: next(f for f in files if f.name.startswith(prefix)).read_text(encoding="utf-8")
            for name, prefix in SEEDS.items()}


@pytest.fixture
def empty_archive(db_url: str) -> Iterator[Archive]:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        yield Archive(engine, session_factory(engine))
    finally:
        engine.dispose()


@pytest.fixture
def archive(empty_archive: Archive, seed_texts: dict[str, str]) -> Archive:
    """The five seed plans, the wrapped-term notice and a document with two versions."""
    for name, body in seed_texts.items():
        empty_archive.store(name, body)
    empty_archive.store("hangzhou", WRAPPED)
    empty_archive.store("suzhou", VERSION_1, datetime(2026, 1, 5, tzinfo=UTC))
    empty_archive.store("suzhou", VERSION_2, datetime(2026, 3, 9, tzinfo=UTC))
    return empty_archive
