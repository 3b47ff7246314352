"""Faults injected into one running pipeline (embedded broker, SQLite, the simulated sites), in order:
the broker killed with work in flight, sites misbehaving, poison events on every topic, the database
read-only and full. Counts are exact after each: every document stored once, every version once, every
alert delivered once."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from kafka import KafkaProducer
from sqlalchemy import event, func, select

from consumers.stage_runner import StageRunner
from core.events import ListEntry, PageFetched
from core.settings import load_settings
from crawlers.simulator import DEMO_REVISION_DOC, DEMO_REVISION_SITE
from policywatch.demo import DemoScenario
from storage.models import Alert, Delivery, Document, DocumentVersion

pytestmark = [pytest.mark.slow, pytest.mark.fault]

FIRST_CRAWL_ALERTS = 11  # the demo subscribers' alerts for the five seed plans (test_end_to_end)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoScenario]:
    var = tmp_path_factory.mktemp("faults") / "var"
    running = DemoScenario(load_settings(None), var, crawl={"timeout_seconds": 5.0})
    with running.running() as started:
        assert started.pipeline is not None
        started.pipeline.extra_crawl_settings = {"AUTOTHROTTLE_ENABLED": "False"}
        yield started


def counts(scenario: DemoScenario) -> dict[str, int]:
    assert scenario.pipeline is not None
    with scenario.pipeline.factory() as session:
        return {
            "documents": session.scalar(select(func.count(Document.id))) or 0,
            "versions": session.scalar(select(func.count(DocumentVersion.id))) or 0,
            "alerts": session.scalar(select(func.count(Alert.id))) or 0,
            "sent": session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "sent")) or 0,
        }


def runner(scenario: DemoScenario, name: str) -> StageRunner:
    assert scenario.pipeline is not None
    return next(r for r in scenario.pipeline.runners if r.stage.name == name)


def test_broker_killed_with_pages_in_flight_loses_nothing(scenario: DemoScenario, fault_table) -> None:  # type: ignore[no-untyped-def]
    pipeline = scenario.pipeline
    assert pipeline is not None and pipeline.broker is not None and pipeline.bus is not None
    store = runner(scenario, "store")
    store.stop()  # the page will be fetched and published, but not stored, when the broker dies
    assert pipeline.crawl("sim-shenzhen").stats["published"] == 1
    os.kill(pipeline.broker.pid or 0, signal.SIGKILL)
    while pipeline.broker.alive():
        time.sleep(0.05)
    assert pipeline.supervise_broker() is True  # a new, empty broker: the page event is gone
    assert pipeline.producer is not None
    pipeline.runners[pipeline.runners.index(store)] = StageRunner(
        store.stage, pipeline.bus, pipeline.producer, pipeline.metrics
    ).start()
    again = pipeline.crawl("sim-shenzhen")
    assert again.stats["published"] == 1  # never committed, so never marked seen: fetched again
    pipeline.wait_idle(timeout_s=90)
    assert counts(scenario) == {"documents": 1, "versions": 1, "alerts": 3, "sent": 3}
    fault_table.append(("broker killed, page events in flight", "page fetched again next crawl; stored once, 3/3 alerts once"))


def test_sites_failing_are_reported_and_their_documents_stored_once_they_recover(
    scenario: DemoScenario, fault_table  # type: ignore[no-untyped-def]
) -> None:
    sites = scenario.sites
    sites.inject_error("shenyang", "500", target="detail")
    sites.inject_error("liuzhou", "truncated", target="detail")
    sites.inject_error("nansha", "redirect_loop", target="detail")
    sites.inject_error("minhang", "attachment_bomb", target="attachment")
    sites.inject_error("shenzhen", "slow", target="list")
    results = {r.source_id: r for r in scenario.crawl_all()}
    assert {k: r.outcome for k, r in results.items()} == {
        "sim-shenyang": "partial", "sim-liuzhou": "partial", "sim-nansha": "partial",
        "sim-minhang": "ok", "sim-shenzhen": "ok",
    }
    assert "HTTP 500" in results["sim-shenyang"].error
    assert "redirect loop" in results["sim-nansha"].error
    assert results["sim-minhang"].stats["caps"] == {"decompressed_size": 1, "pdf_stream": 1}
    assert counts(scenario)["documents"] == 2  # 深圳 (earlier) and 闵行 (its page, without the bombs)

    sites.clear_errors()
    assert all(r.ok for r in scenario.crawl_all())
    assert counts(scenario) == {"documents": 5, "versions": 5, "alerts": FIRST_CRAWL_ALERTS,
                                "sent": FIRST_CRAWL_ALERTS}
    lines = [json.loads(line) for line in (scenario.var_dir / "outbox.jsonl").read_text("utf-8").splitlines()]
    assert len(lines) == len({line["id"] for line in lines}) == FIRST_CRAWL_ALERTS
    fault_table.extend([
        ("site answers 500 (document)", "crawl partial with HTTP 500; stored on the next crawl, once"),
        ("site truncates a response", "crawl partial (ResponseDataLoss); stored on the next crawl, once"),
        ("redirect loop on a document link", "crawl partial (redirect loop); stored on the next crawl, once"),
        ("site slow (list)", "crawl ok, just slower"),
        ("attachment bomb (DOCX 100 MB, PDF stream)", "caps decompressed_size/pdf_stream counted; page stored"),
    ])


def test_poison_event_on_every_topic_is_dead_lettered_and_the_pipeline_goes_on(
    scenario: DemoScenario, fault_table  # type: ignore[no-untyped-def]
) -> None:
    pipeline = scenario.pipeline
    assert pipeline is not None and pipeline.bus is not None
    producer = KafkaProducer(bootstrap_servers=list(pipeline.bus.bootstrap_servers))
    for logical in ("pages", "documents", "changes"):
        producer.send(pipeline.bus.topic(logical), key=b"poison", value=b'{"type": "not an event"')
    producer.flush()
    producer.close()
    pipeline.wait_idle(timeout_s=60)
    for stage in ("classify", "store", "alert"):
        assert pipeline.metrics.registry.get_sample_value("policywatch_dead_letters_total", {"stage": stage}) == 1
        assert runner(scenario, stage).health() == "ok"
    assert counts(scenario)["versions"] == 5
    fault_table.append(("poison event on every topic", "each dead-lettered once with its error; stages stay ok"))


def test_database_read_only_then_full_delays_the_store_and_loses_nothing(
    scenario: DemoScenario, fault_table  # type: ignore[no-untyped-def]
) -> None:
    pipeline = scenario.pipeline
    assert pipeline is not None and pipeline.producer is not None
    fault = {"pragma": ""}

    @event.listens_for(pipeline.engine, "connect")
    def _inject(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        if fault["pragma"]:
            cursor = dbapi_conn.cursor()
            cursor.execute(fault["pragma"])
            cursor.close()

    def set_fault(pragma: str) -> None:
        fault["pragma"] = pragma
        pipeline.engine.dispose()  # pooled connections are replaced, with the fault

    store = runner(scenario, "store")
    scenario.sites.revise(DEMO_REVISION_SITE, DEMO_REVISION_DOC, "人工智能产业规模突破5000亿元。新增条款。" * 50)
    url = scenario.sites.document_url(DEMO_REVISION_SITE, DEMO_REVISION_DOC)
    page = PageFetched(
        source_id="sim-shenzhen", url=url, final_url=url, status=200, fetched_at=datetime.now(UTC),
        encoding="utf-8", html=httpx.get(url, timeout=10).text, body_sha256="1" * 64, list_entry=ListEntry(),
    )
    seen: list[str] = []
    with pipeline.factory() as session:
        pages = session.execute(select(func.count()).select_from(DocumentVersion)).scalar()
        page_count = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
    assert pages == 5
    for name, pragma, symptom in (
        ("read-only", "PRAGMA query_only = ON", "readonly"),
        ("full", f"PRAGMA max_page_count = {page_count}", "full"),
    ):
        set_fault(pragma)
        pipeline.producer.publish(page)
        deadline = time.monotonic() + 30
        while symptom not in store.health():
            assert time.monotonic() < deadline, f"{name} never reported: {store.health()!r}"
            time.sleep(0.1)
        assert store.health().startswith("degraded: ") and store.running
        seen.append(store.health())
    set_fault("")
    pipeline.wait_idle(timeout_s=60)
    assert store.health() == "ok"
    after = counts(scenario)
    assert after["versions"] == 6 and after["documents"] == 5  # the revision, once, whatever the retries
    assert after["alerts"] == after["sent"] > FIRST_CRAWL_ALERTS
    fault_table.extend([
        ("database read-only (SQLite query_only)", "store stage degraded: 'readonly database'; stored once after"),
        ("database full (SQLite max_page_count)", "store stage degraded: 'database or disk is full'; stored once after"),
    ])
    Path(scenario.var_dir / "degraded.txt").write_text("\n".join(seen), encoding="utf-8")
