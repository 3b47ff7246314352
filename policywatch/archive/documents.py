"""A document as the archive shows it: metadata, the full analysis, validity, provenance, versions and
its relations — one function per view, shared by the API, the pages and the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound
from policywatch.archive import models as m
from policywatch.archive.comparison_models import InForceList
from storage import documents as repo
from storage import relations as rel
from storage import validity as val
from storage.models import Document, DocumentVersion
from storage.search import SearchQuery, count, search


def region_name(document: Document) -> str:
    return " ".join(dict.fromkeys(p for p in (document.province, document.city, document.district) if p))


def ref(document: Document) -> m.DocumentRef:
    return m.DocumentRef(
        id=document.id, title=document.title, doc_number=document.doc_number, region=region_name(document),
        issue_date=document.issue_date or document.publish_date, status=document.status,
    )


def summary(document: Document) -> m.DocumentSummary:
    return m.DocumentSummary(
        id=document.id, title=document.title, url=document.url, doc_number=document.doc_number,
        issuers=[str(i) for i in document.issuers or []],
        region=m.Region(province=document.province, city=document.city, district=document.district,
                        code=document.region_code),
        admin_level=document.admin_level, doc_type=document.doc_type, ai_label=document.ai_label,
        topics=[str(t) for t in document.topics or []], issue_date=document.issue_date,
        publish_date=document.publish_date, effective_date=document.effective_date,
        expiry_date=document.expiry_date, period_start=document.period_start, period_end=document.period_end,
        status=document.status, latest_version_id=document.latest_version_id,
    )


def get_document(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def list_documents(
    session: Session, *, region: str | None = None, doc_type: str | None = None, ai_label: str | None = None,
    doc_number: str | None = None, status: str | None = "active", in_force: date | None = None,
    limit: int = 50, offset: int = 0,
) -> m.DocumentPage:
    """Documents, most recently issued first, filtered by metadata (a region includes its subregions)."""
    query = SearchQuery(region=region, doc_type=doc_type, ai_label=ai_label, doc_number=doc_number,
                        status=status, in_force=in_force, limit=limit, offset=offset)
    ids = [hit.id for hit in search(session, query)]
    docs = rel.documents_by_id(session, ids)
    return m.DocumentPage(total=count(session, query), limit=limit, offset=offset,
                          documents=[summary(docs[i]) for i in ids if i in docs])


def in_force_list(session: Session, on: date, region: str | None = None, limit: int = 200) -> m.InForceList:
    """Documents in force on ``on`` (in a region and its subregions): 现行有效 or 即将失效 then."""
    query = SearchQuery(region=region, in_force=on, limit=limit)
    ids = [hit.id for hit in search(session, query)]
    docs = rel.documents_by_id(session, ids)
    return InForceList(on=on, region=region, total=count(session, query),
                       documents=[ref(docs[i]) for i in ids if i in docs])


def validity(session: Session, document: Document, on: date | None, expiring_days: int) -> m.Validity:
    state = val.validity_of(session, document, on, expiring_days)
    successor = session.get(Document, state.superseded_by) if state.superseded_by else None
    return m.Validity(
        status=state.status, label=state.label, on=state.on, starts=state.starts, ends=state.ends,
        basis=state.basis, superseded_by=ref(successor) if successor else None, days_left=state.days_left,
    )


def versions(session: Session, document_id: int) -> list[m.VersionInfo]:
    history = repo.version_history(session, document_id)
    if history is None:
        raise NotFound(f"no document {document_id}")
    return [m.VersionInfo.model_validate(v.to_dict()) for v in history]


def provenance(document: Document, version: DocumentVersion | None) -> m.Provenance:
    return m.Provenance(
        source_id=document.source_id, url=document.url, first_seen=document.first_seen,
        last_seen=document.last_seen, fetched_at=version.fetched_at if version else None,
        content_hash=version.content_hash if version else "", body_sha256=version.body_sha256 if version else "",
        warc_record=version.warc_record if version else "",
        replay=f"/api/v1/versions/{version.id}/capture" if version is not None and version.warc_record else None,
    )


L = TypeVar("L")


def _both_sides(
    session: Session, document_id: int, kind: str, make: Callable[[Any, Document], L]
) -> tuple[list[tuple[L, Document]], list[tuple[L, Document]]]:
    """(links from the document, links to it) of one relation kind, each with the other document."""
    out = rel.outgoing(session, document_id, kind)
    inc = rel.incoming(session, document_id, kind)
    docs = rel.documents_by_id(session, [r.to_document_id for r in out] + [r.from_document_id for r in inc])
    return (
        [(make(r, docs[r.to_document_id]), docs[r.to_document_id]) for r in out if r.to_document_id in docs],
        [(make(r, docs[r.from_document_id]), docs[r.from_document_id]) for r in inc if r.from_document_id in docs],
    )


def _lineage_link(row: Any, other: Document) -> m.LineageLink:
    detail = row.detail or {}
    return m.LineageLink(
        document=ref(other), share=row.share or 0.0, reverse_share=row.reverse_share,
        paragraph_share=detail.get("paragraph_share"), directed=row.directed,
        passages=list(detail.get("passages") or []), source_passages=list(detail.get("source_passages") or []),
    )


def _succession_link(row: Any, other: Document) -> m.SuccessionLink:
    detail = row.detail or {}
    return m.SuccessionLink(
        document=ref(other), score=row.score, headline=str(detail.get("headline") or ""),
        targets=list(detail.get("targets") or []), new_topics=list(detail.get("new_topics") or []),
        dropped_topics=list(detail.get("dropped_topics") or []),
    )


def lineage_links(session: Session, document_id: int) -> tuple[list[m.LineageLink], list[m.LineageLink]]:
    """(what the document borrows, who borrows from it), largest share first."""
    out, inc = _both_sides(session, document_id, rel.BORROWS, _lineage_link)
    return (sorted((x for x, _ in out), key=lambda x: -x.share), sorted((x for x, _ in inc), key=lambda x: -x.share))


def succession_links(session: Session, document_id: int) -> tuple[list[m.SuccessionLink], list[m.SuccessionLink]]:
    """(earlier plans this one succeeds, most recent first; later plans that succeed it, oldest first)."""
    out, inc = _both_sides(session, document_id, rel.SUCCEEDS, _succession_link)
    predecessors = [x for x, _ in sorted(out, key=lambda p: str(val.starts(p[1]) or ""), reverse=True)]
    successors = [x for x, _ in sorted(inc, key=lambda p: str(val.starts(p[1]) or ""))]
    return predecessors, successors


def citations(session: Session, document: Document) -> list[m.Citation]:
    rows = rel.outgoing(session, document.id, rel.CITES)
    docs = rel.documents_by_id(session, [r.to_document_id for r in rows])
    return [
        m.Citation(
            title=r.cited_title, doc_number=r.cited_doc_number, method=r.method,
            document=ref(docs[r.to_document_id]) if r.to_document_id in docs else None,
        )
        for r in rows
    ]


def cited_by(session: Session, document_id: int) -> list[Document]:
    rows = rel.incoming(session, document_id, rel.CITES)
    docs = rel.documents_by_id(session, [r.from_document_id for r in rows])
    return sorted(docs.values(), key=lambda d: (str(d.issue_date or d.publish_date or ""), d.id))


def detail(session: Session, document_id: int, on: date | None = None,
           expiring_days: int = val.DEFAULT_EXPIRING_DAYS) -> m.DocumentDetail:
    """Everything the archive knows about a document (its latest version's analysis)."""
    document = get_document(session, document_id)
    version = repo.latest_version(session, document)
    analysis: dict[str, Any] = dict(version.analysis or {}) if version else {}
    ai = analysis.get("ai") if isinstance(analysis.get("ai"), dict) else {}
    borrows, borrowed_by = lineage_links(session, document.id)
    predecessors, successors = succession_links(session, document.id)
    return m.DocumentDetail(
        **summary(document).model_dump(),
        notice_title=analysis.get("notice_title") if isinstance(analysis.get("notice_title"), str) else None,
        ai=m.AiRelevance(
            label=ai.get("label"), score=ai.get("score") if isinstance(ai.get("score"), int | float) else None,
            evidence=m.coerce_list(m.Evidence, ai.get("evidence")),
            topics=[str(t) for t in ai.get("topics") or []],
        ),
        outline=m.coerce_list(m.OutlineNode, analysis.get("outline")),
        targets=m.coerce_list(m.Target, analysis.get("targets")),
        responsibilities=m.coerce_list(m.Responsibility, analysis.get("responsibilities")),
        citations=citations(session, document),
        attachments=m.coerce_list(m.Attachment, analysis.get("attachments")),
        validity=validity(session, document, on, expiring_days),
        provenance=provenance(document, version),
        versions=versions(session, document.id),
        relations=m.RelationsSummary(
            borrows=borrows, borrowed_by=borrowed_by, predecessors=predecessors, successors=successors,
            cited_by=[ref(d) for d in cited_by(session, document.id)],
        ),
    )


def version_text(session: Session, document_id: int, version_id: int) -> m.VersionText:
    version = session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document_id:
        raise NotFound(f"no version {version_id} of document {document_id}")
    later = session.scalar(
        select(DocumentVersion.id).where(DocumentVersion.document_id == document_id,
                                         DocumentVersion.seq > version.seq).order_by(DocumentVersion.seq).limit(1)
    )
    return _version_text(version, later, None, True)


def version_as_of(session: Session, document_id: int, on: date) -> m.VersionText:
    """The text as it stood on ``on``: the version current then (``storage.validity.version_as_of``)."""
    document = get_document(session, document_id)
    found = val.version_as_of(session, document, on)
    if found is None:
        raise NotFound(f"document {document_id} had not been issued on {on}")
    return _version_text(found.version, found.replaced_by, on, found.exact)


def _version_text(version: DocumentVersion, replaced_by: int | None, on: date | None, exact: bool) -> m.VersionText:
    document = version.document
    return m.VersionText(
        id=version.id, seq=version.seq, fetched_at=version.fetched_at, content_hash=version.content_hash,
        body_sha256=version.body_sha256, title=version.title, chars=len(version.text),
        warc_record=version.warc_record, latest=document.latest_version_id == version.id,
        document_id=document.id, text=version.text,
        status="revised" if replaced_by else "current", replaced_by=replaced_by, as_of=on, exact=exact,
    )
