"""The role commands: each deployment's role is a command; a role refuses to start without what it needs,
in one line; and a role stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.embedded_broker import EmbeddedBroker
from policywatch.cli import main
from storage.db import make_engine, migrate
from tests.test_deploy import ROLES

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_the_deployments_run_is_a_command(role: str) -> None:
    result = CliRunner().invoke(main, [*role.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_a_role_without_a_shared_broker_ends_with_one_line(tmp_path: Path) -> None:
    env = {"POLICYWATCH_VAR_DIR": str(tmp_path), "POLICYWATCH_WEB__ENABLED": "false"}
    result = CliRunner(env=env).invoke(main, ["stage", "store"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: a role running in a process of its own needs a shared broker; the embedded one is only for "
        "`policywatch run` (change kafka.bootstrap_servers)"
    ]


def test_a_role_on_a_database_not_upgraded_asks_for_db_upgrade(tmp_path: Path, broker: EmbeddedBroker) -> None:
    env = {
        "POLICYWATCH_VAR_DIR": str(tmp_path), "POLICYWATCH_WEB__ENABLED": "false",
        "POLICYWATCH_KAFKA__BOOTSTRAP_SERVERS": json.dumps([broker.bootstrap]),
    }
    result = CliRunner(env=env).invoke(main, ["deliver"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "is not at this version's schema: run `policywatch db upgrade` first" in errors[0]


def test_a_stage_role_stops_cleanly_on_sigterm(tmp_path: Path, broker: EmbeddedBroker) -> None:
    db = tmp_path / "policywatch.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    env = {
        **os.environ, "PYTHONPATH": str(REPO), "POLICYWATCH_VAR_DIR": str(tmp_path),
        "POLICYWATCH_WEB__PORT": "0", "POLICYWATCH_KAFKA__TOPIC_PREFIX": f"roles{os.getpid()}",
        "POLICYWATCH_KAFKA__BOOTSTRAP_SERVERS": json.dumps([broker.bootstrap]),
    }
    log = tmp_path / "role.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "policywatch.cli", "stage", "classify"], cwd=REPO,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while "stage classify consuming" not in log.read_text("utf-8", errors="replace"):
                assert process.poll() is None and time.monotonic() < deadline, log.read_text("utf-8")
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(20) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text("utf-8")
    assert "web endpoints on http://127.0.0.1:" in text and "stopped stage-classify" in text
