"""Relations between stored documents, kept as rows that read the same from both sides.

Three kinds, each a row from one document to another:

- ``borrows``  the later document reuses text of the earlier one (share both ways, aligned passages);
- ``cites``    a document names another by 文号 or title; ``to_document_id`` stays None until the named
               document is stored, and is filled in when it arrives (``resolve_citations_naming``);
- ``succeeds`` a region's plan follows an earlier plan of the same region.

The store stage computes relations (``consumers.relations``) and writes them here in the transaction that
stores the version. Every write replaces what it recomputes, so the rows depend on which documents are
stored, never on the order they arrived in. Functions take a Session and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from storage.models import Document, DocumentKey, DocumentRelation
from zhtext.docnumbers import doc_number_key
from zhtext.titles import title_key

BORROWS, CITES, SUCCEEDS = "borrows", "cites", "succeeds"
KINDS = (BORROWS, CITES, SUCCEEDS)
BY_NUMBER, BY_TITLE = "文号", "title"
MAX_KEY = 300


@dataclass(frozen=True)
class CitationRef:
    """One citation as the analysis found it: the title printed in 《》 and/or the 文号."""

    title: str | None
    doc_number: str | None

    @property
    def number_key(self) -> str | None:
        return doc_number_key(self.doc_number)

    @property
    def title_key(self) -> str | None:
        return title_key(self.title)[:MAX_KEY] or None

    @property
    def key(self) -> str:
        """What tells this citation apart from the document's other citations."""
        return (f"{BY_NUMBER}:{self.number_key}" if self.number_key else f"{BY_TITLE}:{self.title_key}")[:MAX_KEY]


def document_keys(doc_number: str | None, titles: Iterable[str | None]) -> set[tuple[str, str]]:
    """(kind, key) pairs a citation may name a document by: its 文号 and each of its titles."""
    keys: set[tuple[str, str]] = set()
    number = doc_number_key(doc_number)
    if number:
        keys.add((BY_NUMBER, number))
    for title in titles:
        key = title_key(title)[:MAX_KEY]
        if len(key) >= 4:  # shorter titles (通知) name nothing in particular
            keys.add((BY_TITLE, key))
    return keys


def replace_keys(session: Session, document_id: int, keys: set[tuple[str, str]]) -> None:
    session.execute(delete(DocumentKey).where(DocumentKey.document_id == document_id))
    session.add_all(DocumentKey(document_id=document_id, kind=kind, key=key) for kind, key in sorted(keys))
    session.flush()


# -- citations -------------------------------------------------------------------------------------------

def replace_citations(session: Session, document_id: int, citations: Iterable[CitationRef]) -> None:
    """Rewrite a document's outgoing citations and resolve each against the documents stored now."""
    session.execute(
        delete(DocumentRelation).where(
            DocumentRelation.kind == CITES, DocumentRelation.from_document_id == document_id
        )
    )
    seen: set[str] = set()
    for citation in citations:
        if not (citation.number_key or citation.title_key) or citation.key in seen:
            continue
        seen.add(citation.key)
        row = DocumentRelation(
            kind=CITES, from_document_id=document_id, key=citation.key, cited_title=citation.title,
            cited_doc_number=(citation.doc_number or None) and citation.doc_number[:120],
            number_key=citation.number_key, title_key=citation.title_key, directed=True, detail={},
        )
        session.add(row)
        _resolve(session, row)
    session.flush()


def resolve_citations_naming(session: Session, document_id: int) -> int:
    """Re-resolve every citation that names this document's keys or points at it now; returns the count.

    Called after a document's keys are written, so a citation stored before the document arrived
    resolves, and one whose target's 文号 or title changed is re-examined.
    """
    keys = session.execute(select(DocumentKey.kind, DocumentKey.key).where(DocumentKey.document_id == document_id))
    numbers, titles = set(), set()
    for kind, key in keys:
        (numbers if kind == BY_NUMBER else titles).add(key)
    conditions = [DocumentRelation.to_document_id == document_id]
    if numbers:
        conditions.append(DocumentRelation.number_key.in_(numbers))
    if titles:
        conditions.append(DocumentRelation.title_key.in_(titles))
    rows = session.scalars(
        select(DocumentRelation).where(DocumentRelation.kind == CITES, or_(*conditions))
    ).all()
    for row in rows:
        _resolve(session, row)
    session.flush()
    return len(rows)


def _resolve(session: Session, row: DocumentRelation) -> None:
    """Point a citation at the stored document it names: by 文号 first, else by title.

    Several candidates (a title reused by two regions) resolve to the one with the smallest document key,
    a hash of its URL, so the answer does not depend on arrival order.
    """
    target, method = None, ""
    for kind, key in ((BY_NUMBER, row.number_key), (BY_TITLE, row.title_key)):
        if not key:
            continue
        target = session.scalar(
            select(Document.id)
            .join(DocumentKey, DocumentKey.document_id == Document.id)
            .where(DocumentKey.kind == kind, DocumentKey.key == key, Document.id != row.from_document_id)
            .order_by(Document.key)
            .limit(1)
        )
        if target is not None:
            method = kind
            break
    if (row.to_document_id, row.method) != (target, method):
        row.to_document_id, row.method = target, method
        row.updated_at = datetime.now(UTC)


# -- document pairs (borrows, succeeds) -----------------------------------------------------------------

@dataclass(frozen=True)
class PairRelation:
    """A computed relation between two stored documents, ready to write."""

    kind: str
    from_id: int
    to_id: int
    share: float | None = None
    reverse_share: float | None = None
    directed: bool = True
    score: float | None = None
    method: str = ""
    detail: dict[str, Any] | None = None


def replace_pair_relations(session: Session, kind: str, document_id: int, relations: Sequence[PairRelation]) -> None:
    """Replace every ``kind`` relation the document takes part in, on either side, with ``relations``."""
    session.execute(
        delete(DocumentRelation).where(
            DocumentRelation.kind == kind,
            or_(DocumentRelation.from_document_id == document_id, DocumentRelation.to_document_id == document_id),
        )
    )
    now = datetime.now(UTC)
    for rel in relations:
        session.add(
            DocumentRelation(
                kind=kind, from_document_id=rel.from_id, to_document_id=rel.to_id, key=f"doc:{rel.to_id}",
                method=rel.method, share=rel.share, reverse_share=rel.reverse_share, directed=rel.directed,
                score=rel.score, detail=rel.detail or {}, updated_at=now,
            )
        )
    session.flush()


# -- reading --------------------------------------------------------------------------------------------

def outgoing(session: Session, document_id: int, kind: str) -> Sequence[DocumentRelation]:
    """Relations of ``kind`` from this document (what it borrows, cites, succeeds)."""
    return session.scalars(
        select(DocumentRelation)
        .where(DocumentRelation.kind == kind, DocumentRelation.from_document_id == document_id)
        .order_by(DocumentRelation.id)
    ).all()


def incoming(session: Session, document_id: int, kind: str) -> Sequence[DocumentRelation]:
    """Relations of ``kind`` to this document (who borrows from it, cites it, succeeds it)."""
    return session.scalars(
        select(DocumentRelation)
        .where(DocumentRelation.kind == kind, DocumentRelation.to_document_id == document_id)
        .order_by(DocumentRelation.id)
    ).all()


def all_relations(session: Session, kind: str | None = None) -> Sequence[DocumentRelation]:
    query = select(DocumentRelation).order_by(DocumentRelation.id)
    if kind is not None:
        query = query.where(DocumentRelation.kind == kind)
    return session.scalars(query).all()


def documents_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, Document]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(wanted)))}
