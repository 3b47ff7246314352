"""Published schemas (``/api/v1/schemas/…``): what receivers of our webhooks can validate against."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from alerts.webhook_schema import webhook_body_schema

router = APIRouter(prefix="/api/v1/schemas", tags=["schemas"])


SCHEMA_TYPE = "application/schema+json"


@router.get("/webhook-body.json", response_class=JSONResponse,
            responses={200: {"content": {SCHEMA_TYPE: {"schema": {"type": "object"}}}}})
def webhook_body() -> JSONResponse:
    """The JSON Schema (2020-12) of every webhook body."""
    return JSONResponse(webhook_body_schema(), media_type=SCHEMA_TYPE)
