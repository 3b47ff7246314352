"""`policywatch run` as a real subprocess on the demo's simulated sources, for the tests that kill it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alerts.subscriptions import demo_subscriptions_file
from policywatch.demo import SIMULATED_SOURCES_DIR


def daemon_env(tmp_path: Path, simulator_url: str, db_file: Path, outbox: Path, **settings: str) -> dict[str, str]:
    """The environment of a daemon on the simulated sources, the demo subscribers and a file outbox;
    ``settings`` adds ``POLICYWATCH_*`` variables (e.g. the broker to use)."""
    return {
        **os.environ,
        "POLICYWATCH_VAR_DIR": str(tmp_path / "var"),
        "POLICYWATCH_DATABASE__URL": f"sqlite:///{db_file}",
        "POLICYWATCH_CRAWL__SOURCES_DIRS": json.dumps([str(SIMULATED_SOURCES_DIR)]),
        "POLICYWATCH_CRAWL__SIMULATOR_URL": simulator_url,
        "POLICYWATCH_CRAWL__JITTER_SECONDS": "0",
        "POLICYWATCH_ALERTS__SUBSCRIPTIONS_FILE": str(demo_subscriptions_file()),
        "POLICYWATCH_ALERTS__OUTBOX_FILE": str(outbox),
        "POLICYWATCH_ALERTS__PUBLIC_BASE_URL": "http://127.0.0.1:8470",
        "POLICYWATCH_WEB__ENABLED": "false",
        **settings,
    }


def start_daemon(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "policywatch.cli", "run"], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
