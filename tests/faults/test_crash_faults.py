"""The daemon killed with SIGKILL twice — in the middle of a crawl, then in the middle of a consumer batch —
on its own embedded broker (which keeps nothing: everything in flight is lost with it). The third start
finishes the work: every document stored once, every alert sent once, the killed crawl runs ended as
``interrupted``."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawlers.simulator import SimulatedSites
from storage.db import make_engine, session_factory
from storage.models import Alert, CrawlRun, Delivery, Document, DocumentVersion
from tests.daemon_process import daemon_env, start_daemon

pytestmark = [pytest.mark.slow, pytest.mark.fault]

EXPECTED_ALERTS = 11


def _wait(condition: Callable[[], bool], timeout_s: float, what: str,
          state: Callable[[], object] = lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # the schema may not exist yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; state: {state()}")


def test_daemon_killed_mid_crawl_and_mid_batch_loses_and_duplicates_nothing(tmp_path: Path, fault_table) -> None:  # type: ignore[no-untyped-def]
    db_file = tmp_path / "policywatch.db"
    outbox = tmp_path / "outbox.jsonl"
    with SimulatedSites(slow_seconds=4.0) as sites:
        # A delivery claimed by a killed daemon is due again after its lease: keep that window short.
        env = daemon_env(tmp_path, sites.base_url, db_file, outbox, POLICYWATCH_ALERTS__LEASE_SECONDS="10")
        engine = make_engine(f"sqlite:///{db_file}")
        factory = session_factory(engine)

        def count(model, *where) -> int:  # type: ignore[no-untyped-def]
            with factory() as session:
                return session.scalar(select(func.count(model.id)).where(*where)) or 0

        def start() -> subprocess.Popen[bytes]:
            return start_daemon(env, tmp_path)

        def state() -> dict[str, int]:
            """What the database holds, printed when a wait times out."""
            return {
                "documents": count(Document), "versions": count(DocumentVersion), "alerts": count(Alert),
                **{f"deliveries {status}": count(Delivery, Delivery.status == status)
                   for status in ("pending", "sending", "sent", "failed")},
                "runs running": count(CrawlRun, CrawlRun.outcome == "running"),
            }

        runtime = tmp_path / "var" / "runtime.json"

        def started(daemon: subprocess.Popen[bytes]) -> bool:
            """Its runtime file names it (and its broker): a later start can reap that broker."""
            return runtime.exists() and json.loads(runtime.read_text("utf-8")).get("pid") == daemon.pid

        daemons: list[subprocess.Popen[bytes]] = []
        try:
            # 1. Mid-crawl: every detail page answers slowly; kill while crawls are running.
            sites.inject_error("shenzhen", "slow", target="detail")
            daemons.append(start())
            running = (CrawlRun.outcome == "running", CrawlRun.source_id == "sim-shenzhen")
            _wait(lambda: started(daemons[-1]) and count(CrawlRun, *running) >= 1, 60, "the 深圳 crawl running")
            time.sleep(1.0)  # its detail page is being fetched
            daemons[-1].send_signal(signal.SIGKILL)
            daemons[-1].wait(10)
            sites.clear_errors()
            # 2. Mid-batch: kill once this daemon's store has committed a version.
            before = count(DocumentVersion)
            daemons.append(start())
            _wait(lambda: started(daemons[-1]) and count(DocumentVersion) > before, 90, "a stored version")
            daemons[-1].send_signal(signal.SIGKILL)
            daemons[-1].wait(10)
            killed_at = count(DocumentVersion)
            # 3. A clean start finishes everything.
            daemons.append(start())
            _wait(lambda: count(Document) == 5 and count(Delivery, Delivery.status == "sent") == EXPECTED_ALERTS,
                  150, "all documents and alerts", state)
            time.sleep(2)  # nothing more arrives
            daemons[-1].send_signal(signal.SIGTERM)
            assert daemons[-1].wait(30) == 0
            final = {
                "documents": count(Document), "versions": count(DocumentVersion), "alerts": count(Alert),
                "sent": count(Delivery, Delivery.status == "sent"),
            }
            interrupted = count(CrawlRun, CrawlRun.outcome == "interrupted")
            still_running = count(CrawlRun, CrawlRun.outcome == "running")
        finally:
            for daemon in daemons:
                if daemon.poll() is None:
                    daemon.kill()
            engine.dispose()
    assert final == {"documents": 5, "versions": 5, "alerts": EXPECTED_ALERTS, "sent": EXPECTED_ALERTS}
    assert interrupted >= 1 and still_running == 0
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len({line["id"] for line in lines}) == EXPECTED_ALERTS
    # At-least-once: only a delivery written in the instant before a SIGKILL may be written again (once per kill).
    resent = len(lines) - EXPECTED_ALERTS
    assert resent <= 2
    fault_table.extend([
        ("daemon SIGKILL mid-crawl (embedded broker lost)", f"{interrupted} runs ended interrupted; pages fetched again"),
        ("daemon SIGKILL mid consumer batch", f"killed at {killed_at} of 5 versions; then 5 docs, 5 versions, 11 alerts ({resent} re-sent)"),
    ])
