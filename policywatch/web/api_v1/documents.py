"""/api/v1 documents, versions, validity and as-of text."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from policywatch.archive import documents as views
from policywatch.archive.comparison_models import InForceList
from policywatch.archive.models import DocumentDetail, DocumentPage, VersionInfo, VersionText
from policywatch.web.context import Context
from policywatch.web.http_cache import cached_json
from policywatch.web.params import DocumentId, Offset, VersionId, limit

router = APIRouter(tags=["documents"])
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match matched the ETag)"}}
Region = Annotated[str | None, Query(max_length=60, description="Region name or code; includes subregions")]


@router.get("/documents", response_model=DocumentPage)
def list_documents(
    context: Context,
    region: Region = None,
    doc_type: Annotated[str | None, Query(alias="type", max_length=30)] = None,
    ai: Literal["yes", "borderline", "no"] | None = None,
    doc_number: Annotated[str | None, Query(max_length=100, description="文号, any bracket style")] = None,
    status: Literal["active", "removed", "any"] = "active",
    in_force: Annotated[date | None, Query(description="Only documents in force on this day")] = None,
    limit: Annotated[int, limit(200)] = 50,
    offset: Offset = 0,
) -> DocumentPage:
    with context.factory() as session:
        return views.list_documents(
            session, region=region, doc_type=doc_type, ai_label=ai, doc_number=doc_number,
            status=None if status == "any" else status, in_force=in_force, limit=limit, offset=offset,
        )


@router.get("/in-force", response_model=InForceList)
def in_force(
    context: Context, on: Annotated[date, Query(description="The day")], region: Region = None,
    limit: Annotated[int, limit(500)] = 200,
) -> InForceList:
    """Documents in force on a day (e.g. in 广东省 on 2020-06-01): started, not expired, within their
    planning period and not superseded by a successor."""
    with context.factory() as session:
        return views.in_force_list(session, on, region, limit)


@router.get("/documents/{document_id}", response_model=DocumentDetail, responses=NOT_MODIFIED)
def document(
    request: Request, context: Context, document_id: DocumentId,
    on: Annotated[date | None, Query(description="Validity on this day (default today)")] = None,
) -> Response:
    """Metadata, the full analysis, validity, provenance, versions and relations."""
    with context.factory() as session:
        detail = views.detail(session, document_id, on, context.expiring_days)
    modified = max((v.fetched_at for v in detail.versions), default=None)
    return cached_json(request, detail, modified)


@router.get("/documents/{document_id}/versions", response_model=list[VersionInfo])
def versions(context: Context, document_id: DocumentId) -> list[VersionInfo]:
    with context.factory() as session:
        return views.versions(session, document_id)


@router.get("/documents/{document_id}/versions/{version_id}", response_model=VersionText, responses=NOT_MODIFIED)
def version(request: Request, context: Context, document_id: DocumentId, version_id: VersionId) -> Response:
    """One version's text; ``status`` says whether a later capture revised it (已被修改)."""
    with context.factory() as session:
        text = views.version_text(session, document_id, version_id)
    return cached_json(request, text, text.fetched_at)


@router.get("/documents/{document_id}/as-of/{day}", response_model=VersionText)
def as_of(context: Context, document_id: DocumentId, day: Annotated[date, Path(description="The day")]) -> VersionText:
    """The text as it stood on ``day``: the version current then."""
    with context.factory() as session:
        return views.version_as_of(session, document_id, day)
