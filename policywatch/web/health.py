"""Health and metrics: what an operator's monitoring and an orchestrator's probes read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from policywatch.web.context import Context

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(context: Context) -> dict[str, Any]:
    checks = dict(context.health())
    try:
        with context.factory() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, never crash the endpoint
        checks["database"] = f"error: {exc}"
    ok = all(v == "ok" for v in checks.values() if isinstance(v, str))
    if not ok:
        raise HTTPException(status_code=503, detail=checks)
    return {"status": "ok", **checks}


@router.get("/metrics")
def prometheus(context: Context) -> PlainTextResponse:
    return PlainTextResponse(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)
