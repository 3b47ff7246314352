"""The embedded broker dies mid-run: the pipeline restarts it and the next crawl flows through."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.settings import load_settings
from policywatch.demo import DemoScenario
from storage.models import Alert, Document

pytestmark = pytest.mark.slow


def test_dead_embedded_broker_is_restarted_and_work_goes_on(tmp_path: Path) -> None:
    scenario = DemoScenario(load_settings(None), tmp_path / "var")
    with scenario.running():
        pipeline = scenario.pipeline
        assert pipeline is not None and pipeline.broker is not None
        assert pipeline.crawl("sim-shenzhen").ok
        pipeline.wait_idle(timeout_s=60)
        assert pipeline.supervise_broker() is False  # alive: nothing to do

        pid = pipeline.broker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pipeline.broker.alive():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert pipeline.supervise_broker() is True
        assert pipeline.broker.alive() and pipeline.broker.pid != pid

        assert pipeline.crawl("sim-nansha").ok
        pipeline.wait_idle(timeout_s=90)
        with pipeline.factory() as session:
            assert session.scalar(select(func.count(Document.id))) == 2
            assert session.scalar(select(func.count(Alert.id))) == 3 + 3  # 深圳: gd, icv, archivist; 南沙 too
        received = scenario.received_since_last()
        assert received.total() == 6
