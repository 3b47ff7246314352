"""Alert email through a real SMTP server (aiosmtpd): text and HTML parts, a Chinese subject, the
List-Unsubscribe headers, and following the link unsubscribes the subscription for good."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import EmailChannel
from alerts.delivery import Deliverer, RetryPolicy
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from alerts.unsubscribe import UnsubscribeLinks
from core.metrics import Metrics
from core.settings import AlertSettings, SmtpSettings
from policywatch.web import create_app
from storage.db import transaction
from storage.models import Change, Subscription
from tests.clock import FakeClock

if TYPE_CHECKING:
    from .conftest import Library, SmtpServer

BASE = "https://pw.example"
SECRET = "test-unsubscribe-secret"


def send_alerts(factory: sessionmaker[Session], smtp: SmtpServer, change: Change) -> None:
    with transaction(factory) as session:
        create_alerts(session, session.get_one(Change, change.id), BASE)
    settings = AlertSettings(smtp=SmtpSettings(host=smtp.host, port=smtp.port), unsubscribe_secret=SecretStr(SECRET))
    channel = EmailChannel(settings.smtp)
    deliverer = Deliverer({"email": channel}, RetryPolicy.from_settings(settings), clock=FakeClock(),
                          links=UnsubscribeLinks.from_settings(settings))
    deliverer.deliver_due(factory)


def test_alert_email_has_both_parts_chinese_subject_and_one_click_unsubscribe(
    factory: sessionmaker[Session], library: Library, smtp_server: SmtpServer
) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="gd-mail", channel="email", target="analyst@example.com")])
    send_alerts(factory, smtp_server, library.publish("shenzhen"))

    (envelope,) = smtp_server.inbox.messages
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["Subject"] == "【新发布 New】深圳市新一代人工智能发展行动计划（2019-2023年）"
    assert b"=?utf-8?" in envelope.content.split(b"\r\n\r\n", 1)[0].lower()  # RFC 2047 encoded on the wire
    assert mail["Content-Language"] == "zh-CN"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    page = mail.get_body(("html",)).get_content()
    link = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith(f"{BASE}/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"退订 Unsubscribe：{link}" in text and "深圳市新一代人工智能发展行动计划" in text
    assert f'href="{link}"' in page and "<h2>" in page

    client = TestClient(create_app(factory, Metrics(), lambda: {}, unsubscribe_secret=SECRET))
    answer = client.get(urlsplit(link).path)
    assert answer.status_code == 200 and "已退订" in answer.text
    with transaction(factory) as session:
        first = session.scalars(select(Subscription.unsubscribed_at)).one()
    assert first is not None
    # The one-click POST a mail client makes is accepted too, and changes nothing the second time.
    assert client.post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with transaction(factory) as session:
        assert session.scalars(select(Subscription.unsubscribed_at)).one() == first

    send_alerts(factory, smtp_server, library.publish("liuzhou"))
    assert len(smtp_server.inbox.messages) == 1  # nothing more after unsubscribing


def test_forged_unsubscribe_token_is_404_and_unsubscribes_nobody(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="x", channel="email", target="a@example.com")])
        sub_id = session.scalars(select(Subscription.id)).one()
    forged = UnsubscribeLinks("another-secret").token(sub_id)
    client = TestClient(create_app(factory, Metrics(), lambda: {}, unsubscribe_secret=SECRET))
    assert client.get(f"/unsubscribe/{forged}").status_code == 404
    with transaction(factory) as session:
        assert session.scalars(select(Subscription.unsubscribed_at)).one() is None
