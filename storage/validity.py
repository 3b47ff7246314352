"""Validity (时效性): whether a document is in force on a day, and which version was current then.

A document starts on its effective date, else its issue or publish date, else the first day of its
planning period; it ends on its expiry date or the last day of its planning period, whichever comes
first (深圳 2019–2023 lapses after 2023-12-31); it is superseded once a successor plan of its region
(``storage.relations`` ``succeeds``) has started. The same rule runs in Python (``validity``, for one
document) and in SQL (``in_force_condition``, for search and as-of lists), so a page and a search agree.

Statuses: 现行有效 in force, 即将失效 expiring (ends within N days), 已失效 expired, 已被替代 superseded,
尚未生效 not yet in force, 时效未知 unknown (no date at all). A version replaced by a later capture of the
same document is 已被修改 revised (``version_as_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import Document, DocumentRelation, DocumentVersion

IN_FORCE, EXPIRING, EXPIRED, SUPERSEDED, NOT_YET, UNKNOWN, REVISED = (
    "in_force", "expiring", "expired", "superseded", "not_yet", "unknown", "revised",
)
LABELS = {
    IN_FORCE: "现行有效", EXPIRING: "即将失效", EXPIRED: "已失效", SUPERSEDED: "已被替代",
    NOT_YET: "尚未生效", UNKNOWN: "时效未知", REVISED: "已被修改",
}
STATUSES = tuple(LABELS)
DEFAULT_EXPIRING_DAYS = 90


@dataclass(frozen=True)
class Validity:
    """A document's status on ``on``, with the dates it was derived from."""

    status: str
    on: date
    starts: date | None
    ends: date | None
    basis: str
    superseded_by: int | None = None
    days_left: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]


def starts(document: Document) -> date | None:
    day = document.effective_date or document.issue_date or document.publish_date
    if day is None and document.period_start:
        day = date(document.period_start, 1, 1)
    return day


def ends(document: Document) -> date | None:
    candidates = [document.expiry_date] if document.expiry_date else []
    if document.period_end:
        candidates.append(date(document.period_end, 12, 31))
    return min(candidates) if candidates else None


def _basis(document: Document) -> str:
    parts = []
    if document.effective_date:
        parts.append(f"施行 {document.effective_date}")
    elif document.issue_date or document.publish_date:
        parts.append(f"发布 {document.issue_date or document.publish_date}")
    if document.period_start or document.period_end:
        parts.append(f"规划期 {document.period_start or '?'}–{document.period_end or '?'}年")
    if document.expiry_date:
        parts.append(f"有效期至 {document.expiry_date}")
    return "；".join(parts)


def validity(document: Document, on: date, successors: list[tuple[int, date | None]] = (),  # type: ignore[assignment]
             expiring_days: int = DEFAULT_EXPIRING_DAYS) -> Validity:
    """The status of ``document`` on ``on``; ``successors`` are (id, start) of the plans that succeed it."""
    start, end, basis = starts(document), ends(document), _basis(document)
    # Superseded by a successor that started by then — while this one was still running (else: expired).
    started = sorted((s, i) for i, s in successors if s is not None and s <= on and (end is None or s <= end))
    if start is None and end is None:
        return Validity(UNKNOWN, on, None, None, basis or "无日期 no dates")
    if started:
        return Validity(SUPERSEDED, on, start, end, basis, superseded_by=started[-1][1])
    if start is not None and start > on:
        return Validity(NOT_YET, on, start, end, basis)
    if end is not None and end < on:
        return Validity(EXPIRED, on, start, end, basis)
    days_left = (end - on).days if end is not None else None
    status = EXPIRING if days_left is not None and days_left <= expiring_days else IN_FORCE
    return Validity(status, on, start, end, basis, days_left=days_left)


def successors_of(session: Session, document_id: int) -> list[tuple[int, date | None]]:
    """(id, start) of every stored plan that succeeds the document."""
    rows = session.scalars(
        select(Document)
        .join(DocumentRelation, DocumentRelation.from_document_id == Document.id)
        .where(DocumentRelation.kind == "succeeds", DocumentRelation.to_document_id == document_id)
    ).all()
    return [(doc.id, starts(doc)) for doc in rows]


def validity_of(session: Session, document: Document, on: date | None = None,
                expiring_days: int = DEFAULT_EXPIRING_DAYS) -> Validity:
    return validity(document, on or date.today(), successors_of(session, document.id), expiring_days)


def _start_condition(doc: type[Document] | Document, on: date) -> ColumnElement[bool]:
    dated = func.coalesce(doc.effective_date, doc.issue_date, doc.publish_date)
    return or_(dated <= on, and_(dated.is_(None), doc.period_start <= on.year))  # type: ignore[arg-type]


def in_force_condition(on: date) -> ColumnElement[bool]:
    """SQL for "in force on ``on``" over ``documents`` (current or expiring, not superseded)."""
    successor = aliased(Document)
    superseded = exists(
        select(DocumentRelation.id)
        .join(successor, successor.id == DocumentRelation.from_document_id)
        .where(
            DocumentRelation.kind == "succeeds",
            DocumentRelation.to_document_id == Document.id,
            _start_condition(successor, on),  # type: ignore[arg-type]
        )
    )
    return and_(
        _start_condition(Document, on),
        or_(Document.expiry_date.is_(None), Document.expiry_date >= on),
        or_(Document.period_end.is_(None), Document.period_end >= on.year),
        ~superseded,
    )


@dataclass(frozen=True)
class VersionAsOf:
    """The version current on a day; ``exact`` is False when the first capture came after that day
    (the document was issued by then, but policywatch had not seen it yet)."""

    version: DocumentVersion
    exact: bool
    replaced_by: int | None


def version_as_of(session: Session, document: Document, on: date) -> VersionAsOf | None:
    """The text of the document as it stood on ``on``: the last version captured by the end of that day.

    None when the document had not been issued by then.
    """
    end_of_day = datetime.combine(on + timedelta(days=1), time.min, tzinfo=UTC)
    versions = session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id).order_by(DocumentVersion.seq)
    ).all()
    if not versions:
        return None
    current = [v for v in versions if _aware(v.fetched_at) < end_of_day]
    if current:
        chosen = current[-1]
        later = [v for v in versions if v.seq > chosen.seq]
        return VersionAsOf(chosen, True, later[0].id if later else None)
    start = starts(document)
    if start is None or start > on:
        return None
    return VersionAsOf(versions[0], False, versions[1].id if len(versions) > 1 else None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
