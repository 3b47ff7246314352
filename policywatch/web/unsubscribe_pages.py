"""``/unsubscribe/{token}``: the one-click unsubscribe link of every alert email.

GET (a person following the link in the body) and POST (a mail client's RFC 8058 one-click request,
body ``List-Unsubscribe=One-Click``) both unsubscribe at once and answer with a short zh-CN page;
repeating either changes nothing. A token that does not verify is 404: it names no subscription.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from alerts.unsubscribe import InvalidUnsubscribeToken, UnsubscribeLinks, unsubscribe
from policywatch.web.context import Context
from policywatch.web.templating import render
from storage.db import transaction

router = APIRouter(tags=["unsubscribe"], include_in_schema=False)


def _unsubscribe(request: Request, context: Context, token: str) -> HTMLResponse:
    if not context.unsubscribe_secret:
        raise HTTPException(404, "退订链接无效 This unsubscribe link is not valid.")
    links = UnsubscribeLinks(context.unsubscribe_secret)
    try:
        subscription_id = links.subscription_id(token)
    except InvalidUnsubscribeToken as exc:
        raise HTTPException(404, "退订链接无效 This unsubscribe link is not valid.") from exc
    with transaction(context.factory) as session:
        subscription = unsubscribe(session, subscription_id, datetime.now(UTC))
        if subscription is None:
            raise HTTPException(404, "该订阅已不存在 This subscription no longer exists.")
        name = subscription.name
    return render(request, "unsubscribed.html", name=name)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_link(request: Request, context: Context, token: str) -> HTMLResponse:
    return _unsubscribe(request, context, token)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_one_click(request: Request, context: Context, token: str) -> HTMLResponse:
    return _unsubscribe(request, context, token)
