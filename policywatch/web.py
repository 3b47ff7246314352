"""HTTP endpoints on loopback: health, Prometheus metrics, and the archive's document pages
(the targets of the links in alerts)."""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from policywatch.metrics import Metrics
from storage.models import Document, DocumentVersion

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

    return app


class WebServer:
    """uvicorn in a background thread, stopped cooperatively."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        servers = getattr(self._server, "servers", [])
        for server in servers:
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                return f"http://{host}:{port}"
        return f"http://{self._server.config.host}:{self._server.config.port}"

    def start(self, timeout_s: float = 10.0) -> WebServer:
        self._thread = threading.Thread(target=self._server.run, name="web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("web server did not start (port in use?)")
            time.sleep(0.01)
        log.info("web endpoints on %s (/healthz, /metrics)", self.url)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
