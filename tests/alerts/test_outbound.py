"""Outbound safety (SSRF): targets resolving to loopback, private, link-local or metadata addresses are
refused before anything connects — at subscription time and at send time — unless allow-listed; every
resolved address and every redirect is checked. No test sends traffic beyond loopback: the refused
addresses are refused before a connection is tried, and names resolve through a stand-in resolver."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import AppriseChannel, WebhookChannel
from alerts.delivery import Deliverer, DeliveryReport, RetryPolicy
from alerts.outbound import OutboundRefused, check_target, check_url
from alerts.render import RenderedAlert
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from core.errors import PermanentError, SettingsError
from core.settings import AlertSettings, load_settings
from storage.db import transaction
from storage.models import Change, Delivery

from .conftest import HttpReceiver, Library

MESSAGE = RenderedAlert("subject", "text", "<p>text</p>", {"kind": "new"}, "policywatch-alert-1")
REFUSED = [
    ("http://127.0.0.1:8470/hook", "loopback"),
    ("http://10.0.0.1/hook", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://localhost:6379/", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://100.64.0.1/", "not a public address"),
]


def public_or_rebinding(host: str, port: int) -> list[str]:
    """A stand-in DNS: one name public, one resolving to a public and a loopback address."""
    return {"public.example": ["93.184.216.34"], "rebind.example": ["93.184.216.34", "127.0.0.1"],
            "pinned.example": ["127.0.0.1"]}[host]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_internal_targets_are_refused_at_subscription_time(url: str, why: str) -> None:
    problem = check_target("webhook", url, [])
    assert why in problem and "refused" in problem


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_internal_targets_are_refused_at_send_time_before_connecting(url: str, why: str) -> None:
    started = time.monotonic()
    with pytest.raises(OutboundRefused, match=why):
        WebhookChannel(timeout_seconds=5).send(url, MESSAGE)
    assert time.monotonic() - started < 1.0  # no connection was attempted (a blackholed address would hang)


def test_loopback_receiver_gets_nothing_unless_allow_listed(http_receiver: HttpReceiver) -> None:
    with pytest.raises(PermanentError, match="loopback address; refused"):
        WebhookChannel().send(http_receiver.url, MESSAGE)
    assert http_receiver.requests == []
    WebhookChannel(allowed_networks=["127.0.0.0/8"]).send(http_receiver.url, MESSAGE)
    assert len(http_receiver.requests) == 1


def test_every_resolved_address_is_checked() -> None:
    assert check_url("https://public.example/hook", [], public_or_rebinding).addresses == ("93.184.216.34",)
    with pytest.raises(OutboundRefused, match=r"rebind.example \(127.0.0.1\) is a loopback address"):
        check_url("https://rebind.example/hook", [], public_or_rebinding)


def test_plain_http_goes_to_the_checked_address_with_the_original_host(http_receiver: HttpReceiver) -> None:
    port = http_receiver.url.rsplit(":", 1)[1]
    channel = WebhookChannel(allowed_networks=["127.0.0.0/8"], resolver=public_or_rebinding)
    channel.send(f"http://pinned.example:{port}/hook", MESSAGE)
    (request,) = http_receiver.requests
    assert request["headers"]["Host"] == f"pinned.example:{port}"


def test_redirects_are_not_followed_by_default_and_checked_when_followed(http_receiver: HttpReceiver) -> None:
    only_receiver = ["127.0.0.1/32"]
    http_receiver.statuses.append(301)
    with pytest.raises(PermanentError, match=r"answered 301 .*not followed"):
        WebhookChannel(allowed_networks=only_receiver).send(http_receiver.url, MESSAGE)
    http_receiver.statuses.append(307)  # to receiver.url + "/moved", allowed: followed
    WebhookChannel(allowed_networks=only_receiver, follow_redirects=True).send(http_receiver.url, MESSAGE)
    assert [r["path"] for r in http_receiver.requests[-2:]] == ["/", "/moved"]
    # a redirect to another loopback address (127.0.0.2, not allow-listed) is refused before connecting
    elsewhere = http_receiver.url.replace("127.0.0.1", "127.0.0.2")
    http_receiver.statuses.append(302)
    before = len(http_receiver.requests)
    original = http_receiver.url
    http_receiver.url = elsewhere  # the receiver now points its Location there
    try:
        with pytest.raises(OutboundRefused, match=r"127\.0\.0\.2 is a loopback address; refused"):
            WebhookChannel(allowed_networks=only_receiver, follow_redirects=True).send(original, MESSAGE)
    finally:
        http_receiver.url = original
    assert len(http_receiver.requests) == before + 1


def test_apprise_http_targets_are_checked_before_apprise_connects(http_receiver: HttpReceiver) -> None:
    json_url = http_receiver.url.replace("http://", "json://")
    with pytest.raises(PermanentError, match="loopback address; refused"):
        AppriseChannel().send(json_url, MESSAGE)
    assert http_receiver.requests == []
    for url in ("json://10.0.0.1/notify", "xml://169.254.169.254/", "gotify://localhost/token", "form://[::1]/"):
        assert "refused" in check_target("apprise", url, [])
    assert check_target("apprise", "dingtalk://abcdef0123456789", []) == ""


def test_a_delivery_to_a_target_no_longer_allowed_fails_with_a_clear_error(
    factory: sessionmaker[Session], library: Library, http_receiver: HttpReceiver
) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="hook", channel="webhook", target=http_receiver.url)])
    change = library.publish("shenzhen")
    with transaction(factory) as session:
        create_alerts(session, session.get_one(Change, change.id), "http://pw")
    deliverer = Deliverer({"webhook": WebhookChannel()}, RetryPolicy.from_settings(AlertSettings()))
    assert deliverer.deliver_due(factory) == DeliveryReport(failed=1)
    with transaction(factory) as session:
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.status == "failed" and "127.0.0.1 is a loopback address; refused" in delivery.last_error
    assert http_receiver.requests == []


def test_allowed_networks_must_be_networks() -> None:
    assert load_settings(alerts={"allowed_networks": ["10.1.0.0/16", "fd00::/8"]}).alerts.allowed_networks
    with pytest.raises(SettingsError, match="not a network"):
        load_settings(alerts={"allowed_networks": ["intranet"]})
