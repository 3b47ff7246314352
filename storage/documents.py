"""Queries on documents, versions and changes. Functions take a Session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Change, Document, DocumentVersion


def document_by_key(session: Session, key: str) -> Document | None:
    return session.scalars(select(Document).where(Document.key == key)).one_or_none()


def latest_version(session: Session, document: Document) -> DocumentVersion | None:
    if document.latest_version_id is None:
        return None
    return session.get(DocumentVersion, document.latest_version_id)


def add_version(session: Session, document: Document, **fields: Any) -> DocumentVersion:
    """Append the next version of ``document`` and make it the latest."""
    current = session.scalar(
        select(func.max(DocumentVersion.seq)).where(DocumentVersion.document_id == document.id)
    )
    version = DocumentVersion(document_id=document.id, seq=(current or 0) + 1, **fields)
    session.add(version)
    session.flush()
    document.latest_version_id = version.id
    return version


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def apply_analysis(document: Document, title: str, analysis: dict[str, Any]) -> None:
    """Copy the searchable metadata of the newest analysis onto the document row."""
    region = analysis.get("region") or {}
    ai = analysis.get("ai") or {}
    document.title = title
    document.doc_number = analysis.get("doc_number")
    document.issuers = list(analysis.get("issuers") or [])
    document.province = region.get("province")
    document.city = region.get("city")
    document.district = region.get("district")
    document.region_code = region.get("code")
    document.admin_level = analysis.get("admin_level")
    document.doc_type = analysis.get("doc_type")
    document.ai_label = ai.get("label")
    document.ai_score = ai.get("score")
    document.topics = list(ai.get("topics") or [])
    document.issue_date = _parse_date(analysis.get("issue_date"))
    document.publish_date = _parse_date(analysis.get("publish_date"))
    document.effective_date = _parse_date(analysis.get("effective_date"))
    document.expiry_date = _parse_date(analysis.get("expiry_date"))
    period = analysis.get("period") or {}
    document.period_start = _year(period.get("start"))
    document.period_end = _year(period.get("end"))


def _year(value: object) -> int | None:
    try:
        year = int(str(value)[:4]) if value else None
    except ValueError:
        return None
    return year if year and 1900 <= year <= 2200 else None


def add_change(
    session: Session,
    document: Document,
    kind: str,
    dedup_key: str,
    summary: dict[str, Any],
    version: DocumentVersion | None = None,
    previous: DocumentVersion | None = None,
) -> Change:
    """Record a change once: an existing change with the same dedup key is returned instead."""
    existing = session.scalars(select(Change).where(Change.dedup_key == dedup_key)).one_or_none()
    if existing is not None:
        return existing
    change = Change(
        dedup_key=dedup_key,
        document_id=document.id,
        version_id=version.id if version else None,
        previous_version_id=previous.id if previous else None,
        kind=kind,
        summary=summary,
    )
    session.add(change)
    session.flush()
    return change


def unpublished_changes(session: Session, document_id: int | None = None) -> Sequence[Change]:
    """The outbox: changes whose event the broker has not acknowledged yet, oldest first."""
    query = select(Change).where(Change.published_at.is_(None)).order_by(Change.id)
    if document_id is not None:
        query = query.where(Change.document_id == document_id)
    return session.scalars(query).all()


def unalerted_changes(session: Session, published_before: datetime) -> Sequence[Change]:
    """Changes the broker acknowledged before ``published_before`` that the alert stage never handled."""
    query = select(Change).where(
        Change.alerted_at.is_(None), Change.published_at.is_not(None), Change.published_at <= published_before
    )
    return session.scalars(query.order_by(Change.id)).all()


def active_documents_of_source(session: Session, source_id: str) -> Sequence[Document]:
    return session.scalars(
        select(Document).where(Document.source_id == source_id, Document.status == "active")
    ).all()


def regional_candidates(session: Session, region_code: str | None, exclude_id: int) -> list[dict[str, Any]]:
    """Earlier documents of the same region as plain dicts (for predecessor comparison)."""
    if not region_code:
        return []
    rows = session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.id == Document.latest_version_id)
        .where(Document.region_code == region_code, Document.id != exclude_id)
        .order_by(Document.id)
    ).all()
    return [candidate_row(doc, version) for doc, version in rows]


def candidate_row(document: Document, version: DocumentVersion) -> dict[str, Any]:
    """A stored document as the predecessor comparison reads it (its analysis nested)."""
    return {
        "document_id": document.id,
        "title": document.title,
        "doc_type": document.doc_type,
        "issue_date": document.issue_date.isoformat() if document.issue_date else None,
        "analysis": version.analysis,
    }


def lineage_entries(session: Session) -> Sequence[tuple[int, int, str | None]]:
    """(document id, latest version id, region code) of every active document — no texts loaded."""
    rows = session.execute(
        select(Document.id, Document.latest_version_id, Document.region_code).where(
            Document.status == "active", Document.latest_version_id.is_not(None)
        )
    ).all()
    return [(doc_id, version_id, region) for doc_id, version_id, region in rows]


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of a document, as listed by ``policywatch versions``."""

    id: int
    seq: int
    fetched_at: datetime
    content_hash: str
    body_sha256: str
    title: str
    chars: int
    warc_record: str
    latest: bool = field(default=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fetched_at"] = self.fetched_at.isoformat()
        return data


def version_history(session: Session, document_id: int) -> list[VersionInfo] | None:
    """Every version ever stored for a document, oldest first; None when the document does not exist."""
    document = session.get(Document, document_id)
    if document is None:
        return None
    v = DocumentVersion
    rows = session.execute(
        select(v.id, v.seq, v.fetched_at, v.content_hash, v.body_sha256, v.title,
               func.length(v.text).label("chars"), v.warc_record)
        .where(v.document_id == document_id)
        .order_by(v.seq)
    ).all()
    return [
        VersionInfo(id=r.id, seq=r.seq, fetched_at=r.fetched_at, content_hash=r.content_hash,
                    body_sha256=r.body_sha256, title=r.title, chars=r.chars or 0, warc_record=r.warc_record,
                    latest=r.id == document.latest_version_id)
        for r in rows
    ]
