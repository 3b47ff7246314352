"""The archive application on a real database filled by the real store stage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.metrics import Metrics
from policywatch.web import create_app
from storage.db import make_engine, migrate, session_factory
from tests.archive_fixtures import fill_archive


@dataclass
class ArchiveApp:
    client: TestClient
    ids: dict[str, int]


def _build(url: str, shared_dir: Path) -> Iterator[ArchiveApp]:
    engine = make_engine(url)
    migrate(engine)
    try:
        factory = session_factory(engine)
        ids = fill_archive(factory, shared_dir)
        yield ArchiveApp(TestClient(create_app(factory, Metrics(), lambda: {})), ids)
    finally:
        engine.dispose()


@pytest.fixture
def archive_app(db_url: str, shared_dir: Path) -> Iterator[ArchiveApp]:
    """On SQLite and on PostgreSQL."""
    yield from _build(db_url, shared_dir)


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[ArchiveApp]:
    """One SQLite archive shared by a module's read-only tests."""
    yield from _build(f"sqlite:///{tmp_path_factory.mktemp('archive') / 'db.sqlite'}", shared_dir)
