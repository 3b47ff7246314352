"""Lifecycle alerts: a plan about to lapse (即将失效), lapsed (已失效), or replaced by a successor (已被替代).

A plan's expiry date is extracted (闵行: 有效期至2021年9月30日) and its period known (深圳 2019–2023),
but nobody is told before it lapses unless something looks. ``check_lifecycle`` runs on a schedule
(the daemon's ``lifecycle`` job, every ``alerts.lifecycle_check_minutes``) and records each event as
a change row of kind ``expiring``, ``expired`` or ``superseded``, then creates its alerts in the same
transaction, like the alert stage does for crawled changes:

- **expiring**: the document ends (``storage.validity.ends``: expiry date or end of period) within
  ``alerts.expiry_notice_days`` days of today (local date, ``alerts.timezone``);
- **expired**: its end has passed, and it ended while we watched it (ended on or after the day it was
  first stored) — an archive filled with old plans does not page anyone for each;
- **superseded**: a later plan of the same region and genre (a ``succeeds`` relation) was stored after
  it; the alert sets both plans' targets side by side.

Each event is raised once: its change has a dedup key naming the document, the kind and what it is
about (the end date, the successor), so a second check — or a second daemon — finds it recorded.
Lifecycle changes are not published on the bus (``published_at`` is set at once): their alerts are
written here, and the deliverer sends them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alerts.render import KIND_LABELS
from alerts.service import create_alerts
from storage import relations as rel
from storage.documents import add_change
from storage.models import Change, Document, DocumentVersion
from storage.validity import ends

log = logging.getLogger(__name__)

EXPIRING, EXPIRED, SUPERSEDED = "expiring", "expired", "superseded"
LIFECYCLE_KINDS = (EXPIRING, EXPIRED, SUPERSEDED)


@dataclass(frozen=True)
class LifecycleEvent:
    """One lifecycle event of one document, with the key that makes it happen once."""

    document_id: int
    kind: str
    dedup_key: str
    summary: dict[str, Any]


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day at ``now`` where the subscribers live (Asia/Shanghai by default)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def find_events(session: Session, today: date, notice_days: int) -> Iterator[LifecycleEvent]:
    """Every lifecycle event due today, recorded or not (the caller skips those already recorded)."""
    horizon = today + timedelta(days=notice_days)
    # Only documents ending by the horizon can have an event today (the rest are read on a later day).
    dated = select(Document).where(
        Document.status == "active", or_(Document.expiry_date <= horizon, Document.period_end <= horizon.year)
    )
    for document in session.scalars(dated.order_by(Document.id)):
        end = ends(document)
        if end is None:
            continue
        days_left = (end - today).days
        first_seen = document.first_seen.date()
        if 0 <= days_left <= notice_days:
            yield _event(document, EXPIRING, end.isoformat(),
                         f"即将失效：《{document.title}》将于{end.isoformat()}失效（还有{days_left}天）",
                         {"ends": end.isoformat(), "days_left": days_left})
        elif days_left < 0 and end >= first_seen:
            yield _event(document, EXPIRED, end.isoformat(),
                         f"已失效：《{document.title}》已于{end.isoformat()}失效",
                         {"ends": end.isoformat(), "days_left": days_left})
    yield from _superseded(session)


def _superseded(session: Session) -> Iterator[LifecycleEvent]:
    for relation in rel.all_relations(session, rel.SUCCEEDS):
        documents = rel.documents_by_id(session, [relation.from_document_id, relation.to_document_id])
        successor, predecessor = documents.get(relation.from_document_id), documents.get(relation.to_document_id or -1)
        if successor is None or predecessor is None or predecessor.status != "active":
            continue
        if _aware(successor.first_seen) <= _aware(predecessor.first_seen):
            continue  # stored together or before: history, not news
        side_by_side = {
            "document_id": successor.id,
            "title": successor.title,
            "headline": (relation.detail or {}).get("headline", ""),
            "targets": list((relation.detail or {}).get("targets") or []),
        }
        yield _event(predecessor, SUPERSEDED, successor.key,
                     f"已被替代：《{predecessor.title}》由《{successor.title}》接替",
                     {"successor_id": successor.id, "successor_title": successor.title},
                     successors=[side_by_side])


def _event(document: Document, kind: str, about: str, headline: str, details: dict[str, Any],
           **extra: Any) -> LifecycleEvent:
    lifecycle = {"status": kind, "label": KIND_LABELS[kind], **details}
    summary = {
        "headline": headline,
        "lifecycle": lifecycle,
        "significance": {"grade": "major", "label": "重大 major",
                         "reasons": [f"{KIND_LABELS[kind]}：{headline.split('：', 1)[-1]}"]},
        **extra,
    }
    return LifecycleEvent(document.id, kind, f"{document.key}:lifecycle:{kind}:{about}", summary)


def check_lifecycle(session: Session, now: datetime, *, timezone: str, notice_days: int, base_url: str) -> list[Change]:
    """Record the lifecycle events due at ``now`` that are not recorded yet, with their alerts; never commits."""
    today = local_today(now, timezone)
    raised: list[Change] = []
    for event in find_events(session, today, notice_days):
        if session.scalars(select(Change.id).where(Change.dedup_key == event.dedup_key)).first() is not None:
            continue
        document = session.get_one(Document, event.document_id)
        latest = session.get(DocumentVersion, document.latest_version_id) if document.latest_version_id else None
        change = add_change(session, document, event.kind, event.dedup_key, event.summary, latest)
        change.detected_at = now
        # Never on the bus: its alerts are written right here (so the relay has nothing to publish again).
        change.published_at = now
        create_alerts(session, change, base_url)
        change.alerted_at = now
        raised.append(change)
        log.info("lifecycle: %s for document %s (%s)", event.kind, document.id, event.dedup_key)
    return raised


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
