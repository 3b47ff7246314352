"""The archive's first JSON endpoints (``/api/…``): documents, search, versions and exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from core.errors import SearchError
from policywatch.web.context import Context, WebContext
from policywatch.web.params import MAX_TEXT, NO_NUL, DocumentId, FilterText, Offset, SearchText, limit
from storage.documents import version_history
from storage.export import Format, export_lines
from storage.models import Document
from storage.search import SearchQuery, count, search

router = APIRouter(prefix="/api", tags=["archive"])


@router.get("/documents")
def documents(
    context: Context, limit: Annotated[int, limit(500)] = 100, offset: Offset = 0
) -> dict[str, Any]:
    with context.factory() as session:
        total = session.scalar(select(func.count(Document.id))) or 0
        rows = session.scalars(select(Document).order_by(Document.id.desc()).limit(limit).offset(offset)).all()
        return {
            "total": total,
            "documents": [
                {
                    "id": d.id, "title": d.title, "url": d.url, "doc_number": d.doc_number,
                    "region_code": d.region_code, "province": d.province, "city": d.city,
                    "district": d.district, "doc_type": d.doc_type, "ai_label": d.ai_label,
                    "status": d.status, "issue_date": d.issue_date.isoformat() if d.issue_date else None,
                    "latest_version_id": d.latest_version_id,
                }
                for d in rows
            ],
        }


@router.get("/search")
def search_archive(
    context: Context,
    q: SearchText = "",
    region: FilterText = None,
    issuer: FilterText = None,
    doc_number: FilterText = None,
    doc_type: Annotated[str | None, Query(alias="type", max_length=MAX_TEXT, pattern=NO_NUL)] = None,
    ai: Literal["yes", "borderline", "no"] | None = None,
    issued_from: Annotated[date | None, Query(alias="from")] = None,
    issued_to: Annotated[date | None, Query(alias="to")] = None,
    in_force: date | None = None,
    status: Literal["active", "removed", "any"] = "active",
    all_versions: bool = False,
    limit: Annotated[int, limit(200)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    request = SearchQuery(
        text=q, region=region, issuer=issuer, doc_number=doc_number, doc_type=doc_type, ai_label=ai,
        issued_from=issued_from, issued_to=issued_to, in_force=in_force,
        status=None if status == "any" else status, all_versions=all_versions, limit=limit, offset=offset,
    )
    with context.factory() as session:
        try:
            hits, total = search(session, request), count(session, request)
        except SearchError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
    return {"total": total, "hits": [hit.to_dict() for hit in hits]}


@router.get("/documents/{document_id}/versions")
def document_versions(context: Context, document_id: DocumentId) -> dict[str, Any]:
    with context.factory() as session:
        history = version_history(session, document_id)
    if history is None:
        raise HTTPException(status_code=404, detail="no such document")
    return {"document_id": document_id, "versions": [v.to_dict() for v in history]}


def _export(context: WebContext, fmt: Format, versions: bool) -> Iterator[str]:
    # The session lives as long as the response streams; rows come from a server-side cursor.
    with context.factory() as session:
        yield from export_lines(session, fmt, versions)


@router.get("/export.jsonl")
def export_jsonl(context: Context, versions: bool = False) -> StreamingResponse:
    return StreamingResponse(
        _export(context, "jsonl", versions), media_type="application/x-ndjson; charset=utf-8"
    )


@router.get("/export.csv")
def export_csv(context: Context, versions: bool = False) -> StreamingResponse:
    return StreamingResponse(
        _export(context, "csv", versions), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=policywatch-documents.csv"},
    )
