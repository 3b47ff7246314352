"""What operators do with deliveries: list them by status, and re-send the failed ones (never a sent one).

Used by ``policywatch deliveries list|retry`` and ``/api/deliveries``. Functions take a Session and never
commit: the command or the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.delivery import STATUSES, as_utc, utc_now
from storage.models import Delivery, Subscription

__all__ = ["STATUSES", "DeliveryView", "RetryReport", "delivery_counts", "list_deliveries", "retry_deliveries"]


@dataclass
class RetryReport:
    """What an operator's retry did, per delivery id."""

    requeued: list[int] = field(default_factory=list)
    already_sent: list[int] = field(default_factory=list)
    not_failed: list[int] = field(default_factory=list)  # pending or sending: already on its way
    unknown: list[int] = field(default_factory=list)


def retry_deliveries(
    session: Session, ids: Sequence[int] = (), *, all_failed: bool = False, now: datetime | None = None
) -> RetryReport:
    """Make failed deliveries due now with a fresh schedule (target re-read from the subscription, in
    case the operator fixed it). Sent deliveries are never touched; never commits."""
    now = now or utc_now()
    report = RetryReport()
    query = select(Delivery).order_by(Delivery.id)
    query = query.where(Delivery.status == "failed") if all_failed else query.where(Delivery.id.in_(list(ids)))
    found = {d.id: d for d in session.scalars(query.with_for_update())}
    for delivery_id in (sorted(found) if all_failed else ids):
        delivery = found.get(delivery_id)
        if delivery is None:
            report.unknown.append(delivery_id)
        elif delivery.status == "sent":
            report.already_sent.append(delivery_id)
        elif delivery.status != "failed":
            report.not_failed.append(delivery_id)
        else:
            subscription = session.get(Subscription, delivery.alert.subscription_id)
            if subscription is not None:
                delivery.channel, delivery.target = subscription.channel, subscription.target
            delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
            delivery.first_attempt_at = delivery.lease_until = None
            report.requeued.append(delivery_id)
    session.flush()
    return report


@dataclass(frozen=True)
class DeliveryView:
    """One delivery as the operator sees it (CLI and API)."""

    id: int
    alert_id: int
    subject: str
    subscription: str
    channel: str
    target: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    sent_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {
            k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
        }


def list_deliveries(
    session: Session, statuses: Sequence[str] = (), limit: int = 100, offset: int = 0
) -> list[DeliveryView]:
    """Deliveries, newest first, optionally of some statuses only."""
    query = select(Delivery).order_by(Delivery.id.desc()).limit(limit).offset(offset)
    if statuses:
        query = query.where(Delivery.status.in_(list(statuses)))
    views = []
    for d in session.scalars(query):
        subscription = session.get(Subscription, d.alert.subscription_id)
        views.append(DeliveryView(
            d.id, d.alert_id, d.alert.subject, subscription.name if subscription else "", d.channel, d.target,
            d.status, d.attempts, d.last_error, d.next_attempt_at if d.status == "pending" else None,
            d.last_attempt_at, d.sent_at,
        ))
    return views


def delivery_counts(session: Session) -> dict[str, int]:
    """How many deliveries are in each status."""
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    return {status: int(count) for status, count in rows}
