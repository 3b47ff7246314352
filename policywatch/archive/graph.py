"""The archive's relations as views: lineage both ways, the citation graph (with lag in months) and a
region's plans in order, each with its predecessor, successors and targets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from consumers.diffing.predecessors import PLAN_TYPES
from core.errors import InvalidRequest, UnknownRegion
from policywatch.archive import comparison_models as cm
from policywatch.archive import models as m
from policywatch.archive.documents import get_document, lineage_links, ref, succession_links, validity
from storage import relations as rel
from storage import validity as val
from storage.models import Document, DocumentRelation
from zhtext.docnumbers import doc_number_key
from zhtext.regions import lookup
from zhtext.titles import title_key


def lineage(session: Session, document_id: int) -> cm.Lineage:
    document = get_document(session, document_id)
    borrows, borrowed_by = lineage_links(session, document.id)
    return cm.Lineage(document=ref(document), borrows=borrows, borrowed_by=borrowed_by)


def lag_months(earlier: Document | None, later: Document | None) -> int | None:
    """Whole months from the cited document's issue to the citing one's (None when a date is unknown)."""
    if earlier is None or later is None:
        return None
    a, b = earlier.issue_date or earlier.publish_date, later.issue_date or later.publish_date
    if a is None or b is None:
        return None
    return (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)


def _citing(session: Session, rows: list[DocumentRelation], cited: Document | None) -> list[cm.CitingDocument]:
    docs = rel.documents_by_id(session, [r.from_document_id for r in rows])
    citing = {}
    for row in rows:
        doc = docs.get(row.from_document_id)
        if doc is not None and doc.id not in citing:
            citing[doc.id] = cm.CitingDocument(document=ref(doc), lag_months=lag_months(cited, doc), method=row.method)
    return sorted(citing.values(), key=lambda c: (str(c.document.issue_date or "9999"), c.document.id))


def citation_graph(session: Session, document_id: int) -> cm.CitationGraph:
    """What the document cites (resolved where stored) and every stored document citing it."""
    document = get_document(session, document_id)
    outgoing = rel.outgoing(session, document.id, rel.CITES)
    targets = rel.documents_by_id(session, [r.to_document_id for r in outgoing])
    cites = [
        cm.CitedDocument(
            title=r.cited_title, doc_number=r.cited_doc_number, method=r.method,
            document=ref(targets[r.to_document_id]) if r.to_document_id in targets else None,
            lag_months=lag_months(targets.get(r.to_document_id) if r.to_document_id else None, document),
        )
        for r in outgoing
    ]
    cited_by = _citing(session, list(rel.incoming(session, document.id, rel.CITES)), document)
    return cm.CitationGraph(document=ref(document), cites=cites, cited_by=cited_by, regions=_regions(cited_by))


def citations_of_key(session: Session, doc_number: str | None = None, title: str | None = None) -> cm.CitationGraph:
    """Every stored document citing a 文号 or a title, whether or not the cited document is stored:
    e.g. the local plans implementing 国发〔2017〕35号."""
    number, name = doc_number_key(doc_number), title_key(title) if title else ""
    if not (number or name):
        raise InvalidRequest("give a 文号 (doc_number) or a title to look up")
    column, key = (DocumentRelation.number_key, number) if number else (DocumentRelation.title_key, name)
    rows = list(session.scalars(
        select(DocumentRelation).where(DocumentRelation.kind == rel.CITES, column == key).order_by(DocumentRelation.id)
    ))
    stored = rel.documents_by_id(session, [r.to_document_id for r in rows])
    cited = next(iter(stored.values()), None)
    cited_by = _citing(session, rows, cited)
    return cm.CitationGraph(document=ref(cited) if cited else None, key=key, cited_by=cited_by,
                            regions=_regions(cited_by))


def _regions(citing: list[cm.CitingDocument]) -> list[str]:
    return sorted({c.document.region for c in citing if c.document.region})


def region_plans(session: Session, region: str, on: date | None = None,
                 expiring_days: int = val.DEFAULT_EXPIRING_DAYS) -> cm.RegionPlans:
    """The region's own plans (not its subregions'), oldest first, with predecessor, successors and targets."""
    found = lookup(region)
    if found is None:
        raise UnknownRegion(f"unknown or ambiguous region: {region}")
    documents = session.scalars(
        select(Document).where(Document.region_code == found.code, Document.doc_type.in_(PLAN_TYPES))
    ).all()
    documents = sorted(documents, key=lambda d: (str(val.starts(d) or "9999"), d.id))
    plans = []
    metric_plans: dict[str, int] = {}
    for document in documents:
        predecessors, successors = succession_links(session, document.id)
        version = document.versions[-1] if document.versions else None
        targets = m.coerce_list(m.Target, (version.analysis or {}).get("targets") if version else None)
        for metric in {t.metric for t in targets if t.metric}:
            metric_plans[metric] = metric_plans.get(metric, 0) + 1
        plans.append(cm.RegionPlan(
            document=ref(document), period_start=document.period_start, period_end=document.period_end,
            doc_type=document.doc_type, validity=validity(session, document, on, expiring_days),
            predecessor=predecessors[0].document if predecessors else None,
            successors=[s.document for s in successors], targets=targets,
        ))
    shared = sorted((k for k, n in metric_plans.items() if n > 1), key=lambda k: (-metric_plans[k], k))
    return cm.RegionPlans(region=found.name, code=found.code, plans=plans, metrics=shared)
