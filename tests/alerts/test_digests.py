"""Digests on a hand-moved clock: one message per slot at the local hour, each change once, none empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.digests import send_digests
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from storage.db import transaction
from storage.models import Alert, Change, Delivery, DigestItem, Subscription
from tests.clock import FakeClock

if TYPE_CHECKING:
    from .conftest import Library

TZ = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TZ)
BASE = "https://pw.example"
MONDAY_7AM = datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)


def subscribe(factory: sessionmaker[Session], clock: FakeClock, **digest: object) -> None:
    with transaction(factory) as session:
        (sub,) = sync_subscriptions(session, [SubscriptionSpec(name="digest", channel="file", target="/dev/null", **digest)])  # type: ignore[arg-type]
        sub.created_at = clock() - timedelta(hours=1)


def changed(factory: sessionmaker[Session], change: Change) -> None:
    with transaction(factory) as session:
        assert create_alerts(session, session.get_one(Change, change.id), BASE) == []  # no alert of its own


def run(factory: sessionmaker[Session], clock: FakeClock) -> list[list[str]]:
    """The digests written now: for each, the document titles it lists."""
    with transaction(factory) as session:
        alerts = send_digests(session, clock(), timezone=TZ, base_url=BASE)
        return [[e["document"]["title"][:4] for e in a.payload["entries"]] for a in alerts]


def at(clock: FakeClock, moment: datetime) -> None:
    clock.now = moment.astimezone(UTC)


def test_daily_digest_at_local_hour_lists_each_change_once_and_is_never_empty(
    factory: sessionmaker[Session], library: Library
) -> None:
    clock = FakeClock()
    at(clock, MONDAY_7AM)
    subscribe(factory, clock, digest="daily", digest_hour=8)
    changed(factory, library.publish("shenzhen"))
    changed(factory, library.publish("liuzhou"))
    changed(factory, library.publish("minhang"))

    assert run(factory, clock) == []  # 07:00 Shanghai: the 08:00 digest is not due yet
    at(clock, MONDAY_7AM + timedelta(hours=1, minutes=5))
    assert run(factory, clock) == [["深圳市新", "柳州市新", "闵行区推"]]
    assert run(factory, clock) == []  # same slot: nothing twice

    changed(factory, library.revise("shenzhen", {"headline": "修订：目标变化"}))
    at(clock, MONDAY_7AM + timedelta(days=1, hours=1, minutes=1))
    assert run(factory, clock) == [["深圳市新"]]
    at(clock, MONDAY_7AM + timedelta(days=2, hours=1, minutes=1))
    assert run(factory, clock) == []  # nothing happened: no empty digest

    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 2
        assert session.scalar(select(func.count()).select_from(DigestItem).where(DigestItem.alert_id.is_(None))) == 0
        first = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert first is not None
        assert first.subject == "【每日摘要 Daily digest】2026-12-07：3项变化 3 changes"
        assert "1. 【新发布 New】深圳市新一代人工智能发展行动计划（2019-2023年）" in first.body
        assert f"{BASE}/documents/" in first.body


def test_weekly_digest_goes_out_on_its_weekday_only_and_a_missed_slot_once(
    factory: sessionmaker[Session], library: Library
) -> None:
    clock = FakeClock()
    at(clock, MONDAY_7AM)
    subscribe(factory, clock, digest="weekly", digest_hour=9, digest_weekday=2)  # Wednesdays 09:00
    changed(factory, library.publish("shenzhen"))
    at(clock, MONDAY_7AM + timedelta(days=1, hours=3))  # Tuesday 10:00
    assert run(factory, clock) == []
    at(clock, MONDAY_7AM + timedelta(days=4))  # Friday 07:00: the daemon was down on Wednesday
    assert run(factory, clock) == [["深圳市新"]]
    assert run(factory, clock) == []
    with transaction(factory) as session:
        sub = session.scalars(select(Subscription)).one()
        assert sub.last_digest_at is not None
