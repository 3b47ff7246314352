"""Recording every relation a newly stored version takes part in, on both sides.

When a version is stored, its document's relations are recomputed against everything stored now:

- citations: its own citations resolve against stored documents (by 文号, else by title), and citations
  stored earlier that name it resolve to it (``storage.relations.resolve_citations_naming``);
- lineage: text shared with every candidate of the lineage index, measured exactly in both directions,
  the borrower being the later-issued document;
- succession: it is compared as a successor with the region's earlier plans *and* as a predecessor
  with the region's later plans.

Each comparison is pairwise and exact, and the direction comes from the documents' dates, so the rows
are the same whatever order the documents arrived in (tests/consumers/test_relations.py stores the seeds
in several orders). The computations live in ``consumers.diffing``; the rows in ``storage.relations``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from consumers.diffing.lineage import MIN_SHARE, LineageIndex, shared_text
from consumers.diffing.predecessors import find_predecessors
from storage import documents as repo
from storage import relations as rel
from storage.models import Document, DocumentVersion

log = logging.getLogger(__name__)


def record_relations(session: Session, document: Document, version: DocumentVersion, lineage: LineageIndex) -> None:
    """Recompute and write the document's citations, lineage and succession (``lineage`` must be synced)."""
    _record_citations(session, document, version.analysis or {})
    _record_lineage(session, document, version, lineage)
    _record_succession(session, document, version)


def _record_citations(session: Session, document: Document, analysis: dict[str, Any]) -> None:
    keys = rel.document_keys(document.doc_number, (document.title, analysis.get("notice_title")))
    rel.replace_keys(session, document.id, keys)
    citations = [
        rel.CitationRef(title=c.get("title") or None, doc_number=c.get("doc_number") or None)
        for c in analysis.get("citations") or []
        if isinstance(c, dict)
    ]
    rel.replace_citations(session, document.id, citations)
    resolved = rel.resolve_citations_naming(session, document.id)
    if resolved:
        log.debug("document %d: %d citations naming it re-resolved", document.id, resolved)


def issued(document: Document) -> tuple[date | None, int | None]:
    return document.issue_date or document.publish_date, document.period_start


def issue_order(a: Document, b: Document) -> int:
    """-1 when ``a`` was issued first, 1 when ``b`` was, 0 when the dates cannot tell."""
    (a_day, a_year), (b_day, b_year) = issued(a), issued(b)
    if a_day and b_day and a_day != b_day:
        return -1 if a_day < b_day else 1
    if a_year and b_year and a_year != b_year:
        return -1 if a_year < b_year else 1
    a_y = a_day.year if a_day else a_year
    b_y = b_day.year if b_day else b_year
    if a_y and b_y and a_y != b_y:
        return -1 if a_y < b_y else 1
    return 0


def _record_lineage(session: Session, document: Document, version: DocumentVersion, lineage: LineageIndex) -> None:
    own_sketch = lineage.sketch(document.id)
    found: list[rel.PairRelation] = []
    if own_sketch is not None:
        for other_id in lineage.candidates(version.text):
            other, other_sketch = session.get(Document, other_id), lineage.sketch(other_id)
            other_version = repo.latest_version(session, other) if other is not None else None
            if other is None or other_id == document.id or other_version is None or other_sketch is None:
                continue
            shared = shared_text(document.id, version.text, own_sketch, other.id, other_version.text, other_sketch)
            if shared.largest < MIN_SHARE:
                continue
            order = issue_order(document, other)
            if order == 0:  # undated: the side with more of its text in the other is the borrower
                mine, theirs = shared.a_in_b.share, shared.b_in_a.share
                order = 1 if (mine, other.key) > (theirs, document.key) else -1
                directed = False
            else:
                directed = True
            borrower, source = (document, other) if order > 0 else (other, document)
            forward, backward = (shared.a_in_b, shared.b_in_a) if order > 0 else (shared.b_in_a, shared.a_in_b)
            found.append(rel.PairRelation(
                kind=rel.BORROWS, from_id=borrower.id, to_id=source.id, share=forward.share,
                reverse_share=backward.share, directed=directed, method="text",
                detail={"passages": list(forward.passages), "paragraph_share": forward.paragraph_share,
                        "source_passages": list(backward.passages)},
            ))
    rel.replace_pair_relations(session, rel.BORROWS, document.id, found)


def _record_succession(session: Session, document: Document, version: DocumentVersion) -> None:
    found: list[rel.PairRelation] = []
    own = repo.candidate_row(document, version)
    analysis = {**(version.analysis or {}), "title": document.title}
    for row in repo.regional_candidates(session, document.region_code, document.id):
        other_analysis = {**(row.get("analysis") or {}), "title": row.get("title")}
        for later, earlier_row, later_id in ((analysis, row, document.id), (other_analysis, own, row["document_id"])):
            for predecessor in find_predecessors(later, [earlier_row]):
                found.append(rel.PairRelation(
                    kind=rel.SUCCEEDS, from_id=later_id, to_id=int(predecessor.document_id),
                    score=predecessor.score, method="region",
                    detail={"headline": predecessor.headline,
                            "targets": [t.to_dict() for t in predecessor.targets],
                            "new_topics": list(predecessor.new_topics),
                            "dropped_topics": list(predecessor.dropped_topics)},
                ))
    rel.replace_pair_relations(session, rel.SUCCEEDS, document.id, found)
