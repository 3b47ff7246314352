"""Daily and weekly digests: one message per subscriber listing what happened since the last one.

A subscription with ``digest = "daily"`` (or ``"weekly"`` on ``digest_weekday``) gets no alert per
change: the alert stage files each matching change as a DigestItem (``alerts.service``). At the
subscriber's local ``digest_hour`` (``alerts.timezone``, Asia/Shanghai by default) the digest job
(``send_digests``, run by the daemon every few minutes) takes the items not yet sent and writes ONE
alert listing them, with its delivery, in one transaction:

- **never a change twice**: an item is marked with the digest alert that carried it (``alert_id``) in
  the transaction that creates that alert; a subscription's slot is claimed with a conditional UPDATE
  of ``last_digest_at``, so two daemons running the job at once send one digest;
- **no empty digests**: a slot with no pending items is marked done and sends nothing;
- a digest missed while the daemon was down goes out at the next run, once, with everything pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from alerts.render import build_payload, render_digest_text
from alerts.service import DIGEST_SCHEDULES, version_of
from alerts.templating import DIGEST_SCHEMA
from storage.models import Alert, Change, Delivery, DigestItem, Document, Subscription

log = logging.getLogger(__name__)

PERIOD_LABELS = {"daily": "每日摘要 Daily digest", "weekly": "每周摘要 Weekly digest"}


@dataclass(frozen=True)
class DigestSlot:
    """The latest scheduled moment of a subscription's digest at or before now."""

    subscription_id: int
    at: datetime


def latest_slot(sub: Subscription, now: datetime, timezone: str) -> datetime:
    """The most recent digest moment (digest_hour local time; for weekly, on digest_weekday) at or before now."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    day = local.date()
    candidate = datetime.combine(day, time(sub.digest_hour), zone)
    if candidate > local:
        day -= timedelta(days=1)
    if sub.digest == "weekly":
        day -= timedelta(days=(day.weekday() - sub.digest_weekday) % 7)
    return datetime.combine(day, time(sub.digest_hour), zone).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def due_slots(session: Session, now: datetime, timezone: str) -> list[DigestSlot]:
    """Digest subscriptions whose latest slot has not been handled (nor was before they existed)."""
    slots = []
    subscriptions = session.scalars(
        select(Subscription).where(
            Subscription.digest.in_(DIGEST_SCHEDULES), Subscription.active.is_(True),
            Subscription.unsubscribed_at.is_(None),
        ).order_by(Subscription.id)
    )
    for sub in subscriptions:
        slot = latest_slot(sub, now, timezone)
        handled = _aware(sub.last_digest_at or sub.created_at)
        if slot > handled:
            slots.append(DigestSlot(sub.id, slot))
    return slots


def send_digests(session: Session, now: datetime, *, timezone: str, base_url: str) -> list[Alert]:
    """Write the digests due at ``now``, one alert and one pending delivery each; never commits."""
    written = []
    for slot in due_slots(session, now, timezone):
        claimed = session.execute(
            update(Subscription)
            .where(Subscription.id == slot.subscription_id,
                   or_(Subscription.last_digest_at.is_(None), Subscription.last_digest_at < slot.at))
            .values(last_digest_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue  # another run took this slot
        sub = session.get_one(Subscription, slot.subscription_id, populate_existing=True)
        alert = _digest(session, sub, now, timezone, base_url)
        if alert is not None:
            written.append(alert)
    return written


def _digest(session: Session, sub: Subscription, now: datetime, timezone: str, base_url: str) -> Alert | None:
    items = session.scalars(
        select(DigestItem).where(DigestItem.subscription_id == sub.id, DigestItem.alert_id.is_(None))
        .order_by(DigestItem.change_id)
    ).all()
    if not items:
        log.info("digest of %s: nothing since the last one; none sent", sub.name)
        return None
    payload = digest_payload(session, sub, items, now, timezone, base_url)
    alert = Alert(change_id=items[-1].change_id, subscription_id=sub.id, subject=payload["subject"],
                  body=render_digest_text(payload), payload=payload, account_id=sub.account_id)
    session.add(alert)
    session.flush()
    session.add(Delivery(alert_id=alert.id, channel=sub.channel, target=sub.target, account_id=sub.account_id))
    for item in items:
        item.alert_id = alert.id
    session.flush()
    log.info("digest of %s: %d changes in alert %s", sub.name, len(items), alert.id)
    return alert


def digest_payload(session: Session, sub: Subscription, items: list[DigestItem], now: datetime,
                   timezone: str, base_url: str) -> dict[str, Any]:
    """The digest as one payload: each change as its own alert payload would describe it."""
    entries = []
    for item in items:
        change = session.get_one(Change, item.change_id)
        document = session.get_one(Document, change.document_id)
        version = version_of(session, change, document)
        entries.append(build_payload(document, change, version, base_url, subscription=sub.name, reasons=item.reasons))
    day = now.astimezone(ZoneInfo(timezone)).date().isoformat()
    label = PERIOD_LABELS.get(sub.digest, "摘要 Digest")
    return {
        "schema": DIGEST_SCHEMA,
        "subject": f"【{label}】{day}：{len(entries)}项变化 {len(entries)} changes",
        "period": sub.digest,
        "date": day,
        "subscription": {"name": sub.name, "reasons": []},
        "base_url": base_url.rstrip("/"),
        "entries": entries,
    }

