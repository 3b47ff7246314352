"""The archive on the command line: show, diff, lineage and compare-targets, as text and as the API's JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policywatch.cli import main
from storage.db import make_engine, migrate, session_factory
from tests.archive_fixtures import fill_archive


def test_show_diff_lineage_and_compare_targets(tmp_path: Path, shared_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    ids = fill_archive(session_factory(engine), shared_dir)
    engine.dispose()
    env = {"POLICYWATCH_DATABASE__URL": url, "POLICYWATCH_VAR_DIR": str(tmp_path / "var")}
    run = CliRunner().invoke

    shown = run(main, ["show", str(ids["liuzhou"])], env=env)
    assert shown.exit_code == 0, shown.output
    assert "柳州市新一代人工智能" in shown.output and "沿用 borrows" in shown.output
    detail = json.loads(run(main, ["show", str(ids["liuzhou"]), "--json"], env=env).output)
    assert detail["relations"]["borrows"][0]["document"]["id"] == ids["shenzhen"]

    diffed = json.loads(run(main, ["diff", str(ids["nansha"]), str(ids["nansha_2026"]), "--json"], env=env).output)
    assert diffed["old"]["id"] == ids["nansha"] and diffed["added"]
    text = run(main, ["diff", str(ids["shenzhen"]), str(ids["shenzhen"])], env=env)
    assert text.exit_code == 0 and "无实质性变化" in text.output

    lineage = json.loads(run(main, ["lineage", str(ids["shenzhen"]), "--json"], env=env).output)
    assert [b["document"]["id"] for b in lineage["borrowed_by"]] == [ids["liuzhou"]]

    compared = run(main, ["compare-targets", "--metric", "人工智能核心产业规模"], env=env)
    assert compared.exit_code == 0 and "深圳市" in compared.output
    rows = json.loads(run(main, ["compare-targets", "--metric", "人工智能核心产业规模", "--json"], env=env).output)
    assert rows["rows"] and all("人工智能核心产业规模" in r["metric"] for r in rows["rows"])
    missing = run(main, ["show", "999999"], env=env)
    assert missing.exit_code == 1 and "no document 999999" in missing.output
