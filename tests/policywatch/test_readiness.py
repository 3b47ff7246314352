"""Ready before the first crawl: the stages have joined their consumer groups and the analysers are loaded,
so the first crawl after a start is handled at once (crawl-to-alert latency, bench_roles); and the daemon
does not carry the crawler's libraries it never uses in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from core.embedded_broker import EmbeddedBroker
from core.settings import load_settings
from policywatch.pipeline import Pipeline
from policywatch.roles import RoleProcess
from storage.db import make_engine, migrate

REPO = Path(__file__).resolve().parents[2]


def test_a_started_pipeline_is_ready_once_every_stage_has_joined_its_group(
    tmp_path: Path, broker: EmbeddedBroker
) -> None:
    unique = f"ready{time.monotonic_ns()}"  # groups too: another test's group may still be rebalancing
    settings = load_settings(
        None, var_dir=tmp_path, web={"enabled": False},
        kafka={"bootstrap_servers": [broker.bootstrap], "topic_prefix": unique, "group_prefix": unique},
    )
    with Pipeline(settings) as pipeline:
        assert len(pipeline.runners) == 3
        assert pipeline.wait_ready(timeout_s=60)
        assert all(runner.joined.is_set() for runner in pipeline.runners)
        assert all(runner.health() == "ok" for runner in pipeline.runners)


def test_the_scheduler_role_runs_crawl_requests_lifecycle_digests_and_the_lag_gauge(
    tmp_path: Path, broker: EmbeddedBroker
) -> None:
    database = f"sqlite:///{tmp_path / 'policywatch.db'}"
    engine = make_engine(database)
    migrate(engine)  # roles never migrate: `policywatch db upgrade` first
    engine.dispose()
    settings = load_settings(
        None, var_dir=tmp_path, web={"enabled": False}, database={"url": database},
        kafka={"bootstrap_servers": [broker.bootstrap], "topic_prefix": f"sched{time.monotonic_ns()}",
               "group_prefix": f"sched{time.monotonic_ns()}"},
    )
    role = RoleProcess(settings, "scheduler").start()
    try:
        assert role.scheduler is not None
        jobs = {job.id for job in role.scheduler.get_jobs()}
    finally:
        role.stop()
    assert {"lifecycle", "digests", "lag-export"} <= jobs
    assert {f"crawl:{source.id}" for source in role.pipeline.sources} <= jobs


def test_the_daemon_process_does_not_load_scrapy() -> None:
    """Crawls run in subprocesses; the web's capture replay reads WARC files without Scrapy (~45 MB)."""
    probe = "import sys, policywatch.daemon, policywatch.roles; print(json.dumps(sorted(m for m in ('scrapy', 'twisted') if m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", f"import json; {probe}"], cwd=REPO, capture_output=True,
                            text=True, timeout=120, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
