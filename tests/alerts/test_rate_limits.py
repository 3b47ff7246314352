"""Rate limits: past a target's per-minute budget deliveries wait for the window, none is dropped or failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import WebhookChannel
from alerts.delivery import Deliverer, RetryPolicy
from alerts.rate_limits import RateLimits
from core.settings import AlertSettings
from storage.db import transaction
from storage.models import Alert, Change, Delivery, Document, Subscription
from tests.clock import FakeClock

if TYPE_CHECKING:
    from .conftest import HttpReceiver


def enqueue(factory: sessionmaker[Session], target: str, count: int, other_target: str = "") -> None:
    """``count`` pending webhook deliveries to ``target`` (and one to ``other_target``)."""
    with transaction(factory) as session:
        sub = Subscription(name="robot", channel="webhook", target=target)
        doc = Document(key="d", source_id="s", url="https://gov.example/d", title="人工智能行动计划")
        session.add_all([sub, doc])
        session.flush()
        targets = [target] * count + ([other_target] if other_target else [])
        for index, to in enumerate(targets):
            change = Change(dedup_key=f"c{index}", document_id=doc.id, kind="new", summary={})
            session.add(change)
            session.flush()
            alert = Alert(change_id=change.id, subscription_id=sub.id, subject=f"提醒 {index}", body="正文",
                          payload={"subject": f"提醒 {index}"})
            session.add(alert)
            session.flush()
            session.add(Delivery(alert_id=alert.id, channel="webhook", target=to, next_attempt_at=FakeClock()()))


def statuses(factory: sessionmaker[Session]) -> dict[str, int]:
    with transaction(factory) as session:
        out: dict[str, int] = {}
        for status in session.scalars(select(Delivery.status)):
            out[status] = out.get(status, 0) + 1
        return out


def test_deliveries_over_the_per_minute_limit_wait_for_the_window_and_all_go_out(
    factory: sessionmaker[Session], http_receiver: HttpReceiver
) -> None:
    robot, other = f"{http_receiver.url}/robot", f"{http_receiver.url}/other"
    enqueue(factory, robot, 25, other_target=other)
    clock = FakeClock()
    deliverer = Deliverer({"webhook": WebhookChannel(allowed_networks=["127.0.0.0/8"])},
                          RetryPolicy.from_settings(AlertSettings()), clock=clock,
                          limits=RateLimits({"webhook": 20}))
    report = deliverer.deliver_due(factory)
    assert (report.sent, report.deferred, report.failed) == (21, 5, 0)  # 20 to the robot, 1 to the other target
    assert statuses(factory) == {"sent": 21, "pending": 5}
    clock.advance(30)
    assert deliverer.deliver_due(factory).sent == 0  # still inside the minute: nothing is due
    clock.advance(31)
    assert deliverer.deliver_due(factory).sent == 5
    assert statuses(factory) == {"sent": 26}
    assert sum(r["path"] == "/robot" for r in http_receiver.requests) == 25


def test_limits_are_looked_up_by_apprise_scheme_then_channel() -> None:
    limits = RateLimits({"dingtalk": 20, "apprise": 60})
    assert limits.limit_for("apprise", "dingtalk://token123") == 20
    assert limits.limit_for("apprise", "tgram://bot/chat") == 60
    assert limits.limit_for("webhook", "https://hooks.example/x") is None
