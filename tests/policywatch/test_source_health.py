"""Source health on real crawls of the simulated sites: a list that suddenly yields nothing, a redesigned
list whose selectors match nothing, and a WAF captcha page each raise one operator alert (log line and
webhook) when they appear, show in `policywatch status` and in the metrics, and clear when fixed."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from alerts.channels import build_channels
from core.metrics import Metrics
from core.settings import AlertSettings, SmtpSettings, load_settings
from crawlers.simulator import SimulatedSites
from policywatch.pipeline import Pipeline
from policywatch.source_health import SourceHealth
from policywatch.status import collect_status, render_status
from storage.db import session_factory, transaction
from storage.models import CrawlRun
from tests.alerts.conftest import HttpReceiver, SmtpServer, http_receiver, smtp_server  # noqa: F401

SOURCE = "sim-nansha"


def gauge(pipeline: Pipeline, problem: str) -> str:
    text = generate_latest(pipeline.metrics.registry).decode()
    line = f'policywatch_source_problems{{problem="{problem}",source="{SOURCE}"}}'
    return next(row.split()[-1] for row in text.splitlines() if row.startswith(line))


@pytest.mark.slow  # one pipeline, six real crawls (~15 s)
def test_empty_list_layout_change_and_captcha_raise_operator_alerts_once(
    sim: SimulatedSites, http_receiver: HttpReceiver, tmp_path: Path, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    settings = load_settings(
        None, var_dir=tmp_path / "var", web={"enabled": False},
        crawl={"simulator_url": sim.base_url, "enabled_sources": [SOURCE], "timeout_seconds": 2.0, "retries": 0},
        alerts={"operator_webhook": http_receiver.url + "/ops", "allowed_networks": ["127.0.0.0/8"]},
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


def test_an_operator_alert_is_mailed_once_when_a_problem_appears_and_again_after_it_cleared(
    smtp_server: SmtpServer, migrated_engine: Any,  # noqa: F811
) -> None:
    factory = session_factory(migrated_engine)
    alerts = AlertSettings(smtp=SmtpSettings(host=smtp_server.host, port=smtp_server.port), operator_email="ops@example.org")
    health = SourceHealth(factory, Metrics(), build_channels(alerts), operator_email=alerts.operator_email)
    blocked = {"list_pages": 0, "blocked": 1, "blocked_sign": "__jsl_clearance"}
    fine = {"list_pages": 1, "list_links": 3}

    def crawled(stats: dict[str, Any]) -> list[str]:
        with transaction(factory) as session:
            run = CrawlRun(source_id="s", outcome="partial", stats=stats, finished_at=datetime.now(UTC))
            session.add(run)
            session.flush()
            run_id = run.id
        return [alert.problem for alert in health.after_crawl("s", run_id)]

    assert [crawled(blocked), crawled(blocked), crawled(fine), crawled(blocked)] == [["captcha"], [], [], ["captcha"]]
    mails = [message_from_bytes(m.content) for m in smtp_server.inbox.messages]
    assert len(mails) == 2 and all(m["To"] == "ops@example.org" for m in mails)
    assert "operator alert" in str(make_header(decode_header(mails[0]["Subject"])))
