"""A daemon killed (SIGKILL) in the middle of its work and started again loses nothing and
duplicates nothing: the broker keeps the work in flight, the store is idempotent."""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.embedded_broker import EmbeddedBroker
from crawlers.simulator import SimulatedSites
from storage.db import make_engine, session_factory
from storage.models import Alert, Change, Delivery, Document, DocumentVersion
from tests.daemon_process import daemon_env, start_daemon

pytestmark = pytest.mark.slow

EXPECTED_ALERTS = 11  # first-crawl alerts of the demo subscribers (see test_end_to_end.FIRST_CRAWL)


def _counts(factory) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return {
            "documents": session.scalar(select(func.count(Document.id))) or 0,
            "versions": session.scalar(select(func.count(DocumentVersion.id))) or 0,
            "changes": session.scalar(select(func.count(Change.id))) or 0,
            "alerts": session.scalar(select(func.count(Alert.id))) or 0,
            "sent": session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "sent")) or 0,
        }


def test_daemon_killed_mid_run_and_restarted_loses_and_duplicates_nothing(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    db_file = tmp_path / "policywatch.db"
    outbox = tmp_path / "outbox.jsonl"
    suffix = uuid.uuid4().hex[:8]
    with SimulatedSites() as sites:
        env = daemon_env(tmp_path, sites.base_url, db_file, outbox,
                         POLICYWATCH_KAFKA__BOOTSTRAP_SERVERS=json.dumps([broker.bootstrap]),
                         POLICYWATCH_KAFKA__TOPIC_PREFIX=f"crash{suffix}",
                         POLICYWATCH_KAFKA__GROUP_PREFIX=f"crash{suffix}")
        first = start_daemon(env, tmp_path)
        engine = make_engine(f"sqlite:///{db_file}")
        factory = session_factory(engine)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if db_file.exists():
                    try:
                        if _counts(factory)["versions"] >= 1:
                            break
                    except Exception:  # schema not migrated yet
                        pass
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            killed_at = _counts(factory)
            assert killed_at["versions"] >= 1

            second = start_daemon(env, tmp_path)
            try:
                deadline = time.monotonic() + 120
                stable_since = None
                last: dict[str, int] = {}
                while time.monotonic() < deadline:
                    now = _counts(factory)
                    done = now["documents"] == 5 and now["sent"] == EXPECTED_ALERTS
                    if done and now == last:
                        stable_since = stable_since or time.monotonic()
                        if time.monotonic() - stable_since > 3:
                            break
                    else:
                        stable_since = None
                    last = now
                    time.sleep(0.2)
                second.send_signal(signal.SIGTERM)
                assert second.wait(timeout=30) == 0
            finally:
                if second.poll() is None:
                    second.kill()
        finally:
            if first.poll() is None:
                first.kill()
            final = _counts(factory)
            engine.dispose()
    assert final == {"documents": 5, "versions": 5, "changes": 5, "alerts": EXPECTED_ALERTS,
                     "sent": EXPECTED_ALERTS}
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    keys = [(line["subscription"]["name"], line["change"]["id"]) for line in lines]
    assert len(keys) == len(set(keys)) == EXPECTED_ALERTS
