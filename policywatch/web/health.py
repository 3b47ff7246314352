"""Health, readiness and metrics: what an operator's monitoring and an orchestrator's probes read.

``/healthz`` tells the truth about work in progress: 200 ``ok`` only when every part is ok; otherwise
503 ``degraded`` with the reasons — a stage that cannot make progress (database locked, full or
read-only; broker unreachable), deliveries failing, the broker or scheduler down, the database not
answering. ``/readyz`` answers whether to send traffic at all: database reachable and migrated, broker
reachable, stages started.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from policywatch.web.context import Context
from storage.db import schema_is_current

router = APIRouter(tags=["operations"])


def _verdict(checks: dict[str, Any], bad: str) -> JSONResponse:
    reasons = [f"{name}: {value}" for name, value in checks.items() if isinstance(value, str) and value != "ok"]
    status = bad if reasons else "ok"
    return JSONResponse({"status": status, "reasons": reasons, **checks}, status_code=503 if reasons else 200)


@router.get("/healthz")
def healthz(context: Context) -> JSONResponse:
    checks = dict(context.health())
    try:
        with context.factory() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, never crash the endpoint
        checks["database"] = f"error: {str(exc).splitlines()[0][:300]}"
    return _verdict(checks, "degraded")


@router.get("/readyz")
def readyz(context: Context) -> JSONResponse:
    checks = dict(context.readiness())
    try:
        bind = context.factory.kw["bind"]
        checks["database"] = "ok" if schema_is_current(bind) else "not migrated to the newest schema"
    except Exception as exc:
        checks["database"] = f"unreachable: {str(exc).splitlines()[0][:300]}"
    return _verdict(checks, "not ready")


@router.get("/metrics")
def prometheus(context: Context) -> PlainTextResponse:
    return PlainTextResponse(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)
