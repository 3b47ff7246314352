"""`policywatch run` as an operator runs it: starts on embedded defaults, reports health and metrics,
stays up when sites are unreachable, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.embedded_broker import free_port

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


def _source(directory: Path, source_id: str, list_url: str) -> None:
    (directory / f"{source_id}.toml").write_text(
        f'id = "{source_id}"\nname = "测试站点 {source_id}"\nregion = "深圳市"\nlayout = "static"\n'
        f'list_urls = ["{list_url}"]\n'
        '[links]\nitem = "ul li"\nlink = "a::attr(href)"\n'
        '[verification]\nstatus = "unverified"\nmethod = "test source"\n',
        encoding="utf-8",
    )


def test_daemon_serves_health_survives_unreachable_sites_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    sources = tmp_path / "sources"
    sources.mkdir()
    # A site that accepts connections and never answers: its crawl is still running at SIGTERM.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    _source(sources, "silent", f"http://127.0.0.1:{silent.getsockname()[1]}/zcfg/index.html")
    # A source whose site cannot be reached: the crawl fails, is recorded, the daemon stays up.
    _source(sources, "unreachable", "http://127.0.0.1:9/zcfg/index.html")
    env = {
        **os.environ,
        "POLICYWATCH_VAR_DIR": str(tmp_path / "var"),
        "POLICYWATCH_WEB__PORT": str(port),
        "POLICYWATCH_CRAWL__SOURCES_DIRS": json.dumps([str(sources)]),
        "POLICYWATCH_CRAWL__RETRIES": "0",
        "POLICYWATCH_CRAWL__OBEY_ROBOTS": "false",
        "POLICYWATCH_CRAWL__JITTER_SECONDS": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "policywatch.cli", "run"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        health = wait_http(f"http://127.0.0.1:{port}/healthz")
        body = health.json()
        assert body["broker"] == "ok" and body["stage_store"] == "ok" and body["database"] == "ok"
        assert body["deliveries"] == "ok" and body["status"] == "ok" and body["reasons"] == []
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ok", "reasons": [], "broker": "ok", "stages": "ok", "database": "ok"}
        # the scheduled crawl fails and is recorded, and the daemon is still healthy afterwards
        deadline = time.monotonic() + 60
        status: dict = {}
        while time.monotonic() < deadline:
            out = subprocess.run(
                [sys.executable, "-m", "policywatch.cli", "status", "--json"], env=env, cwd=tmp_path,
                capture_output=True, text=True, check=True,
            ).stdout
            status = json.loads(out)
            outcomes = {source["id"]: source["outcome"] for source in status["sources"]}
            if outcomes.get("unreachable") not in (None, "never", "running") and outcomes.get("silent") == "running":
                break
            time.sleep(0.5)
        by_id = {source["id"]: source for source in status["sources"]}
        assert by_id["unreachable"]["outcome"] == "partial"
        assert "refused" in by_id["unreachable"]["error"].lower()
        assert isinstance(status["lag"], dict)
        assert wait_http(f"http://127.0.0.1:{port}/healthz").status_code == 200
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'source="unreachable"} 1.0' in metrics and 'policywatch_crawls_total{outcome="partial"' in metrics
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - started < 15  # the hanging crawl was cancelled, not waited for
        assert not (tmp_path / "var" / "runtime.json").exists()
        final = json.loads(subprocess.run(
            [sys.executable, "-m", "policywatch.cli", "status", "--json"], env=env, cwd=tmp_path,
            capture_output=True, text=True, check=True,
        ).stdout)
        assert {s["id"]: s["outcome"] for s in final["sources"]}["silent"] == "cancelled"
    finally:
        silent.close()
        if proc.poll() is None:
            proc.kill()
        log = proc.stdout.read() if proc.stdout else ""
        print(log[-3000:])
