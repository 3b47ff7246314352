"""/api/v1 exports (with the analysis) and the original capture of a version (from the WARC archive)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse

from core.errors import NotFound
from crawlers.warc_reader import CapturedResponse, read_captured
from policywatch.archive.models import Shape
from policywatch.web.context import Context, WebContext
from policywatch.web.params import VersionId
from storage.export import Format, export_lines
from storage.models import DocumentVersion

router = APIRouter(tags=["exports"])
# What a captured page may do when shown: nothing. No script, no request anywhere, no form, no plugin.
CAPTURE_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _stream(context: WebContext, fmt: Format, versions: bool, analysis: bool) -> Iterator[str]:
    with context.factory() as session:  # lives as long as the response streams (server-side cursor)
        yield from export_lines(session, fmt, versions, analysis)


@router.get("/export.jsonl", responses={200: {"content": {"application/x-ndjson": {}}}}, response_class=Response)
def export_jsonl(context: Context, versions: bool = False, analysis: bool = True) -> StreamingResponse:
    """Every document (or version) as one JSON object a line, with its analysis unless ``analysis=false``."""
    return StreamingResponse(_stream(context, "jsonl", versions, analysis),
                             media_type="application/x-ndjson; charset=utf-8")


@router.get("/export.csv", responses={200: {"content": {"text/csv": {}}}}, response_class=Response)
def export_csv(context: Context, versions: bool = False, analysis: bool = True) -> StreamingResponse:
    """The same rows as CSV; lists and the analysis are JSON cells."""
    return StreamingResponse(
        _stream(context, "csv", versions, analysis), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=policywatch-documents.csv"},
    )


class Capture(Shape):
    version_id: int
    url: str
    status_line: str
    headers: list[list[str]]
    body_bytes: int
    body: str = "/api/v1/versions/{id}/capture/body"


def captured(context: WebContext, version_id: int) -> CapturedResponse:
    """The response the site served for a version, as written to the WARC archive."""
    with context.factory() as session:
        version = session.get(DocumentVersion, version_id)
        reference = version.warc_record if version is not None else ""
    if version is None:
        raise NotFound(f"no version {version_id}")
    if not reference or context.captures is None:
        raise NotFound(f"version {version_id} has no capture here")
    try:
        return read_captured(context.captures, reference)
    except LookupError as exc:
        raise NotFound(str(exc)) from exc


@router.get("/versions/{version_id}/capture", response_model=Capture)
def capture(context: Context, version_id: VersionId) -> Capture:
    """Where and how the site served the version: URL, status line, headers, body size."""
    found = captured(context, version_id)
    return Capture(version_id=version_id, url=found.url, status_line=found.status_line,
                   headers=[[k, v] for k, v in found.headers], body_bytes=len(found.body),
                   body=f"/api/v1/versions/{version_id}/capture/body")


@router.get("/versions/{version_id}/capture/body", response_class=Response,
            responses={200: {"content": {"text/html": {}}}})
def capture_body(context: Context, version_id: VersionId) -> Response:
    """The body exactly as served, with its content type, under a CSP that sandboxes it completely."""
    found = captured(context, version_id)
    media = _header(found.headers, "content-type") or "application/octet-stream"
    return Response(found.body, media_type=media, headers={
        "Content-Security-Policy": CAPTURE_CSP, "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer", "Cache-Control": "private, max-age=3600",
    })


def _header(headers: list[Any], name: str) -> str:
    return next((str(v) for k, v in headers if str(k).lower() == name), "")
