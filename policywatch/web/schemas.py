"""Published schemas (``/api/v1/schemas/…``): what receivers of our webhooks can validate against."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from alerts.webhook_schema import webhook_body_schema

router = APIRouter(prefix="/api/v1/schemas", tags=["schemas"])


@router.get("/webhook-body.json", response_class=JSONResponse)
def webhook_body() -> JSONResponse:
    """The JSON Schema (2020-12) of every webhook body."""
    return JSONResponse(webhook_body_schema(), media_type="application/schema+json")
