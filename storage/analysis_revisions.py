"""What a re-analysis changed in a stored version's analysis (``policywatch reanalyze``).

A new analyser reads the same text differently; that is not a change of the document, so it makes no
version, no change and no alert. It is kept here instead, one row per version and analyser version,
so an operator can see what an upgrade moved (and a question about an old alert can be answered with
the analysis the alert was sent with).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, utcnow


class AnalysisRevision(Base):
    """The fields of one version's analysis that one analyser version changed, with old and new values."""

    __tablename__ = "analysis_revisions"
    __table_args__ = (UniqueConstraint("version_id", "analyser_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    analyser_version: Mapped[str] = mapped_column(String(64))
    fields: Mapped[list[Any]] = mapped_column(default=list)
    old: Mapped[dict[str, Any]] = mapped_column(default=dict)
    new: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_revision(
    session: Session, version_id: int, document_id: int, analyser_version: str,
    old: dict[str, Any], new: dict[str, Any],
) -> AnalysisRevision:
    """Record (or, for the same analyser version, widen) what changed in a version's analysis."""
    row = session.scalars(
        select(AnalysisRevision).where(
            AnalysisRevision.version_id == version_id, AnalysisRevision.analyser_version == analyser_version
        )
    ).one_or_none()
    if row is None:
        row = AnalysisRevision(version_id=version_id, document_id=document_id, analyser_version=analyser_version)
        session.add(row)
    row.old = {**old, **(row.old or {})}  # the first old value seen is the one before the upgrade
    row.new = {**(row.new or {}), **new}
    row.fields = sorted(row.new)
    session.flush()
    return row


def revisions_of(session: Session, version_id: int) -> list[AnalysisRevision]:
    query = select(AnalysisRevision).where(AnalysisRevision.version_id == version_id).order_by(AnalysisRevision.id)
    return list(session.scalars(query))
