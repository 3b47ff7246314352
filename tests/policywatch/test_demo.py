"""`make demo` as a user runs it: exits 0, shows each subscriber's alerts and a summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from policywatch.cli import main

pytestmark = pytest.mark.slow


def test_demo_command_prints_alerts_per_subscriber_and_passes_its_checks(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo"], env={"POLICYWATCH_VAR_DIR": str(tmp_path / "var")})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "-- 订阅者 subscriber: gd-consultancy — 2 条提醒 alerts" in out
    assert "【修订 Revised】深圳市新一代人工智能发展行动计划" in out
    assert "300亿元→500亿元" in out
    assert out.count("[ok]") == 4 and "[FAIL]" not in out
    assert "=== 汇总 Summary ===" in out
    assert "=== 档案链接 Archive links ===" in out and "/documents/1  " in out and "/search?q=" in out
    assert not (tmp_path / "var" / "demo").exists()  # cleaned up unless --keep
