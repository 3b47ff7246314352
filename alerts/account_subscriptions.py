"""An account's subscriptions through the API: create, edit, pause, delete, test-send and preview.

Every function takes the owning account's id and finds rows only among that account's own, so another
account's subscription is indistinguishable from one that does not exist (``NotFound``, a 404). The
filters are validated by the same ``SubscriptionSpec`` as the TOML file; a refused field raises
``FieldRejected`` naming it. Functions take a Session and never commit.
"""

from __future__ import annotations

import base64
import html
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alerts.matching import match_reasons
from alerts.outbound import check_target
from alerts.render import RenderedAlert
from alerts.subscriptions import FILTER_FIELDS, SCHEDULE_FIELDS, SubscriptionSpec, apply_filters
from core.errors import InvalidRequest, NotFound
from storage.models import Alert, Change, Delivery, Document, DocumentVersion, Subscription

# Channels an account may use: file and console write on the server, so they stay the operator's (TOML).
ACCOUNT_CHANNELS = ("email", "webhook", "apprise")
SPEC_FIELDS = ("name", "channel", "target", "regions", "keywords", "topics", "change_kinds", "ai_only", "active",
               *FILTER_FIELDS, *SCHEDULE_FIELDS)
PREVIEW_SCAN = 2000


class FieldRejected(InvalidRequest):
    """A subscription field that cannot be used; ``field`` names it (answered as a 422 on that field)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


class NameTaken(InvalidRequest):
    """The account has a subscription of that name already (409)."""


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def spec_of(row: Subscription) -> SubscriptionSpec:
    return SubscriptionSpec.model_validate({name: getattr(row, name) for name in SPEC_FIELDS})


def validate(data: Mapping[str, Any], allowed_networks: Sequence[str]) -> SubscriptionSpec:
    """The spec for ``data``, or FieldRejected naming the first field that is wrong."""
    try:
        spec = SubscriptionSpec.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise FieldRejected(where, first["msg"].removeprefix("Value error, ")) from exc
    if spec.channel not in ACCOUNT_CHANNELS:
        raise FieldRejected("channel", f"unknown channel {spec.channel!r}; use one of {list(ACCOUNT_CHANNELS)}")
    problem = check_target(spec.channel, spec.target, allowed_networks)
    if problem:
        raise FieldRejected("target", problem)
    return spec


def owned(session: Session, account_id: int, subscription_id: int) -> Subscription:
    row = session.scalar(
        select(Subscription).where(Subscription.id == subscription_id, Subscription.account_id == account_id)
    )
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    return row


def list_owned(session: Session, account_id: int) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(Subscription.account_id == account_id)
                                .order_by(Subscription.id)))


def _check_name_free(session: Session, account_id: int, name: str, own_id: int | None = None) -> None:
    other = session.scalar(select(Subscription.id).where(Subscription.account_id == account_id,
                                                         Subscription.name == name))
    if other is not None and other != own_id:
        raise NameTaken(f"you have a subscription named {name!r} already")


def create(session: Session, account_id: int, spec: SubscriptionSpec) -> Subscription:
    """A new subscription with its webhook secret and feed token (the caller shows the secret once)."""
    _check_name_free(session, account_id, spec.name)
    row = Subscription(account_id=account_id, name=spec.name, webhook_secret=new_webhook_secret(),
                       feed_token=secrets.token_urlsafe(24))
    _copy(row, spec)
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: Subscription, changes: Mapping[str, Any], allowed_networks: Sequence[str]) -> Subscription:
    """Apply a partial edit, validated as a whole (a new target is checked like a new subscription's)."""
    merged = spec_of(row).model_dump() | dict(changes)
    spec = validate(merged, allowed_networks)
    _check_name_free(session, row.account_id or 0, spec.name, row.id)
    _copy(row, spec)
    session.flush()
    return row


def remove(session: Session, row: Subscription) -> None:
    """Delete the subscription with its alerts and deliveries (an account's history goes with it)."""
    alert_ids = select(Alert.id).where(Alert.subscription_id == row.id).scalar_subquery()
    session.execute(delete(Delivery).where(Delivery.alert_id.in_(alert_ids)))
    session.execute(delete(Alert).where(Alert.subscription_id == row.id))
    session.delete(row)
    session.flush()


def _copy(row: Subscription, spec: SubscriptionSpec) -> None:
    row.name, row.channel, row.target = spec.name, spec.channel, spec.target
    row.regions, row.keywords, row.topics = list(spec.regions), list(spec.keywords), list(spec.topics)
    row.change_kinds, row.ai_only, row.active = list(spec.change_kinds), spec.ai_only, spec.active
    apply_filters(row, spec)


@dataclass
class Preview:
    """How many stored documents the filters would have matched, among the newest ``scanned``."""

    matched: int = 0
    scanned: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)


def preview(session: Session, spec: SubscriptionSpec, *, scan: int = PREVIEW_SCAN, sample: int = 5) -> Preview:
    """Run the filters over the newest ``scan`` stored documents, as if each had just been published.

    The change-kind filter is set aside (a stored document is previewed as whatever kind the
    subscription wants); texts are read only when keywords need them.
    """
    result = Preview()
    kind = spec.change_kinds[0] if spec.change_kinds else "new"
    rows = session.execute(
        select(Document, DocumentVersion).join(DocumentVersion, DocumentVersion.id == Document.latest_version_id)
        .order_by(Document.id.desc()).limit(scan)
    )
    for document, version in rows:
        result.scanned += 1
        text = version.text if spec.keywords else ""
        reasons = match_reasons(spec, document, Change(kind=kind, summary={}), version.analysis or {}, text=text)
        if reasons is None:
            continue
        result.matched += 1
        if len(result.sample) < sample:
            result.sample.append({"document_id": document.id, "title": document.title, "reasons": reasons})
    return result


def trial_message(row: Subscription) -> RenderedAlert:
    """The message a test-send delivers: says what it is, carries the subscription's filters."""
    subject = f"【测试 Test】policywatch 订阅 {row.name}"
    text = (f"这是一条测试消息 (test message) for subscription “{row.name}”.\n"
            f"渠道 channel: {row.channel}\n收到即表示投递正常 — receiving it means delivery works.")
    payload = {"schema": "policywatch.alert/1", "subject": subject, "kind": "test", "kind_label": "测试 Test",
               "headline": "测试消息 test message", "subscription": {"name": row.name, "reasons": []}}
    return RenderedAlert(subject, text, f"<p>{html.escape(text)}</p>", payload,
                         f"policywatch-test-{row.id}-{secrets.token_hex(4)}", row.webhook_secret or "")
