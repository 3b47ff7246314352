"""The archive's pages about one document: the document, a version (the page every alert links to), the
text as of a day, diffs, lineage, citations and the captured page. Server-rendered, usable without
JavaScript; the shapes are the API's (``policywatch.archive``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from policywatch.archive import compare, graph
from policywatch.archive import documents as views
from policywatch.archive.comparison_models import Diff
from policywatch.web.api_v1.exports import Capture, captured
from policywatch.web.context import Context
from policywatch.web.params import MAX_ID, DocumentId, VersionId
from policywatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
OptionalVersion = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Characters of paragraph text a diff page shows; the JSON carries everything (pages stay under 100 KB).
DIFF_CHARS = 20_000


def _within_budget(diff: Diff, budget: int = DIFF_CHARS) -> tuple[Diff, bool]:
    """The diff with its paragraph lists cut so their text fits ``budget`` characters; and whether cut."""
    kept: dict[str, list] = {"changed": [], "removed": [], "added": []}
    used, cut = 0, False
    for name in kept:
        for item in getattr(diff, name):
            size = len(item.before) + len(item.after) if name == "changed" else len(item.text)
            if used + size > budget:
                cut = True
                break
            kept[name].append(item)
            used += size
    return diff.model_copy(update=kept), cut


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, context: Context, document_id: DocumentId) -> HTMLResponse:
    with context.factory() as session:
        doc = views.detail(session, document_id, None, context.expiring_days)
    return render(request, "document.html", doc=doc)


@router.get("/documents/{document_id}/versions/{version_id}", response_class=HTMLResponse)
def version_page(request: Request, context: Context, document_id: DocumentId, version_id: VersionId) -> HTMLResponse:
    with context.factory() as session:
        version = views.version_text(session, document_id, version_id)
    return render(request, "version.html", version=version)


@router.get("/documents/{document_id}/as-of", response_class=HTMLResponse)
def as_of_page(request: Request, context: Context, document_id: DocumentId, on: date) -> HTMLResponse:
    with context.factory() as session:
        version = views.version_as_of(session, document_id, on)
    return render(request, "version.html", version=version)


@router.get("/documents/{document_id}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request, context: Context, document_id: DocumentId,
    old: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    new: Annotated[int | None, Query(alias="to", ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    with context.factory() as session:
        diff = compare.diff_document_versions(session, document_id, old, new)
    api = f"/api/v1/documents/{document_id}/diff?from={diff.old_version_id}&to={diff.new_version_id}"
    shown, cut = _within_budget(diff)
    return render(request, "diff.html", diff=shown, side_by_side=False, truncated=cut, api_url=api)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, context: Context,
    old: Annotated[int, Query(ge=1, le=MAX_ID)], new: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> HTMLResponse:
    with context.factory() as session:
        diff = compare.diff_documents(session, old, new)
    shown, cut = _within_budget(diff)
    return render(request, "diff.html", diff=shown, side_by_side=True, truncated=cut,
                  api_url=f"/api/v1/compare?old={old}&new={new}")


@router.get("/documents/{document_id}/lineage", response_class=HTMLResponse)
def lineage_page(request: Request, context: Context, document_id: DocumentId) -> HTMLResponse:
    with context.factory() as session:
        lineage = graph.lineage(session, document_id)
    return render(request, "lineage.html", lineage=lineage)


@router.get("/documents/{document_id}/citations", response_class=HTMLResponse)
def citations_page(request: Request, context: Context, document_id: DocumentId) -> HTMLResponse:
    with context.factory() as session:
        found = graph.citation_graph(session, document_id)
    return render(request, "citations.html", graph=found)


@router.get("/documents/{document_id}/versions/{version_id}/replay", response_class=HTMLResponse)
def replay_page(request: Request, context: Context, document_id: DocumentId, version_id: VersionId) -> HTMLResponse:
    with context.factory() as session:
        views.version_text(session, document_id, version_id)  # 404 unless the version is the document's
    found = captured(context, version_id)
    capture = Capture(version_id=version_id, url=found.url, status_line=found.status_line,
                      headers=[[k, v] for k, v in found.headers], body_bytes=len(found.body))
    return render(request, "replay.html", capture=capture, document_id=document_id)
