"""One error body for the archive API and one error page for the archive's pages.

Every error under /api/v1 — an InvalidRequest from the archive, a 404, a parameter that fails validation
(422), or anything unexpected (500) — answers with ``policywatch.archive.models.Problem``; the pages answer
with a short HTML page; other routes (health, the old /api) keep FastAPI's default body.
"""

from __future__ import annotations

import html
import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import InvalidRequest, NotFound
from policywatch.archive.models import Problem

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
PAGE_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"


def _problem(
    status: int, error: str, message: str, details: list[dict] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = Problem(status=status, error=error, message=message, details=details or [])
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def _page(status: int, message: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>policywatch</title>"
        "<link rel='stylesheet' href='/static/site.css'></head><body><main>"
        f"<h1>{status}</h1><p>{html.escape(message)}</p><p><a href='/'>返回首页 Home</a></p></main></body></html>",
        status_code=status, headers={"Content-Security-Policy": PAGE_CSP},
    )


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/healthz", "/readyz", "/metrics"))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidRequest)
    async def invalid_request(request: Request, exc: InvalidRequest) -> Response:
        status, error = (404, "not_found") if isinstance(exc, NotFound) else (400, "invalid_request")
        if _is_page(request):
            return _page(status, str(exc))
        return _problem(status, error, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            error = "not_found" if exc.status_code == 404 else "http_error"
            return _problem(exc.status_code, error, str(exc.detail), headers=getattr(exc, "headers", None))
        if _is_page(request) and exc.status_code >= 400:
            return _page(exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            details = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
                       for e in exc.errors()]
            return _problem(422, "validation_error", "invalid request parameters", details)
        if _is_page(request):
            return _page(422, "; ".join(str(e.get("msg", "")) for e in exc.errors()))
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        if _is_page(request):
            return _page(500, "内部错误 internal error")
        return _problem(500, "internal_error", "internal error")
