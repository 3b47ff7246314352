"""Signed webhooks, end to end: a real HTTP receiver verifies each request with the ``standardwebhooks``
package (an implementation independent of ours), rejects a replay, and every body validates against the
schema we publish."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from alerts import account_subscriptions as subs
from alerts.channels import WebhookChannel
from alerts.delivery import Deliverer, DeliveryReport, RetryPolicy
from alerts.service import create_alerts, rendered_from_alert
from alerts.subscriptions import SubscriptionSpec
from alerts.webhook_schema import webhook_body_schema
from core.errors import PermanentError
from core.metrics import Metrics
from core.settings import AlertSettings
from policywatch.web import create_app
from storage.accounts import create_account, create_key
from storage.db import transaction
from storage.models import Change, Delivery
from tests.alerts.conftest import LOOPBACK, Library, serving


@dataclass
class VerifyingReceiver:
    """Answers 204 to a request whose Standard Webhooks signature verifies (timestamp within 5 minutes,
    the library's tolerance) and 401 otherwise; keeps what it verified and why it refused."""

    secret: str = ""
    url: str = ""
    verified: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[VerifyingReceiver]:
    state = VerifyingReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                state.verified.append({"body": Webhook(state.secret).verify(body, dict(self.headers)),
                                       "headers": dict(self.headers)})
                status = 204
            except WebhookVerificationError as exc:
                state.refused.append(str(exc))
                status = 401
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        state.url = f"{url}/hook"
        yield state


def _subscribe(factory: sessionmaker[Session], url: str) -> str:
    with transaction(factory) as session:
        account = create_account(session, "咨询A")
        spec = subs.validate(SubscriptionSpec(name="hook", channel="webhook", target=url).model_dump(), LOOPBACK)
        return subs.create(session, account.id, spec).webhook_secret


def test_delivered_webhook_verifies_with_an_independent_implementation_and_matches_the_schema(
    factory: sessionmaker[Session], library: Library, receiver: VerifyingReceiver
) -> None:
    receiver.secret = _subscribe(factory, receiver.url)
    change = library.publish("shenzhen")
    revised = library.revise("shenzhen", {"headline": "修订", "significance": {"grade": "major", "reasons": []}})
    with transaction(factory) as session:
        for item in (change, revised):
            create_alerts(session, session.get(Change, item.id), "http://pw.example")
    deliverer = Deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, RetryPolicy.from_settings(AlertSettings()))
    assert deliverer.deliver_due(factory) == DeliveryReport(sent=2)
    assert receiver.refused == [] and len(receiver.verified) == 2
    validator = Draft202012Validator(webhook_body_schema())
    for request in receiver.verified:
        assert list(validator.iter_errors(request["body"])) == []
        assert request["headers"]["webhook-id"] == request["body"]["id"]
        assert request["headers"]["webhook-signature"].startswith("v1,")
    assert {r["body"]["kind"] for r in receiver.verified} == {"new", "revised"}


def test_receiver_rejects_a_replayed_old_timestamp_and_a_tampered_body(
    factory: sessionmaker[Session], library: Library, receiver: VerifyingReceiver
) -> None:
    receiver.secret = _subscribe(factory, receiver.url)
    change = library.publish("shenzhen")
    with transaction(factory) as session:
        (alert,) = create_alerts(session, session.get(Change, change.id), "http://pw.example")
        message = rendered_from_alert(alert)
    ten_minutes_ago = WebhookChannel(allowed_networks=LOOPBACK, clock=lambda: time.time() - 600)
    with pytest.raises(PermanentError, match="401"):
        ten_minutes_ago.send(receiver.url, message)
    assert receiver.refused == ["Message timestamp too old"]
    # a captured request, replayed with its headers but another body, does not verify either
    WebhookChannel(allowed_networks=LOOPBACK).send(receiver.url, message)
    captured = receiver.verified[-1]["headers"]
    forged = httpx.post(receiver.url, content=b'{"id":"x"}', headers={k: v for k, v in captured.items()
                                                                      if k.lower().startswith("webhook-")})
    assert forged.status_code == 401 and receiver.refused[-1] == "No matching signature found"
    with transaction(factory) as session:
        assert session.query(Delivery).count() == 1


def test_schema_is_published_and_a_test_send_is_signed_and_valid(
    factory: sessionmaker[Session], receiver: VerifyingReceiver
) -> None:
    with transaction(factory) as session:
        token = create_key(session, create_account(session, "咨询B"), "ci").token
    channels = {"webhook": WebhookChannel(allowed_networks=LOOPBACK)}
    client = TestClient(create_app(factory, Metrics(), lambda: {}, channels=channels, allowed_networks=LOOPBACK))
    served = client.get("/api/v1/schemas/webhook-body.json")
    assert served.status_code == 200 and served.json() == webhook_body_schema()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/subscriptions", headers=headers,
                          json={"name": "hook", "channel": "webhook", "target": receiver.url}).json()
    receiver.secret = created["webhook_secret"]
    answer = client.post(f"/api/v1/subscriptions/{created['id']}/test", headers=headers).json()
    assert answer == {"sent": True, "error": ""}
    (request,) = receiver.verified
    assert request["body"]["kind"] == "test"
    assert list(Draft202012Validator(served.json()).iter_errors(request["body"])) == []
    assert json.dumps(request["body"], ensure_ascii=False).count(receiver.secret) == 0
