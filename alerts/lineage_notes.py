"""One-line lineage notes for alerts: "柳州市 2020 沿用 reuses 33% of 深圳市 2019 …".

An analyst reading an alert about a plan wants to know at once that much of it was copied from
another region's earlier plan (or that a later plan copied it). The notes are read from the stored
``borrows`` relations (``storage.relations``), on both sides, strongest first.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import relations as rel
from storage.models import Document

MAX_NOTES = 3
# Below this share of one document found in the other, shared text is boilerplate, not lineage.
MIN_SHARE = 0.1
PASSAGE_CHARS = 30


def place_and_year(document: Document) -> str:
    """深圳市 2019: the most local place name and the year it was issued (else its period start)."""
    place = document.district or document.city or document.province or "?"
    day = document.issue_date or document.publish_date or document.effective_date
    year = day.year if day else document.period_start
    return f"{place} {year}" if year else place


def lineage_notes(session: Session, document_id: int) -> list[str]:
    """Notes on the documents this one borrows from and those that borrow from it."""
    document = session.get(Document, document_id)
    if document is None:
        return []
    found: list[tuple[float, str]] = []
    for row in rel.outgoing(session, document_id, rel.BORROWS):
        if row.to_document_id is None or (row.share or 0) < MIN_SHARE:
            continue
        source = session.get(Document, row.to_document_id)
        if source is not None:
            found.append((row.share or 0, _note(document, source, row.share or 0, row.detail)))
    for row in rel.incoming(session, document_id, rel.BORROWS):
        if (row.share or 0) < MIN_SHARE:
            continue
        borrower = session.get(Document, row.from_document_id)
        if borrower is not None:
            found.append((row.share or 0, _note(borrower, document, row.share or 0, row.detail)))
    return [note for _, note in sorted(found, key=lambda item: -item[0])[:MAX_NOTES]]


def _note(borrower: Document, source: Document, share: float, detail: dict[str, object]) -> str:
    note = (f"{place_and_year(borrower)} 沿用 reuses {round(share * 100)}% of {place_and_year(source)}"
            f"《{source.title}》")
    passages = detail.get("passages") if isinstance(detail, dict) else None
    if isinstance(passages, list) and passages:
        passage = " ".join(str(passages[0]).split()).strip("。，,；; ")
        note += f"，如「{passage[:PASSAGE_CHARS]}{'…' if len(passage) > PASSAGE_CHARS else ''}」"
    return note
