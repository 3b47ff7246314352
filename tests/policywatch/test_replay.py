"""An archivist replays exactly what a site served for a stored version (GBK bytes included), from the
local WARC folder, or — with captures in object storage — on another node that never crawled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.settings import load_settings
from policywatch.cli import main
from policywatch.demo import DemoScenario
from storage.models import Document, DocumentVersion

pytestmark = pytest.mark.slow


def settings_env(prefix: str, values: dict[str, Any]) -> dict[str, str]:
    """POLICYWATCH_* variables for a settings section, as an operator would set them."""
    env: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            env.update(settings_env(f"{prefix}{key.upper()}__", value))
        elif value is not None:
            env[f"{prefix}{key.upper()}"] = str(value)
    return env


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_replay_returns_the_bytes_the_gbk_site_served(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    captures = request.getfixturevalue("s3_captures") if backend == "s3" else {}
    scenario = DemoScenario(load_settings(None, captures=captures), tmp_path / "var")
    with scenario.running():
        pipeline = scenario.pipeline
        assert pipeline is not None
        assert pipeline.crawl("sim-shenyang").ok
        pipeline.wait_idle(timeout_s=60)
        with pipeline.factory() as session:
            document, version = session.execute(
                select(Document, DocumentVersion).join(
                    DocumentVersion, DocumentVersion.id == Document.latest_version_id
                )
            ).one()
            url, version_id = document.url, version.id
        served = httpx.get(url, timeout=10).content
        env = {
            # With object storage, replay on a node of its own: an empty var dir, nothing crawled there.
            "POLICYWATCH_VAR_DIR": str(scenario.settings.var_dir if backend == "local" else tmp_path / "node-2"),
            "POLICYWATCH_DATABASE__URL": scenario.settings.database_url,
            **settings_env("POLICYWATCH_CAPTURES__", captures),
        }
        out = tmp_path / "page.html"
        result = CliRunner().invoke(main, ["replay", str(version_id), "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == served
        assert "沈阳".encode("gbk") in served  # the site really serves GBK
        shown = CliRunner().invoke(main, ["replay", str(version_id)], env=env)
        assert shown.exit_code == 0 and shown.output.splitlines()[1] == "200 OK", shown.output[:600]
        missing = CliRunner().invoke(main, ["replay", "999"], env=env)
        assert missing.exit_code == 1 and "no document version 999" in missing.output
