"""Lifecycle alerts driven by a hand-moved clock: 即将失效 before the end, 已失效 after it, 已被替代 when a
successor arrives — each raised once — and lineage notes on the alerts of related documents."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from consumers.lifecycle import check_lifecycle, local_today
from storage.db import transaction
from storage.models import Alert, Change, Delivery, Document, DocumentRelation
from tests.clock import FakeClock

if TYPE_CHECKING:
    from .conftest import Library

TZ = "Asia/Shanghai"
BASE = "https://pw.example"


def check(factory: sessionmaker[Session], clock: FakeClock) -> list[tuple[str, str]]:
    with transaction(factory) as session:
        changes = check_lifecycle(session, clock(), timezone=TZ, notice_days=30, base_url=BASE)
        return [(c.kind, c.summary["headline"]) for c in changes]


def subscribe_all(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="all", channel="file", target="/dev/null")])


def alert_bodies(factory: sessionmaker[Session], kind: str) -> list[str]:
    with transaction(factory) as session:
        return list(session.scalars(select(Alert.body).join(Change).where(Change.kind == kind)))


def test_expiry_notice_then_expiry_each_raised_once(factory: sessionmaker[Session], library: Library) -> None:
    subscribe_all(factory)
    clock = FakeClock()
    ends = local_today(clock(), TZ) + timedelta(days=40)
    library.publish("minhang", expiry_date=ends)

    assert check(factory, clock) == []  # 40 days left: not yet
    clock.advance(11 * 86400)
    assert check(factory, clock) == [
        ("expiring", f"即将失效：《闵行区推动新一代人工智能产业发展的实施意见》将于{ends.isoformat()}失效（还有29天）")
    ]
    assert check(factory, clock) == []  # raised once
    clock.advance(20 * 86400)
    assert check(factory, clock) == []  # still the same notice
    clock.advance(10 * 86400)
    assert [kind for kind, _ in check(factory, clock)] == ["expired"]
    clock.advance(86400)
    assert check(factory, clock) == []

    (body,) = alert_bodies(factory, "expiring")
    assert "即将失效 Expiring" in body and f"失效日期 Ends：{ends.isoformat()}" in body
    with transaction(factory) as session:
        assert session.scalar(select(Delivery.status).join(Alert).join(Change).where(Change.kind == "expired")) == "pending"


def test_a_plan_that_ended_before_it_was_stored_raises_nothing(factory: sessionmaker[Session], library: Library) -> None:
    subscribe_all(factory)
    library.publish("shenzhen", period_start=2019, period_end=2023)  # ended 2023-12-31, stored today
    assert check(factory, FakeClock()) == []


def test_successor_plan_supersedes_with_targets_side_by_side(factory: sessionmaker[Session], library: Library) -> None:
    subscribe_all(factory)
    clock = FakeClock()
    library.publish("nansha", period_start=2018, period_end=2030)
    successor = library.publish("nansha-2026", text="到2027年，人工智能产业规模达到1500亿元。", title="广州南沙人工智能产业发展行动计划（2026-2027年）",
                                province="广东省", city="广州市", district="南沙区", region_code="440115")
    with transaction(factory) as session:
        old = session.scalars(select(Document).where(Document.key == "doc-nansha")).one()
        new = session.get_one(Document, successor.document_id)
        new.first_seen = old.first_seen + timedelta(days=1)
        session.add(DocumentRelation(
            kind="succeeds", from_document_id=new.id, to_document_id=old.id, key=str(old.id), method="region",
            detail={"targets": [{"metric": "人工智能产业规模", "before": "1000亿元", "before_year": 2020,
                                 "after": "1500亿元", "after_year": 2027, "kind": "changed"}]},
        ))
    raised = check(factory, clock)
    assert [kind for kind, _ in raised] == ["superseded"]
    assert "由《广州南沙人工智能产业发展行动计划（2026-2027年）》接替" in raised[0][1]
    assert check(factory, clock) == []
    (body,) = alert_bodies(factory, "superseded")
    assert "人工智能产业规模：1000亿元（2020年） → 1500亿元（2027年）" in body


def test_alerts_of_related_documents_carry_the_lineage_note(factory: sessionmaker[Session], library: Library) -> None:
    from alerts.service import create_alerts

    subscribe_all(factory)
    shenzhen = library.publish("shenzhen")
    liuzhou = library.publish("liuzhou", period_start=2020)
    with transaction(factory) as session:
        session.add(DocumentRelation(
            kind="borrows", from_document_id=liuzhou.document_id, to_document_id=shenzhen.document_id,
            key=str(shenzhen.document_id), method="text", share=0.33,
            detail={"passages": ["推动人工智能与实体经济深度融合，打造具有国际竞争力的产业集群"]},
        ))
    with transaction(factory) as session:
        alerts = {a.change.document_id: a.body for c in (shenzhen, liuzhou)
                  for a in create_alerts(session, session.get_one(Change, c.id), BASE)}
    note = "柳州市 2020 沿用 reuses 33% of 深圳市 2019《深圳市新一代人工智能发展行动计划（2019-2023年）》"
    assert note in alerts[liuzhou.document_id]
    assert note in alerts[shenzhen.document_id]  # on both documents' alerts
