"""Receivers that fail: SMTP down for longer than the old retry window, a webhook answering 500 for
minutes, hanging, or redirecting. Time moves by a controllable clock, not by sleeping."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import EmailChannel, WebhookChannel
from alerts.delivery import Deliverer, DeliveryReport, RetryPolicy
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from core.settings import AlertSettings, SmtpSettings
from policywatch.cli import main
from storage.db import transaction
from storage.models import Change, Delivery, Subscription
from tests.alerts.conftest import LOOPBACK, free_port
from tests.clock import FakeClock

# The receivers listen on loopback, which outbound safety refuses unless allow-listed.

if TYPE_CHECKING:
    from tests.alerts.conftest import HttpReceiver, Library

pytestmark = [pytest.mark.slow, pytest.mark.fault]


def alert_one(factory: sessionmaker[Session], library: Library, spec: SubscriptionSpec) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, [spec])
    change = library.publish("minhang")
    with transaction(factory) as session:
        create_alerts(session, session.get_one(Change, change.id), "https://pw.example")


def status_of(factory: sessionmaker[Session]) -> tuple[str, int]:
    with factory() as session:
        delivery = session.scalars(select(Delivery)).one()
        return delivery.status, delivery.attempts


def test_smtp_down_for_hours_still_delivers_once_it_is_back(
    factory: sessionmaker[Session], library: Library, fault_table  # type: ignore[no-untyped-def]
) -> None:
    from aiosmtpd.controller import Controller

    from tests.alerts.conftest import _Inbox

    port = free_port()
    alert_one(factory, library, SubscriptionSpec(name="mail", channel="email", target="a@b.cn"))
    clock = FakeClock()
    email = EmailChannel(SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=2))
    deliverer = Deliverer({"email": email}, RetryPolicy.from_settings(AlertSettings()), clock=clock)
    for _ in range(6 * 60):  # six hours of passes every minute while the server is down
        deliverer.deliver_due(factory)
        clock.advance(60)
    status, attempts = status_of(factory)
    assert status == "pending" and 5 < attempts < 30  # the old policy gave up after 5 attempts in 2 s
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(3600)  # the longest back-off: due now, whatever the jitter drew
        assert deliverer.deliver_due(factory) == DeliveryReport(sent=1)
        assert deliverer.deliver_due(factory) == DeliveryReport()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    fault_table.append(("SMTP down for 6 h (old policy: failed after 1.9 s)", f"retried {attempts}× on backoff, sent once when back"))


def test_webhook_answering_500_for_minutes_is_delivered_once(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver, fault_table  # type: ignore[no-untyped-def]
) -> None:
    alert_one(factory, library, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url))
    http_receiver.statuses.extend([500] * 5)
    clock = FakeClock()
    deliverer = Deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, RetryPolicy.from_settings(AlertSettings()), clock=clock)
    while status_of(factory)[0] != "sent":
        deliverer.deliver_due(factory)
        clock.advance(30)
    assert status_of(factory) == ("sent", 6)
    assert len({r["headers"]["Idempotency-Key"] for r in http_receiver.requests}) == 1
    fault_table.append(("webhook answers 500 for minutes", "retried on backoff, delivered once (2xx only)"))


def test_hanging_webhook_holds_no_database_lock(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver, fault_table  # type: ignore[no-untyped-def]
) -> None:
    alert_one(factory, library, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url))
    http_receiver.hang_seconds = 3.0
    deliverer = Deliverer({"webhook": WebhookChannel(timeout_seconds=1.0, allowed_networks=LOOPBACK)}, RetryPolicy.from_settings(AlertSettings()))
    sending = threading.Thread(target=deliverer.deliver_due, args=(factory,))
    sending.start()
    time.sleep(0.3)  # the deliverer is waiting for the receiver now
    started = time.monotonic()
    with transaction(factory) as session:  # another stage's write (SQLite: the one write lock)
        session.execute(update(Subscription).values(active=True))
    write_s = time.monotonic() - started
    sending.join(10)
    assert write_s < 0.5, f"a write waited {write_s:.1f} s for the deliverer"
    assert status_of(factory) == ("pending", 1)  # timed out: transient, retried later
    http_receiver.hang_seconds = 0
    fault_table.append(("webhook hangs", f"timeout → retried later; a write meanwhile took {write_s * 1000:.0f} ms"))


def test_redirecting_webhook_fails_visibly_and_is_resent_once_fixed(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver, tmp_path: Path,
    sqlite_url: str, fault_table,  # type: ignore[no-untyped-def]
) -> None:
    alert_one(factory, library, SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url + "/old"))
    http_receiver.statuses.append(301)
    deliverer = Deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, RetryPolicy.from_settings(AlertSettings()))
    assert deliverer.deliver_due(factory) == DeliveryReport(failed=1)
    env = {"POLICYWATCH_DATABASE__URL": sqlite_url, "POLICYWATCH_VAR_DIR": str(tmp_path / "var")}
    listed = CliRunner().invoke(main, ["deliveries", "list", "--status", "failed"], env=env)
    assert listed.exit_code == 0 and "failed" in listed.output, listed.output
    shown = json.loads(CliRunner().invoke(main, ["deliveries", "list", "--json"], env=env).output)
    assert [(d["status"], "answered 301" in d["last_error"]) for d in shown] == [("failed", True)]
    with transaction(factory) as session:  # the operator fixes the subscription's URL
        session.execute(update(Subscription).values(target=http_receiver.url + "/new"))
    retried = CliRunner().invoke(main, ["deliveries", "retry", "--failed"], env=env)
    assert retried.exit_code == 0 and "requeued: 1" in retried.output, retried.output
    assert deliverer.deliver_due(factory) == DeliveryReport(sent=1)
    again = CliRunner().invoke(main, ["deliveries", "retry", "1"], env=env)
    assert "already sent (not re-sent): [1]" in again.output
    assert deliverer.deliver_due(factory) == DeliveryReport()
    assert [r["path"] for r in http_receiver.requests] == ["/old", "/new"]
    fault_table.append(("webhook redirects (301)", "not followed, failed visibly; `deliveries retry` sent it once"))
