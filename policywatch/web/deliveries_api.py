"""Deliveries for operators (``/api/deliveries``): where each alert stands, and re-sending failed ones.

Every account's deliveries are here, so each route needs a key of the operator's account (401 without a
key, 403 with another account's); an account sees its own under ``/api/v1/deliveries``.

``POST /api/deliveries/retry`` with ``{"ids": [...]}`` or ``{"failed": true}`` makes failed deliveries
due now with a fresh schedule; a delivery already sent is reported, never sent again.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from alerts.delivery_admin import delivery_counts, list_deliveries, retry_deliveries
from policywatch.web.account_api import operator_account
from policywatch.web.context import Context
from policywatch.web.params import MAX_ID, Offset, limit
from storage.db import transaction

router = APIRouter(prefix="/api/deliveries", tags=["deliveries"], dependencies=[Depends(operator_account)])

Status = Literal["pending", "sending", "sent", "failed"]


class RetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list, max_length=10_000)
    failed: bool = False


@router.get("")
def deliveries(
    context: Context,
    status: Annotated[list[Status] | None, Query(description="Only these statuses (repeatable)")] = None,
    limit: Annotated[int, limit(500)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with context.factory() as session:
        views = list_deliveries(session, status or [], limit=limit, offset=offset)
        return {"counts": delivery_counts(session), "deliveries": [v.to_dict() for v in views]}


@router.post("/retry")
def retry(context: Context, request: RetryRequest) -> dict[str, Any]:
    if bool(request.ids) == request.failed:
        raise HTTPException(status_code=422, detail='give "ids", or "failed": true (not both)')
    with transaction(context.factory) as session:
        report = retry_deliveries(session, request.ids, all_failed=request.failed)
    return {
        "requeued": report.requeued, "already_sent": report.already_sent,
        "not_failed": report.not_failed, "unknown": report.unknown,
    }
