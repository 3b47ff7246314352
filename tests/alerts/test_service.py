"""The alert stage's API: alerts created once per (change, subscription), delivered at least once."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import ConsoleChannel, EmailChannel, FileChannel, WebhookChannel
from alerts.delivery import Deliverer, DeliveryReport, Mirror, RetryPolicy, mirrors_from_settings
from alerts.delivery_admin import list_deliveries, retry_deliveries
from alerts.render import RenderedAlert
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, load_demo_subscriptions, sync_subscriptions
from core.settings import AlertSettings, SmtpSettings
from storage.db import transaction
from storage.models import Alert, Change, Delivery, Subscription
from tests.alerts.conftest import LOOPBACK
from tests.clock import FakeClock

# The receivers listen on loopback, which outbound safety refuses unless allow-listed.

if TYPE_CHECKING:
    from .conftest import HttpReceiver, Library, SmtpServer

BASE = "https://pw.example"


def subscribe(factory: sessionmaker[Session], *specs: SubscriptionSpec) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, specs)


def alert_for(factory: sessionmaker[Session], change: Change) -> list[Alert]:
    with transaction(factory) as session:
        return create_alerts(session, session.get_one(Change, change.id), BASE)


def received(factory: sessionmaker[Session]) -> dict[str, set[str]]:
    """Subscription name → titles of the documents it got an alert for."""
    with transaction(factory) as session:
        rows = session.execute(
            select(Subscription.name, Alert.payload).join(Alert, Alert.subscription_id == Subscription.id)
        ).all()
    out: dict[str, set[str]] = {}
    for name, payload in rows:
        out.setdefault(name, set()).add(f"{payload['kind']}:{payload['document']['title'][:4]}")
    return out


def deliveries(factory: sessionmaker[Session]) -> list[tuple[str, int, str]]:
    with transaction(factory) as session:
        return [(d.status, d.attempts, d.last_error) for d in session.scalars(select(Delivery).order_by(Delivery.id))]


def make_deliverer(
    channels: dict, max_attempts: int, mirrors: list[Mirror] | tuple[()] = (), clock: FakeClock | None = None  # type: ignore[type-arg]
) -> Deliverer:
    policy = RetryPolicy.from_settings(AlertSettings(max_attempts=max_attempts))
    return Deliverer(channels, policy, mirrors=mirrors, clock=clock or FakeClock())


def test_create_alerts_twice_for_one_change_creates_one_alert_and_one_delivery(
    db_factory: sessionmaker[Session], make_library: Callable[[sessionmaker[Session]], Library]
) -> None:
    library = make_library(db_factory)
    subscribe(db_factory, SubscriptionSpec(name="gd", channel="file", regions=["广东省"]))
    change = library.publish("shenzhen")
    first = alert_for(db_factory, change)
    second = alert_for(db_factory, change)
    assert len(first) == 1
    assert [a.id for a in second] == [a.id for a in first]
    with transaction(db_factory) as session:
        assert len(session.scalars(select(Alert)).all()) == 1
        (delivery,) = session.scalars(select(Delivery)).all()
    assert (delivery.alert_id, delivery.status, delivery.channel) == (first[0].id, "pending", "file")


def test_create_alerts_does_not_commit(factory: sessionmaker[Session], library: Library) -> None:
    subscribe(factory, SubscriptionSpec(name="all", channel="file"))
    change = library.publish("shenzhen")
    session = factory()
    try:
        assert len(create_alerts(session, session.get_one(Change, change.id), BASE)) == 1
        session.rollback()
    finally:
        session.close()
    with transaction(factory) as check:
        assert check.scalars(select(Alert)).all() == []


def test_demo_subscribers_receive_exactly_the_seed_plans_and_revisions_they_asked_for(
    factory: sessionmaker[Session], library: Library
) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, load_demo_subscriptions())
    for seed in ["nansha", "shenyang", "liuzhou", "minhang", "shenzhen"]:
        alert_for(factory, library.publish(seed))
    assert received(factory) == {
        "gd-consultancy": {"new:广州南沙", "new:深圳市新"},
        "sh-consultancy": {"new:闵行区推"},
        "icv-analyst": {"new:广州南沙", "new:柳州市新", "new:深圳市新"},
        "archivist": {"new:广州南沙", "new:沈阳市新", "new:柳州市新", "new:闵行区推", "new:深圳市新"},
    }

    alert_for(factory, library.revise("shenzhen", {"headline": "目标上调"}))
    borderline = library.publish("traffic", ai_label="borderline", text="智能交通信号灯改造。",
                                 title="广州市智能交通建设方案", province="广东省", city="广州市")
    alert_for(factory, borderline)
    after = received(factory)
    assert after["gd-consultancy"] == {"new:广州南沙", "new:深圳市新", "revised:深圳市新"}
    assert after["revision-watcher"] == {"revised:深圳市新"}
    assert after["icv-analyst"] == {"new:广州南沙", "new:柳州市新", "new:深圳市新", "revised:深圳市新"}
    assert "new:广州市智" in after["archivist"] and "revised:深圳市新" in after["archivist"]
    assert after["sh-consultancy"] == {"new:闵行区推"}


def test_inactive_subscription_receives_nothing(factory: sessionmaker[Session], library: Library) -> None:
    subscribe(factory, SubscriptionSpec(name="paused", channel="file", active=False))
    assert alert_for(factory, library.publish("shenzhen")) == []


def test_removal_alert_links_the_last_stored_version(factory: sessionmaker[Session], library: Library) -> None:
    subscribe(factory, SubscriptionSpec(name="gd", channel="file", regions=["广东省"]))
    new = library.publish("nansha")
    with transaction(factory) as session:
        gone = Change(dedup_key="nansha-removed", document_id=new.document_id, kind="removed",
                      previous_version_id=new.version_id, summary={})
        session.add(gone)
    (alert,) = alert_for(factory, gone)
    assert alert.subject.startswith("【撤下 Removed】广州南沙")
    assert f"{BASE}/documents/{new.document_id}/versions/{new.version_id}" in alert.body


def test_deliver_pending_twice_sends_one_email(
    db_factory: sessionmaker[Session],
    make_library: Callable[[sessionmaker[Session]], Library],
    smtp_server: SmtpServer,
) -> None:
    factory, library = db_factory, make_library(db_factory)
    subscribe(factory, SubscriptionSpec(name="gd", channel="email", target="gd@consult.example",
                                        regions=["广东省"]))
    change = library.publish("shenzhen")
    (alert,) = alert_for(factory, change)
    email = EmailChannel(SmtpSettings(host=smtp_server.host, port=smtp_server.port))
    deliverer = make_deliverer({"email": email}, max_attempts=3)

    assert deliverer.deliver_due(factory) == DeliveryReport(sent=1)
    assert deliverer.deliver_due(factory) == DeliveryReport()
    alert_for(factory, change)  # a redelivered change event
    assert deliverer.deliver_due(factory) == DeliveryReport()

    (envelope,) = smtp_server.inbox.messages
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"] == "【新发布 New】深圳市新一代人工智能发展行动计划（2019-2023年）"
    assert mail["Message-ID"].startswith(f"<policywatch-alert-{alert.id}@")
    text = mail.get_body(("plain",)).get_content()
    assert "地区 Region：广东省 深圳市（440300）" in text
    assert f"{BASE}/documents/{change.document_id}/versions/{change.version_id}" in text
    assert "地区 region: 广东省" in text
    with transaction(factory) as session:
        (delivery,) = session.scalars(select(Delivery)).all()
    assert (delivery.status, delivery.attempts) == ("sent", 1) and delivery.sent_at is not None


def test_webhook_answering_500_is_retried_when_its_backoff_is_due_and_not_before(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver
) -> None:
    subscribe(factory, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url))
    alert_for(factory, library.publish("minhang"))
    http_receiver.statuses.append(500)
    clock = FakeClock()
    deliverer = make_deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, max_attempts=3, clock=clock)

    assert deliverer.deliver_due(factory) == DeliveryReport(retrying=1)
    assert deliveries(factory) == [("pending", 1, "TransientError: webhook " + http_receiver.url + " answered 500")]
    assert deliverer.deliver_due(factory) == DeliveryReport()  # not due yet: other traffic never hurries it
    clock.advance(AlertSettings().retry_base_seconds)  # full jitter: the first back-off is at most the base
    assert deliverer.deliver_due(factory) == DeliveryReport(sent=1)
    assert deliveries(factory) == [("sent", 2, "")]
    assert len(http_receiver.requests) == 2
    assert http_receiver.bodies()[1]["document"]["title"] == "闵行区推动新一代人工智能产业发展的实施意见"
    assert {r["headers"]["Idempotency-Key"] for r in http_receiver.requests} == {http_receiver.bodies()[0]["id"]}


def test_backoff_doubles_with_full_jitter_up_to_its_cap() -> None:
    policy = RetryPolicy.from_settings(AlertSettings())
    rng = __import__("random").Random(7)
    ceilings = [max(policy.backoff(n, rng) for _ in range(200)) for n in (1, 2, 3, 8, 30)]
    assert 25 < ceilings[0] <= 30 and 50 < ceilings[1] <= 60 and 100 < ceilings[2] <= 120
    assert 3000 < ceilings[3] <= 3600 and 3000 < ceilings[4] <= 3600
    assert min(policy.backoff(3, rng) for _ in range(200)) < 10  # full jitter reaches down to zero


def test_webhook_failing_every_attempt_is_marked_failed_after_max_attempts(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver
) -> None:
    subscribe(factory, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url))
    alert_for(factory, library.publish("minhang"))
    http_receiver.statuses.extend([503, 503, 503])
    clock = FakeClock()
    deliverer = make_deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, max_attempts=2, clock=clock)
    reports = []
    for _ in range(3):
        reports.append(deliverer.deliver_due(factory))
        clock.advance(3600)
    assert reports == [DeliveryReport(retrying=1), DeliveryReport(failed=1), DeliveryReport()]
    assert deliveries(factory)[0][:2] == ("failed", 2)
    assert len(http_receiver.requests) == 2


def test_a_delivery_failing_transiently_is_retried_for_the_whole_window_then_failed(
    factory: sessionmaker[Session], library: Library, closed_port: int
) -> None:
    """SMTP down for a day: attempts spread over the retry window, not spent in seconds."""
    subscribe(factory, SubscriptionSpec(name="mail", channel="email", target="a@b.cn"))
    alert_for(factory, library.publish("minhang"))
    clock = FakeClock()
    email = EmailChannel(SmtpSettings(host="127.0.0.1", port=closed_port, timeout_seconds=2))
    policy = RetryPolicy.from_settings(AlertSettings())
    deliverer = Deliverer({"email": email}, policy, clock=clock)
    started, passes = clock.now, 0
    while deliveries(factory)[0][0] == "pending":
        deliverer.deliver_due(factory)
        clock.advance(60)
        passes += 1
    status, attempts, error = deliveries(factory)[0]
    assert status == "failed" and "SMTP 127.0.0.1" in error
    spent = (clock.now - started).total_seconds() / 3600
    assert 24 <= spent < 25 and 10 < attempts < 100, (spent, attempts)


def test_webhook_redirect_is_not_followed_and_is_not_delivered(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver
) -> None:
    subscribe(factory, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url))
    alert_for(factory, library.publish("minhang"))
    http_receiver.statuses.append(301)
    deliverer = make_deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, max_attempts=5)
    assert deliverer.deliver_due(factory) == DeliveryReport(failed=1)
    status, attempts, error = deliveries(factory)[0]
    assert (status, attempts) == ("failed", 1) and "301" in error and "not followed" in error
    assert len(http_receiver.requests) == 1  # the Location was never requested


def test_operator_retry_resends_failed_deliveries_only(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    outbox = tmp_path / "box.jsonl"
    subscribe(factory, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url),
              SubscriptionSpec(name="box", channel="file", target=str(outbox)))
    alert_for(factory, library.publish("minhang"))
    http_receiver.statuses.append(400)
    clock = FakeClock()
    deliverer = make_deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK), "file": FileChannel()}, max_attempts=5, clock=clock)
    assert deliverer.deliver_due(factory) == DeliveryReport(sent=1, failed=1)
    with transaction(factory) as session:
        sent_id, failed_id = (
            session.scalars(select(Delivery.id).where(Delivery.status == status)).one() for status in ("sent", "failed")
        )
        report = retry_deliveries(session, [sent_id, failed_id, 999], now=clock.now)
    assert (report.requeued, report.already_sent, report.unknown) == ([failed_id], [sent_id], [999])
    assert deliverer.deliver_due(factory) == DeliveryReport(sent=1)
    with transaction(factory) as session:
        assert retry_deliveries(session, all_failed=True).requeued == []
        views = list_deliveries(session, ["sent"])
    assert sorted(v.id for v in views) == sorted([sent_id, failed_id])
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == 1  # the file delivery went once
    assert len(http_receiver.requests) == 2


def test_webhook_answering_400_fails_at_once(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver
) -> None:
    subscribe(factory, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url))
    alert_for(factory, library.publish("minhang"))
    http_receiver.statuses.append(400)
    deliverer = make_deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, max_attempts=5)
    assert deliverer.deliver_due(factory) == DeliveryReport(failed=1)
    assert deliverer.deliver_due(factory) == DeliveryReport()
    status, attempts, error = deliveries(factory)[0]
    assert (status, attempts) == ("failed", 1) and "answered 400" in error
    assert len(http_receiver.requests) == 1


def test_deliveries_wait_while_their_channel_is_not_running(
    factory: sessionmaker[Session], library: Library, tmp_path: Path
) -> None:
    subscribe(factory, SubscriptionSpec(name="mail", channel="email", target="a@b.cn"),
              SubscriptionSpec(name="file", channel="file", target=str(tmp_path / "a.jsonl")))
    alert_for(factory, library.publish("shenzhen"))
    report = make_deliverer({"file": FileChannel()}, max_attempts=1).deliver_due(factory)
    assert report == DeliveryReport(sent=1, waiting=1)
    assert sorted(deliveries(factory)) == [("pending", 0, ""), ("sent", 1, "")]


def test_sent_alerts_are_copied_to_the_outbox_and_console(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox.jsonl"
    stream = io.StringIO()
    channels = {"webhook": WebhookChannel(allowed_networks=LOOPBACK), "file": FileChannel(outbox), "console": ConsoleChannel(stream)}
    mirrors = mirrors_from_settings(AlertSettings(outbox_file=outbox, console=True), channels)
    assert [m.channel.name for m in mirrors] == ["console", "file"]
    subscribe(factory, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url),
              SubscriptionSpec(name="box", channel="file", regions=["上海市"]))
    alert_for(factory, library.publish("minhang"))
    make_deliverer(channels, max_attempts=1, mirrors=mirrors).deliver_due(factory)
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["subscription"]["name"] for line in lines) == ["box", "hook"]  # box not twice
    assert stream.getvalue().count("【新发布 New】闵行区推动新一代人工智能产业发展的实施意见") == 2
    assert len(http_receiver.requests) == 1


def test_a_failing_copy_does_not_fail_the_delivery(
    factory: sessionmaker[Session], library: Library, tmp_path: Path
) -> None:
    subscribe(factory, SubscriptionSpec(name="box", channel="file", target=str(tmp_path / "ok.jsonl")))
    alert_for(factory, library.publish("minhang"))
    broken = Mirror(FileChannel(), str(tmp_path))  # a directory: every copy fails
    report = make_deliverer({"file": FileChannel()}, max_attempts=1, mirrors=[broken]).deliver_due(factory)
    assert report == DeliveryReport(sent=1)


def test_a_hand_edited_unknown_region_is_ignored_instead_of_stopping_the_stage(
    factory: sessionmaker[Session], library: Library
) -> None:
    with transaction(factory) as session:
        session.add(Subscription(name="typo", channel="file", regions=["广东省", "火星省"]))
    (alert,) = alert_for(factory, library.publish("shenzhen"))
    assert "地区 region: 广东省" in alert.body


def test_two_deliverers_running_at_once_send_each_alert_once(
    db_factory: sessionmaker[Session], make_library: Callable[[sessionmaker[Session]], Library], tmp_path: Path
) -> None:
    library = make_library(db_factory)
    outbox = tmp_path / "outbox.jsonl"
    subscribe(db_factory, *[SubscriptionSpec(name=f"s{i}", channel="file", target=str(outbox)) for i in range(6)])
    alert_for(db_factory, library.publish("shenzhen"))
    alert_for(db_factory, library.publish("nansha"))
    deliverer = make_deliverer({"file": FileChannel()}, max_attempts=3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: deliverer.deliver_due(db_factory), range(2)))
    assert sum(r.sent for r in reports) == 12
    ids = [json.loads(line)["id"] for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == 12


def test_a_crash_between_send_and_commit_resends_on_the_next_run(
    factory: sessionmaker[Session], library: Library, tmp_path: Path
) -> None:
    """The documented at-least-once window: the receiver sees the same id twice and can drop one."""
    outbox = tmp_path / "outbox.jsonl"

    class CrashAfterSend(FileChannel):
        def send(self, delivery_target: str, message: RenderedAlert) -> None:
            super().send(delivery_target, message)
            raise KeyboardInterrupt  # the process dies before the commit

    subscribe(factory, SubscriptionSpec(name="box", channel="file", target=str(outbox)))
    alert_for(factory, library.publish("minhang"))
    clock = FakeClock()
    with pytest.raises(KeyboardInterrupt):
        make_deliverer({"file": CrashAfterSend()}, max_attempts=3, clock=clock).deliver_due(factory)
    assert deliveries(factory) == [("sending", 1, "")]  # claimed, its lease running
    restarted = make_deliverer({"file": FileChannel()}, max_attempts=3, clock=clock)
    assert restarted.deliver_due(factory) == DeliveryReport()  # the lease has not expired
    clock.advance(AlertSettings().lease_seconds + 1)
    assert restarted.deliver_due(factory) == DeliveryReport(sent=1)
    ids = [json.loads(line)["id"] for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == 2 and len(set(ids)) == 1
