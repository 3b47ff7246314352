"""The operator's tools as an operator runs them: `policywatch config check` against real services (a
broker, PostgreSQL, an S3-compatible server) and against a broken configuration, and `policywatch db
upgrade`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from core.embedded_broker import EmbeddedBroker, free_port
from core.settings import DEFAULT_SOURCES_DIR
from policywatch.cli import main
from storage.db import MIGRATIONS_DIR


def head_revision() -> str:
    """The newest migration on disk, read the way Alembic reads it (not hard-coded: migrations keep coming)."""
    return str(ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head())


def run(config: dict[str, Any], tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    path = tmp_path / "policywatch.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), *args])
    return result.exit_code, result.output.splitlines()


def test_config_check_reaches_database_broker_and_object_storage(
    tmp_path: Path, pg_url: str, broker: EmbeddedBroker, s3_captures: dict[str, Any]
) -> None:
    code, lines = run({
        "var_dir": str(tmp_path / "var"),
        "database": {"url": pg_url},
        "kafka": {"bootstrap_servers": [broker.bootstrap], "topic_prefix": "check"},
        "captures": s3_captures,
    }, tmp_path, "config", "check")
    assert code == 0, lines
    assert [line.split()[0] for line in lines[:-1]] == ["ok"] * 5 and lines[-1] == "configuration ok"
    assert "schema at revision (empty)" in lines[2] and "`policywatch db upgrade`" in lines[2]
    assert "5 topics to be created at start" in lines[3]
    assert lines[4].endswith(f"s3://{s3_captures['s3']['bucket']}/warc/ at {s3_captures['s3']['endpoint_url']}")
    assert "test-secret" not in "\n".join(lines)


def test_config_check_reports_every_problem_on_a_line_of_its_own(
    tmp_path: Path, s3_captures: dict[str, Any]
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(DEFAULT_SOURCES_DIR / "real", sources)
    (sources / "broken.toml").write_text('id = "broken"\nlayout = "static"\n', encoding="utf-8")
    shutil.copy(sources / "guangdong.toml", sources / "guangdong-again.toml")
    closed = free_port()
    code, lines = run({
        "database": {"url": f"postgresql://policywatch:hunter2@127.0.0.1:{closed}/policywatch"},
        "kafka": {"bootstrap_servers": [f"127.0.0.1:{closed}"]},
        "crawl": {"sources_dirs": [str(sources)], "enabled_sources": ["guangdong", "nowhere"]},
        "captures": {**s3_captures, "s3": {**s3_captures["s3"], "bucket": "no-such-bucket"}},
    }, tmp_path, "config", "check")
    assert code == 1
    problems = [line for line in lines if line.startswith("PROBLEM")]
    assert lines[-1] == "Error: 6 problems found" and len(problems) == 6
    assert any("broken.toml" in p and "name" in p for p in problems)
    assert any("guangdong-again.toml" in p and "already defined" in p for p in problems)
    assert any("'nowhere'" in p and "crawl.enabled_sources" in p for p in problems)
    assert any(p.startswith("PROBLEM  database:") and "change database.url" in p for p in problems)
    assert any(p.startswith("PROBLEM  broker:") and "change kafka.bootstrap_servers" in p for p in problems)
    assert any(p.startswith("PROBLEM  captures:") and "no-such-bucket" in p for p in problems)
    assert "hunter2" not in "\n".join(lines)


def test_config_check_names_each_invalid_setting(tmp_path: Path) -> None:
    code, lines = run({"kafka": {"partitions": 0}, "web": {"port": 99999}}, tmp_path, "config", "check")
    assert code == 1
    assert sorted(line.split()[2] for line in lines[:-1]) == ["kafka.partitions:", "web.port:"]


def test_config_check_refuses_the_idempotent_producer_on_the_embedded_broker(tmp_path: Path) -> None:
    code, lines = run({"kafka": {"idempotent_producer": True}}, tmp_path, "config", "check")
    assert code == 1 and any("kafka.idempotent_producer" in line for line in lines if line.startswith("PROBLEM"))


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_db_upgrade_migrates_once_and_reports_the_revision(tmp_path: Path, db_url: str) -> None:
    config = {"database": {"url": db_url}}
    head = head_revision()
    code, lines = run(config, tmp_path, "db", "upgrade")
    assert code == 0 and lines[-1].endswith(f"migrated from revision (empty) to {head} (current)")
    code, lines = run(config, tmp_path, "db", "upgrade")
    assert code == 0 and lines[-1].endswith(f"already at revision {head} (current)")
    code, lines = run({**config, "var_dir": str(tmp_path / "var")}, tmp_path, "config", "check")
    assert f"schema at revision {head} (current)" in lines[2]
