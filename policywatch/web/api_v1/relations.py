"""/api/v1 diffs, lineage, the citation graph, a region's plans and targets across regions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from policywatch.archive import compare, graph, targets
from policywatch.archive.comparison_models import CitationGraph, Diff, Lineage, RegionPlans, TargetComparison
from policywatch.web.context import Context
from policywatch.web.params import MAX_ID, DocumentId

router = APIRouter(tags=["relations"])
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Version id")]
Id = Annotated[int, Query(ge=1, le=MAX_ID, description="Document id")]
Metric = Annotated[str | None, Query(max_length=60, description="Metric name, or part of it (人工智能核心产业规模)")]
Region = Annotated[str | None, Query(max_length=60, description="Region name or code; includes subregions")]


@router.get("/documents/{document_id}/diff", response_model=Diff)
def diff_versions(
    context: Context, document_id: DocumentId,
    old: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID, description="Older version id")] = None,
    new: Annotated[int | None, Query(alias="to", ge=1, le=MAX_ID, description="Newer version id")] = None,
) -> Diff:
    """Two versions of a document (default: the previous and the latest)."""
    with context.factory() as session:
        return compare.diff_document_versions(session, document_id, old, new)


@router.get("/compare", response_model=Diff)
def diff_documents(context: Context, old: Id, new: Id) -> Diff:
    """The latest versions of two documents, clause-aligned."""
    with context.factory() as session:
        return compare.diff_documents(session, old, new)


@router.get("/documents/{document_id}/lineage", response_model=Lineage)
def lineage(context: Context, document_id: DocumentId) -> Lineage:
    """What the document borrows and who borrows from it, with shares and aligned passages."""
    with context.factory() as session:
        return graph.lineage(session, document_id)


@router.get("/documents/{document_id}/citations", response_model=CitationGraph)
def citations(context: Context, document_id: DocumentId) -> CitationGraph:
    """What the document cites and what cites it, with the lag in months."""
    with context.factory() as session:
        return graph.citation_graph(session, document_id)


@router.get("/citations", response_model=CitationGraph)
def citations_of(
    context: Context,
    doc_number: Annotated[str | None, Query(max_length=100, description="文号 cited (国发〔2017〕35号)")] = None,
    title: Annotated[str | None, Query(max_length=200, description="Title cited")] = None,
) -> CitationGraph:
    """Every stored document citing a 文号 or title, stored or not (who implemented it)."""
    with context.factory() as session:
        return graph.citations_of_key(session, doc_number, title)


@router.get("/regions/{region}/plans", response_model=RegionPlans)
def region_plans(
    context: Context, region: str,
    on: Annotated[date | None, Query(description="Validity on this day (default today)")] = None,
) -> RegionPlans:
    """The region's plans in order, with predecessor/successors and targets."""
    with context.factory() as session:
        return graph.region_plans(session, region, on, context.expiring_days)


@router.get("/targets", response_model=TargetComparison)
def target_comparison(context: Context, metric: Metric = None, region: Region = None) -> TargetComparison:
    """One metric across regions and years (without ``metric``: the metrics to choose from)."""
    with context.factory() as session:
        return targets.compare_targets(session, metric, region)


@router.get("/targets.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def target_comparison_csv(context: Context, metric: Metric = None, region: Region = None) -> Response:
    with context.factory() as session:
        comparison = targets.compare_targets(session, metric, region)
    return Response(targets.comparison_csv(comparison), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=policywatch-targets.csv"})
