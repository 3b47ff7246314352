"""HTTP endpoints on loopback: health, Prometheus metrics, and the archive's document pages
(the targets of the links in alerts)."""

from __future__ import annotations

import html
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.errors import SearchError, StartupError
from core.metrics import Metrics
from storage.documents import version_history
from storage.export import Format, export_lines
from storage.models import Document, DocumentVersion
from storage.search import SearchQuery, count, search

log = logging.getLogger(__name__)


def create_app(
    factory: sessionmaker[Session], metrics: Metrics, health: Callable[[], dict[str, Any]]
) -> FastAPI:
    app = FastAPI(title="policywatch", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        checks = dict(health())
        try:
            with factory() as session:
                session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # report, never crash the endpoint
            checks["database"] = f"error: {exc}"
        ok = all(v == "ok" for v in checks.values() if isinstance(v, str))
        if not ok:
            raise HTTPException(status_code=503, detail=checks)
        return {"status": "ok", **checks}

    @app.get("/metrics")
    def prometheus() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/documents")
    def documents(limit: int = 100, offset: int = 0) -> dict[str, Any]:
        with factory() as session:
            total = session.scalar(select(func.count(Document.id))) or 0
            rows = session.scalars(
                select(Document).order_by(Document.id.desc()).limit(min(limit, 500)).offset(offset)
            ).all()
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

    @app.get("/documents/{document_id}/versions/{version_id}", response_class=HTMLResponse)
    def version_page(document_id: int, version_id: int) -> str:
        with factory() as session:
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

    @app.get("/api/search")
    def search_archive(
        q: str = "",
        region: str | None = None,
        issuer: str | None = None,
        doc_number: str | None = None,
        doc_type: Annotated[str | None, Query(alias="type")] = None,
        ai: Literal["yes", "borderline", "no"] | None = None,
        issued_from: Annotated[date | None, Query(alias="from")] = None,
        issued_to: Annotated[date | None, Query(alias="to")] = None,
        in_force: date | None = None,
        status: Literal["active", "removed", "any"] = "active",
        all_versions: bool = False,
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        request = SearchQuery(
            text=q, region=region, issuer=issuer, doc_number=doc_number, doc_type=doc_type, ai_label=ai,
            issued_from=issued_from, issued_to=issued_to, in_force=in_force,
            status=None if status == "any" else status, all_versions=all_versions, limit=limit, offset=offset,
        )
        with factory() as session:
            try:
                hits, total = search(session, request), count(session, request)
            except SearchError as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from exc
        return {"total": total, "hits": [hit.to_dict() for hit in hits]}

    @app.get("/api/documents/{document_id}/versions")
    def document_versions(document_id: int) -> dict[str, Any]:
        with factory() as session:
            history = version_history(session, document_id)
        if history is None:
            raise HTTPException(status_code=404, detail="no such document")
        return {"document_id": document_id, "versions": [v.to_dict() for v in history]}

    def _export(fmt: Format, versions: bool) -> Iterator[str]:
        # The session lives as long as the response streams; rows come from a server-side cursor.
        with factory() as session:
            yield from export_lines(session, fmt, versions)

    @app.get("/api/export.jsonl")
    def export_jsonl(versions: bool = False) -> StreamingResponse:
        return StreamingResponse(_export("jsonl", versions), media_type="application/x-ndjson; charset=utf-8")

    @app.get("/api/export.csv")
    def export_csv(versions: bool = False) -> StreamingResponse:
        return StreamingResponse(
            _export("csv", versions), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=policywatch-documents.csv"},
        )

    return app


class WebServer:
    """uvicorn in a background thread on a socket bound here, stopped cooperatively.

    The socket is bound before uvicorn starts, so a taken port is a ``StartupError`` naming the address
    and the setting at once, and uvicorn logs through the application's logging (no second format).
    """

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", log_config=None)
        )
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._socket is not None:
            host, port = self._socket.getsockname()[:2]
            return f"http://{host}:{port}"
        return f"http://{self._server.config.host}:{self._server.config.port}"

    def _bind(self) -> socket.socket:
        host, port = self._server.config.host, self._server.config.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise StartupError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (change web.port or web.host)",
                setting="web.port",
            ) from exc
        sock.set_inheritable(True)
        return sock

    def start(self, timeout_s: float = 10.0) -> WebServer:
        self._socket = self._bind()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="web", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise StartupError(f"the web server did not start on {self.url}", setting="web.port")
            time.sleep(0.01)
        log.info("web endpoints on %s (/healthz, /metrics)", self.url)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
        if self._socket is not None:
            self._socket.close()
