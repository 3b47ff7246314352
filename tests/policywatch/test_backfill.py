"""A backfill reads a source's list deeper than the page cap, once, and the stages store what it found;
the scheduled crawl before it stopped at the cap. Real: the simulated sites, the embedded broker, the
crawl subprocess, the stages, SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from crawlers.simulator import SimulatedSites
from policywatch.cli.main import main
from storage.db import make_engine, session_factory
from storage.models import CrawlRun, Document

pytestmark = pytest.mark.slow  # a pipeline and crawl subprocesses per test (~8 s each)


def test_backfill_reads_past_the_page_cap_and_stores_the_older_documents(sim: SimulatedSites, tmp_path: Path) -> None:
    for number in range(5):  # 南沙 then shows 6 documents on 3 list pages
        sim.publish("nansha", f"90{number}", f"人工智能测试文件{number}", f"人工智能正文{number}。" * 20, f"2025-05-0{number + 1}")
    env = {
        "POLICYWATCH_VAR_DIR": str(tmp_path / "var"),
        "POLICYWATCH_CRAWL__SIMULATOR_URL": sim.base_url,
        "POLICYWATCH_CRAWL__PAGE_CAP": "1",
        "POLICYWATCH_CRAWL__ENABLED_SOURCES": '["sim-nansha"]',
    }
    scheduled = CliRunner().invoke(main, ["crawl", "sim-nansha"], env=env)
    assert scheduled.exit_code != 0 and "page cap of 1 list pages reached" in scheduled.output

    result = CliRunner().invoke(main, ["backfill", "sim-nansha", "--pages", "10", "--json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["list_pages_read"] == 3 and not summary["more_pages"] and summary["outcome"] == "ok"
    assert summary["new_documents"] == 4  # the two on page 1 were stored by the scheduled crawl

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}")
    try:
        with session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(Document)) == 6
            runs = session.scalars(select(CrawlRun.outcome).order_by(CrawlRun.id)).all()
            assert runs == ["partial", "ok"]
    finally:
        engine.dispose()


def test_backfill_stopped_by_its_pages_says_the_list_goes_on(sim: SimulatedSites, tmp_path: Path) -> None:
    for number in range(5):
        sim.publish("nansha", f"91{number}", f"人工智能测试文件{number}", f"人工智能正文{number}。" * 20, f"2025-06-0{number + 1}")
    env = {"POLICYWATCH_VAR_DIR": str(tmp_path / "var"), "POLICYWATCH_CRAWL__SIMULATOR_URL": sim.base_url,
           "POLICYWATCH_CRAWL__PAGE_CAP": "1"}
    result = CliRunner().invoke(main, ["backfill", "sim-nansha", "--pages", "2"], env=env)
    assert result.exit_code == 0, result.output
    assert "2 of up to 2 list pages read (the list goes on" in result.output
    assert "4 new documents" in result.output
