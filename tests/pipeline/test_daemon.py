"""`policywatch run` as an operator runs it: starts on embedded defaults, reports health and metrics,
stays up when sites are unreachable, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from policywatch.embedded_broker import free_port

pytestmark = pytest.mark.slow


def wait_http(url: str, timeout_s: float = 60.0) -> httpx.Response:
    """The first 200 answer (503 while the daemon is still starting)."""
    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200: {last}")


def test_daemon_serves_health_survives_unreachable_sites_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    sources = tmp_path / "sources"
    sources.mkdir()
    # A source whose site cannot be reached: the crawl fails, is recorded, the daemon stays up.
    (sources / "unreachable.toml").write_text(
        'id = "unreachable"\nname = "不可达的站点"\nregion = "深圳市"\nlayout = "static"\n'
        'list_urls = ["http://127.0.0.1:9/zcfg/index.html"]\n'
        '[links]\nitem = "ul li"\nlink = "a::attr(href)"\n'
        '[verification]\nstatus = "unverified"\nmethod = "a port nothing listens on"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "POLICYWATCH_VAR_DIR": str(tmp_path / "var"),
        "POLICYWATCH_WEB__PORT": str(port),
        "POLICYWATCH_CRAWL__SOURCES_DIRS": json.dumps([str(sources)]),
        "POLICYWATCH_CRAWL__RETRIES": "0",
        "POLICYWATCH_CRAWL__OBEY_ROBOTS": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "policywatch.cli", "run"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        health = wait_http(f"http://127.0.0.1:{port}/healthz")
        body = health.json()
        assert body["broker"] == "ok" and body["stage_store"] == "ok" and body["database"] == "ok"
        # the scheduled crawl fails and is recorded, and the daemon is still healthy afterwards
        deadline = time.monotonic() + 60
        status: dict = {}
        while time.monotonic() < deadline:
            out = subprocess.run(
                [sys.executable, "-m", "policywatch.cli", "status", "--json"], env=env, cwd=tmp_path,
                capture_output=True, text=True, check=True,
            ).stdout
            status = json.loads(out)
            if status["sources"] and status["sources"][0]["outcome"] not in ("never", "running"):
                break
            time.sleep(0.5)
        source = status["sources"][0]
        assert source["id"] == "unreachable" and source["outcome"] != "ok"
        assert isinstance(status["lag"], dict)
        assert wait_http(f"http://127.0.0.1:{port}/healthz").status_code == 200
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'source="unreachable"} 1.0' in metrics and 'policywatch_crawls_total{outcome="partial"' in metrics
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - started < 15
        assert not (tmp_path / "var" / "runtime.json").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        log = proc.stdout.read() if proc.stdout else ""
        print(log[-3000:])
