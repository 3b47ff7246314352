"""The archive's HTML pages: a stored version of a document, the page every alert links to."""

from __future__ import annotations

import html

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

from policywatch.web.context import Context
from policywatch.web.params import DocumentId, VersionId
from storage.models import DocumentVersion

router = APIRouter(tags=["pages"])


@router.get("/documents/{document_id}/versions/{version_id}", response_class=HTMLResponse)
def version_page(context: Context, document_id: DocumentId, version_id: VersionId) -> str:
    with context.factory() as session:
        version = session.get(DocumentVersion, version_id)
        if version is None or version.document_id != document_id:
            raise HTTPException(status_code=404, detail="no such version")
        document = version.document
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in version.text.split("\n") if p.strip())
        return (
            "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{html.escape(version.title)}</title></head><body>"
            f"<h1>{html.escape(version.title)}</h1>"
            f"<p>文号 Doc No.: {html.escape(document.doc_number or '—')} · "
            f"版本 Version {version.seq} · 抓取 Fetched {version.fetched_at:%Y-%m-%d %H:%M} · "
            f"<a href='{html.escape(document.url)}'>原文 Original</a></p>"
            f"<article>{paragraphs}</article></body></html>"
        )
