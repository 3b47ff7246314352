"""A database outage in the middle of the flow: stages report it, retry, and lose nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from core.events import ListEntry, PageFetched
from core.settings import load_settings
from crawlers.simulator import DEMO_REVISION_DOC, DEMO_REVISION_SITE
from policywatch.demo import DemoScenario
from storage.models import Alert, DocumentVersion
from tools.postgres import TestPostgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _block(postgres: TestPostgres, database: str, blocked: bool) -> None:
    postgres.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {"false" if blocked else "true"}')
    if blocked:
        postgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", database)


def test_database_outage_delays_work_and_loses_nothing(
    postgres: TestPostgres, pg_url: str, tmp_path: Path
) -> None:
    database = urlsplit(pg_url).path.lstrip("/")
    scenario = DemoScenario(load_settings(None, database={"url": pg_url}), tmp_path / "var")
    with scenario.running():
        pipeline = scenario.pipeline
        assert pipeline is not None and pipeline.producer is not None
        url = scenario.sites.document_url(DEMO_REVISION_SITE, DEMO_REVISION_DOC)
        page = PageFetched(
            source_id="sim-shenzhen", url=url, final_url=url, status=200, fetched_at=datetime.now(UTC),
            encoding="utf-8", html=httpx.get(url, timeout=10).text, body_sha256="0" * 64,
            list_entry=ListEntry(),
        )
        _block(postgres, database, True)
        try:
            pipeline.producer.publish(page)
            store = next(r for r in pipeline.runners if r.stage.name == "store")
            deadline = time.monotonic() + 30
            while "database" not in store.last_error.lower() and "connection" not in store.last_error.lower():
                assert time.monotonic() < deadline, f"outage never reported: {store.last_error!r}"
                time.sleep(0.1)
            assert store.running
        finally:
            _block(postgres, database, False)
        pipeline.wait_idle(timeout_s=60)
        with pipeline.factory() as session:
            assert session.scalar(select(func.count(DocumentVersion.id))) == 1
            assert session.scalar(select(func.count(Alert.id))) == 3
        received = scenario.received_since_last()
        assert sorted(received.by_subscriber) == ["archivist", "gd-consultancy", "icv-analyst"]
        assert received.total() == 3
