"""A daemon killed with SIGKILL leaves its embedded broker running; the next start stops it."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from core.embedded_broker import EmbeddedBroker
from core.settings import load_settings
from policywatch.pipeline import Pipeline


def test_next_start_stops_the_broker_a_killed_daemon_left_behind(tmp_path: Path) -> None:
    settings = load_settings(None, var_dir=tmp_path / "var", web={"enabled": False})
    settings.var_dir.mkdir(parents=True)
    orphan = EmbeddedBroker().start()
    dead_daemon = subprocess.Popen(["true"])
    dead_daemon.wait()
    settings.runtime_file.write_text(
        json.dumps({"pid": dead_daemon.pid, "broker_pid": orphan.pid, "bootstrap_servers": [orphan.bootstrap]}),
        encoding="utf-8",
    )
    try:
        with Pipeline(settings) as pipeline:
            deadline = time.monotonic() + 10
            while orphan.alive():
                assert time.monotonic() < deadline, "the orphaned broker is still running"
                time.sleep(0.05)
            assert pipeline.broker is not None and pipeline.broker.alive()
            state = json.loads(settings.runtime_file.read_text(encoding="utf-8"))
            assert state["broker_pid"] == pipeline.broker.pid != orphan.pid
    finally:
        orphan.stop()
