"""``/account``: a small page where a subscriber enters an API key and sees the account's subscriptions.

The key travels in a POST body (never in a URL, so never in logs or history) and is not kept: no
cookie, ``Cache-Control: no-store``. Everything else an account does goes through ``/api/v1``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from alerts.account_subscriptions import list_owned
from policywatch.web.context import Context
from policywatch.web.templating import render
from storage.accounts import authenticate
from storage.db import transaction
from storage.models import Delivery, Subscription

router = APIRouter(tags=["pages"], include_in_schema=False)
FILTER_LABELS = (("regions", "地区"), ("keywords", "关键词"), ("topics", "主题"), ("change_kinds", "变化"),
                 ("admin_levels", "级别"), ("doc_types", "文种"), ("issuers", "发文机关"),
                 ("min_ai_score", "最低相关度"), ("min_significance", "最低重要性"))
MAX_FORM_BYTES = 4096


def _filters(sub: Subscription) -> list[tuple[str, str]]:
    shown = []
    for name, label in FILTER_LABELS:
        value = getattr(sub, name)
        if value not in (None, [], ""):
            shown.append((label, "、".join(value) if isinstance(value, list) else str(value)))
    return shown


def _page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = render(request, "account.html", status_code=status_code, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account", response_class=HTMLResponse)
def account_form(request: Request) -> HTMLResponse:
    return _page(request, account=None, subscriptions=[], error="")


@router.post("/account", response_class=HTMLResponse)
async def account_view(request: Request, context: Context) -> HTMLResponse:
    body = (await request.body())[:MAX_FORM_BYTES].decode("utf-8", "replace")
    key = (parse_qs(body).get("key") or [""])[0].strip()

    def load() -> dict[str, Any] | None:
        with transaction(context.factory) as session:
            account = authenticate(session, key)
            if account is None:
                return None
            rows = []
            for sub in list_owned(session, account.id):
                counts = session.execute(select(Delivery.status, func.count()).where(
                    Delivery.alert.has(subscription_id=sub.id)).group_by(Delivery.status)).all()
                rows.append({"name": sub.name, "channel": sub.channel, "active": sub.active, "filters": _filters(sub),
                             "feed_path": f"/feeds/subscriptions/{sub.feed_token}.atom" if sub.feed_token else "",
                             "deliveries": sorted((status, count) for status, count in counts)})
            return {"account": {"name": account.name}, "subscriptions": rows}

    found = await run_in_threadpool(load)
    if found is None:
        return _page(request, 401, account=None, subscriptions=[], error="密钥无效或已吊销 Unknown or revoked key")
    return _page(request, error="", **found)
