"""The whole flow on the simulated sites, a real broker (the embedded Tansu broker, and Apache Kafka) and a
real store (SQLite and PostgreSQL):
the seeds are stored once and reach exactly the right subscribers; a revision and a new plan reach
exactly the right subscribers with what changed; a recrawl of unchanged sites sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.events import ListEntry, PageFetched
from core.settings import load_settings
from crawlers.simulator import DEMO_REVISION_DOC, DEMO_REVISION_SITE, NEW_PLAN
from policywatch.demo import DemoScenario
from storage.db import transaction
from storage.models import Alert, Delivery, DocumentVersion

pytestmark = pytest.mark.slow
# The single-machine default on both stores, and the production pair (Apache Kafka + PostgreSQL).
STACKS = pytest.mark.parametrize(
    ("db_url", "pipeline_kafka"),
    [("sqlite", "tansu"), ("postgresql", "tansu"), ("postgresql", "apache-kafka")],
    indirect=True, ids=["sqlite-tansu", "postgresql-tansu", "postgresql-apache-kafka"],
)

FIRST_CRAWL = {
    "gd-consultancy": 2,   # 深圳市 and 广州市南沙区 are in 广东省; 沈阳 is not
    "sh-consultancy": 1,   # 闵行区 is in 上海市
    "icv-analyst": 3,      # 智能网联汽车 appears in the 南沙, 柳州 and 深圳 plans
    "revision-watcher": 0,
    "archivist": 5,
}
SECOND_CRAWL = {
    "gd-consultancy": 2,   # 深圳 revised + the new 南沙 measures
    "sh-consultancy": 0,
    "icv-analyst": 1,      # the revised 深圳 plan still mentions 智能网联汽车; the new plan does not
    "revision-watcher": 1,
    "archivist": 2,
}


def _counts(received: dict[str, list[dict]]) -> dict[str, int]:
    return {name: len(received.get(name, [])) for name in FIRST_CRAWL}


@STACKS
def test_seeds_revision_and_new_plan_reach_exactly_the_right_subscribers(
    db_url: str, pipeline_kafka: dict[str, Any], tmp_path: Path
) -> None:
    base = load_settings(None, database={"url": db_url}, kafka=pipeline_kafka)
    scenario = DemoScenario(base, tmp_path / "var")
    with scenario.running():
        results = scenario.crawl_all()
        assert all(r.ok for r in results), [r.error for r in results]
        first = scenario.received_since_last()
        assert _counts(first.by_subscriber) == FIRST_CRAWL
        assert scenario.counts() == {"documents": 5, "versions": 5, "changes.new": 5}
        gd = first.subjects("gd-consultancy")
        assert any("深圳" in s for s in gd) and any("南沙" in s for s in gd)
        assert all(s.startswith("【新发布") for s in gd)
        # 柳州 reuses much of 深圳's text: whichever of the two arrived second names the other,
        # with the direction taken from their issue dates (深圳 2019 is the earlier one).
        pair = [a for a in first.by_subscriber["archivist"] if "柳州" in a["subject"] or "深圳" in a["subject"]]
        relations = [
            (alert["subject"], item)
            for alert in pair
            for item in alert["change"]["summary"]["lineage"]
            if ("深圳" in item["title"] or "柳州" in item["title"]) and 0.3 <= item["share"] <= 0.6
        ]
        assert len(relations) == 1
        subject, relation = relations[0]
        assert relation["direction"] == ("earlier" if "柳州" in subject else "later")

        scenario.revise_and_publish()
        scenario.crawl_all()
        second = scenario.received_since_last()
        assert _counts(second.by_subscriber) == SECOND_CRAWL
        revised = second.by_subscriber["revision-watcher"][0]
        assert revised["kind"] == "revised" and "深圳" in revised["subject"]
        assert "500亿元" in revised["text"] and "300亿元" in revised["text"]
        assert revised["links"]["version"].endswith(f"/versions/{revised['change']['version_id']}")
        new_plan = [a for a in second.by_subscriber["gd-consultancy"] if a["kind"] == "new"]
        assert len(new_plan) == 1 and "大模型" in new_plan[0]["subject"]
        assert scenario.counts() == {"documents": 6, "versions": 7, "changes.new": 6, "changes.revised": 1}

        scenario.crawl_all()
        assert scenario.received_since_last().total() == 0
        assert scenario.counts()["versions"] == 7

        # The new 南沙 measures are taken down: gone from the list, the detail page answers 404.
        scenario.sites.take_down(NEW_PLAN.site_id, NEW_PLAN.doc_id)
        scenario.crawl_all()
        removed = scenario.received_since_last()
        assert _counts(removed.by_subscriber) == {
            "gd-consultancy": 1, "sh-consultancy": 0, "icv-analyst": 0, "revision-watcher": 0, "archivist": 1,
        }
        alert = removed.by_subscriber["gd-consultancy"][0]
        assert alert["kind"] == "removed" and alert["subject"].startswith("【撤下")
        assert scenario.counts()["changes.removed"] == 1


def test_same_page_event_delivered_twice_yields_one_version_and_one_alert_each(
    sqlite_url: str, tmp_path: Path
) -> None:
    base = load_settings(None, database={"url": sqlite_url})
    scenario = DemoScenario(base, tmp_path / "var")
    with scenario.running():
        pipeline = scenario.pipeline
        assert pipeline is not None and pipeline.producer is not None
        url = scenario.sites.document_url(DEMO_REVISION_SITE, DEMO_REVISION_DOC)
        response = httpx.get(url, timeout=10)
        event = PageFetched(
            source_id=DEMO_REVISION_SITE, url=url, final_url=url, status=200,
            fetched_at=datetime.now(UTC), encoding="utf-8", html=response.text,
            body_sha256="0" * 64, list_entry=ListEntry(), region_hint="深圳市",
        )
        pipeline.producer.publish(event)
        pipeline.producer.publish(event)
        pipeline.wait_idle(timeout_s=60)
        with transaction(pipeline.factory) as session:
            versions = session.scalar(select(func.count(DocumentVersion.id)))
            alerts = session.scalar(select(func.count(Alert.id)))
            sent = session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "sent"))
        received = scenario.received_since_last()
        assert versions == 1
        assert alerts == sent == received.total() == 3  # gd-consultancy, icv-analyst, archivist
        assert sorted(received.by_subscriber) == ["archivist", "gd-consultancy", "icv-analyst"]
