"""Source health on real crawls of the simulated sites: a list that suddenly yields nothing, a redesigned
list whose selectors match nothing, and a WAF captcha page each raise one operator alert (log line and
webhook) when they appear, show in `policywatch status` and in the metrics, and clear when fixed."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from core.settings import load_settings
from crawlers.simulator import SimulatedSites
from policywatch.pipeline import Pipeline
from policywatch.status import collect_status, render_status
from tests.alerts.conftest import HttpReceiver, http_receiver  # noqa: F401

pytestmark = pytest.mark.slow  # one pipeline, six real crawls (~15 s)

SOURCE = "sim-nansha"


def gauge(pipeline: Pipeline, problem: str) -> str:
    text = generate_latest(pipeline.metrics.registry).decode()
    line = f'policywatch_source_problems{{problem="{problem}",source="{SOURCE}"}}'
    return next(row.split()[-1] for row in text.splitlines() if row.startswith(line))


def test_empty_list_layout_change_and_captcha_raise_operator_alerts_once(
    sim: SimulatedSites, http_receiver: HttpReceiver, tmp_path: Path, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    settings = load_settings(
        None, var_dir=tmp_path / "var", web={"enabled": False},
        crawl={"simulator_url": sim.base_url, "enabled_sources": [SOURCE], "timeout_seconds": 2.0, "retries": 0},
        alerts={"operator_webhook": http_receiver.url + "/ops"},
    )
    with Pipeline(settings) as pipeline, caplog.at_level(logging.WARNING, logger="policywatch.source_health"):
        assert pipeline.crawl(SOURCE).ok
        pipeline.wait_idle(timeout_s=60)
        assert http_receiver.requests == [] and gauge(pipeline, "empty_list") == "0.0"

        sim.inject_error("nansha", "empty_list", target="list")
        pipeline.crawl(SOURCE)
        pipeline.crawl(SOURCE)  # still empty: no second alert
        assert [json.loads(r["body"])["problem"] for r in http_receiver.requests] == ["empty_list"]
        assert gauge(pipeline, "empty_list") == "1.0"
        assert caplog.text.count("OPERATOR ALERT source sim-nansha: empty_list") == 1
        status = collect_status(settings)
        assert [s["problems"] for s in status["sources"] if s["id"] == SOURCE] == [["empty_list"]]
        assert "empty_list" in render_status(status)

        sim.clear_errors()
        sim.inject_error("nansha", "layout_changed", target="list")
        pipeline.crawl(SOURCE)
        assert gauge(pipeline, "empty_list") == "0.0" and gauge(pipeline, "layout_changed") == "1.0"

        sim.clear_errors()
        sim.inject_error("nansha", "captcha", target="all")
        result = pipeline.crawl(SOURCE)
        assert not result.ok and result.stats["blocked"] >= 1
        assert gauge(pipeline, "captcha") == "1.0" and gauge(pipeline, "layout_changed") == "0.0"

        sim.clear_errors()
        assert pipeline.crawl(SOURCE).ok
        assert all(gauge(pipeline, p) == "0.0" for p in ("captcha", "empty_list", "layout_changed"))

    alerts = [json.loads(r["body"]) for r in http_receiver.requests]
    assert [a["problem"] for a in alerts] == ["empty_list", "layout_changed", "captcha"]
    assert all(r["path"] == "/ops" for r in http_receiver.requests)
    assert "验证码" in alerts[2]["text"] and alerts[2]["subject"].startswith("【运维告警")
    assert "OPERATOR ALERT source sim-nansha: captcha" in caplog.text
