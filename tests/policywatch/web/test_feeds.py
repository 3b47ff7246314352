"""Atom feeds round-trip through feedparser: a subscription's alerts behind its secret URL, and a
region's changes including the regions inside it (广东省 ⊇ 深圳市, 广州市南沙区)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from alerts.service import create_alerts
from core.metrics import Metrics
from policywatch.web import create_app
from storage.accounts import create_account, create_key
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Change
from tests.alerts.conftest import Library


@pytest.fixture
def setup(sqlite_url: str, shared_dir: Path) -> Iterator[tuple[TestClient, sessionmaker[Session], Library, str]]:
    engine = make_engine(sqlite_url)
    migrate(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        token = create_key(session, create_account(session, "咨询A"), "ci").token
    client = TestClient(create_app(factory, Metrics(), lambda: {}, allowed_networks=["127.0.0.0/8"]))
    try:
        yield client, factory, Library(factory, shared_dir), token
    finally:
        engine.dispose()


def _parse(response) -> feedparser.FeedParserDict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_subscription_feed_lists_its_alerts_behind_the_secret_url(setup) -> None:  # type: ignore[no-untyped-def]
    client, factory, library, token = setup
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/subscriptions", headers=headers, json={
        "name": "广东", "channel": "webhook", "target": "http://127.0.0.1:9/", "regions": ["广东省"]}).json()
    for name in ("shenzhen", "nansha", "shenyang"):
        change = library.publish(name)
        with transaction(factory) as session:
            create_alerts(session, session.get_one(Change, change.id), "http://pw.example")
    path = created["feed_url"].replace("http://testserver", "")
    feed = _parse(client.get(path))
    assert feed.feed.title == "policywatch 订阅 广东"
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 2 and all("广州" in t or "深圳" in t for t in titles)
    assert all(entry.id.startswith("tag:policywatch,2026:alert/") for entry in feed.entries)
    assert feed.entries[0].link.startswith("http://pw.example/documents/")
    assert client.get("/feeds/subscriptions/not-the-token-at-all.atom").status_code == 404


def test_region_feed_includes_the_regions_inside_it(setup) -> None:  # type: ignore[no-untyped-def]
    client, _factory, library, _token = setup
    for name in ("shenzhen", "nansha", "shenyang", "minhang"):
        library.publish(name)
    library.revise("shenzhen", {"headline": "目标调整"})
    guangdong = _parse(client.get("/feeds/regions/广东省.atom"))
    assert guangdong.feed.title == "policywatch 广东省 政策动态"
    titles = [entry.title for entry in guangdong.entries]
    assert len(titles) == 3 and titles[0].startswith("【修订 Revised】深圳")
    assert {t.split("】")[1][:2] for t in titles} == {"深圳", "广州"}
    assert guangdong.entries[0].summary == "目标调整\n深圳市人民政府"
    shenzhen = _parse(client.get("/feeds/regions/440300.atom"))
    assert [e.title.split("】")[0] for e in shenzhen.entries] == ["【修订 Revised", "【新发布 New"]
    shanghai = _parse(client.get("/feeds/regions/上海市.atom"))
    assert [e.title for e in shanghai.entries] == ["【新发布 New】闵行区推动新一代人工智能产业发展的实施意见"]
    assert client.get("/feeds/regions/火星.atom").status_code == 404


def test_region_feed_is_closed_when_the_archive_needs_a_key(setup) -> None:  # type: ignore[no-untyped-def]
    _client, factory, _library, token = setup
    closed = TestClient(create_app(factory, Metrics(), lambda: {}, archive_requires_key=True))
    assert closed.get("/feeds/regions/广东省.atom").status_code == 401
    _parse(closed.get("/feeds/regions/广东省.atom", headers={"Authorization": f"Bearer {token}"}))


def test_account_page_lists_the_subscriptions_of_the_key_entered(setup) -> None:  # type: ignore[no-untyped-def]
    client, _factory, _library, token = setup
    client.post("/api/v1/subscriptions", headers={"Authorization": f"Bearer {token}"}, json={
        "name": "广东智能制造", "channel": "email", "target": "a@b.cn", "regions": ["广东省"], "min_ai_score": 0.5})
    assert "API 密钥" in client.get("/account").text
    page = client.post("/account", data={"key": token})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "广东智能制造" in page.text and "地区: 广东省" in page.text and "/feeds/subscriptions/" in page.text
    assert token not in page.text
    refused = client.post("/account", data={"key": "pwk_wrong"})
    assert refused.status_code == 401 and "广东智能制造" not in refused.text
