"""An account's own data under /api/v1, behind ``Authorization: Bearer <key>``.

- ``/api/v1/account``                          who the key belongs to
- ``/api/v1/subscriptions`` (+ ``/{id}``)       list, create, get, patch, delete; ``/{id}/pause``, ``/resume``,
  ``/{id}/test`` (send a test message now), ``/{id}/preview`` and ``/preview`` (what stored documents the
  filters would have matched)
- ``/api/v1/alerts``, ``/api/v1/deliveries``   the account's alert history and deliveries (with failures)

No key, an unknown or a revoked key: 401. Another account's subscription is a 404, exactly like one that
does not exist. A refused field is a 422 naming it. ``install_key_guard`` closes the archive itself to
requests without a key when ``web.archive_requires_key`` is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from alerts import account_subscriptions as subs
from alerts.subscriptions import SubscriptionSpec
from core.errors import PermanentError, TransientError
from policywatch.archive.models import Problem
from policywatch.web.context import Context, WebContext
from policywatch.web.params import MAX_ID, Offset, limit
from storage.accounts import OPERATOR_ACCOUNT, authenticate
from storage.db import transaction
from storage.models import Alert, Change, Delivery, Subscription

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No API key, or an unknown or revoked one"},
    404: {"model": Problem, "description": "No such subscription among the account's own"},
    409: {"model": Problem, "description": "The account has a subscription of that name"},
    422: {"model": Problem, "description": "A field or parameter failed validation (details name it)"},
    500: {"model": Problem, "description": "Internal error"},
}
router = APIRouter(prefix="/api/v1", tags=["account"], responses=ERRORS)
bearer = HTTPBearer(auto_error=False, description="An account's API key (policywatch accounts keys create)")
SubscriptionId = Annotated[int, Field(ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class Caller:
    account_id: int
    account_name: str


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _account_of(context: WebContext, token: str) -> Caller | None:
    with transaction(context.factory) as session:
        account = authenticate(session, token)
        return Caller(account.id, account.name) if account is not None else None


def current_account(
    context: Context, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    if credentials is None:
        raise _unauthorized("an API key is required (Authorization: Bearer <key>)")
    caller = _account_of(context, credentials.credentials)
    if caller is None:
        raise _unauthorized("unknown or revoked API key")
    return caller


Account = Annotated[Caller, Depends(current_account)]


def operator_account(caller: Account) -> Caller:
    """Routes over every account's data (``/api/deliveries``) take a key of the operator's account only."""
    if caller.account_name != OPERATOR_ACCOUNT:
        raise HTTPException(status_code=403, detail=f"this route needs a key of the {OPERATOR_ACCOUNT!r} account")
    return caller


class SubscriptionIn(SubscriptionSpec):
    """A new subscription: the TOML file's fields (channels: email, webhook, apprise)."""


class SubscriptionPatch(BaseModel):
    """Fields to change; the rest stay. The result is validated as a whole."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    channel: str | None = None
    target: str | None = None
    regions: list[str] | None = None
    keywords: list[str] | None = None
    topics: list[str] | None = None
    change_kinds: list[str] | None = None
    ai_only: bool | None = None
    active: bool | None = None
    admin_levels: list[str] | None = None
    doc_types: list[str] | None = None
    issuers: list[str] | None = None
    min_ai_score: float | None = Field(None, ge=0, le=1)
    min_significance: str | None = None
    keyword_mode: str | None = None


class SubscriptionOut(BaseModel):
    id: int
    name: str
    channel: str
    target: str
    regions: list[str]
    keywords: list[str]
    topics: list[str]
    change_kinds: list[str]
    ai_only: bool
    active: bool
    admin_levels: list[str]
    doc_types: list[str]
    issuers: list[str]
    min_ai_score: float | None
    min_significance: str | None
    keyword_mode: str
    created_at: datetime
    feed_url: str = Field(description="The subscription's Atom feed (a secret URL: keep it private)")


class SubscriptionCreated(SubscriptionOut):
    webhook_secret: str = Field(description="Standard Webhooks signing secret, shown this once only")


class PreviewOut(BaseModel):
    matched: int = Field(description="Stored documents the filters would have matched")
    scanned: int = Field(description="Newest stored documents looked at")
    sample: list[dict[str, Any]]


class TestSendOut(BaseModel):
    sent: bool
    error: str = ""


class AlertOut(BaseModel):
    id: int
    subscription_id: int
    change_id: int
    document_id: int
    kind: str
    subject: str
    created_at: datetime


class DeliveryOut(BaseModel):
    id: int
    alert_id: int
    subscription_id: int
    channel: str
    status: str
    attempts: int
    last_error: str
    sent_at: datetime | None
    next_attempt_at: datetime | None


class AccountOut(BaseModel):
    id: int
    name: str


def _out(row: Subscription, request: Request) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in SubscriptionOut.model_fields if name != "feed_url"}
    base = str(request.base_url).rstrip("/")
    return fields | {"feed_url": f"{base}/feeds/subscriptions/{row.feed_token}.atom" if row.feed_token else ""}


def _rejected(exc: subs.FieldRejected) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", *exc.field.split(".")), "msg": exc.reason, "type": "value_error"}])


@router.get("/account", response_model=AccountOut)
def whoami(account: Account) -> dict[str, Any]:
    return {"id": account.account_id, "name": account.account_name}


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def list_subscriptions(context: Context, account: Account, request: Request) -> list[dict[str, Any]]:
    with context.factory() as session:
        return [_out(row, request) for row in subs.list_owned(session, account.account_id)]


@router.post("/subscriptions", response_model=SubscriptionCreated, status_code=201)
def create_subscription(
    context: Context, account: Account, body: SubscriptionIn, request: Request
) -> dict[str, Any]:
    try:
        spec = subs.validate(body.model_dump(), context.allowed_networks)
        with transaction(context.factory) as session:
            row = subs.create(session, account.account_id, spec)
            return _out(row, request) | {"webhook_secret": row.webhook_secret}
    except subs.FieldRejected as exc:
        raise _rejected(exc) from exc
    except subs.NameTaken as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


@router.post("/subscriptions/preview", response_model=PreviewOut)
def preview_new(context: Context, account: Account, body: SubscriptionIn) -> dict[str, Any]:
    with context.factory() as session:
        return vars(subs.preview(session, body))


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(
    context: Context, account: Account, subscription_id: SubscriptionId, request: Request
) -> dict[str, Any]:
    with context.factory() as session:
        return _out(subs.owned(session, account.account_id, subscription_id), request)


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def patch_subscription(
    context: Context, account: Account, subscription_id: SubscriptionId, body: SubscriptionPatch, request: Request
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    try:
        with transaction(context.factory) as session:
            row = subs.owned(session, account.account_id, subscription_id)
            return _out(subs.update(session, row, changes, context.allowed_networks), request)
    except subs.FieldRejected as exc:
        raise _rejected(exc) from exc
    except subs.NameTaken as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


@router.delete("/subscriptions/{subscription_id}", status_code=204, response_class=Response)
def delete_subscription(context: Context, account: Account, subscription_id: SubscriptionId) -> Response:
    with transaction(context.factory) as session:
        subs.remove(session, subs.owned(session, account.account_id, subscription_id))
    return Response(status_code=204)


def _set_active(context: WebContext, caller: Caller, subscription_id: int, active: bool, request: Request) -> dict[str, Any]:
    with transaction(context.factory) as session:
        row = subs.owned(session, caller.account_id, subscription_id)
        row.active = active
        session.flush()
        return _out(row, request)


@router.post("/subscriptions/{subscription_id}/pause", response_model=SubscriptionOut)
def pause(context: Context, account: Account, subscription_id: SubscriptionId, request: Request) -> dict[str, Any]:
    return _set_active(context, account, subscription_id, False, request)


@router.post("/subscriptions/{subscription_id}/resume", response_model=SubscriptionOut)
def resume(context: Context, account: Account, subscription_id: SubscriptionId, request: Request) -> dict[str, Any]:
    return _set_active(context, account, subscription_id, True, request)


@router.post("/subscriptions/{subscription_id}/test", response_model=TestSendOut)
def test_send(context: Context, account: Account, subscription_id: SubscriptionId) -> dict[str, Any]:
    """Send a test message now over the subscription's channel (no transaction open while sending)."""
    with context.factory() as session:
        row = subs.owned(session, account.account_id, subscription_id)
        channel_name, target, message = row.channel, row.target, subs.trial_message(row)
    channel = context.channels.get(channel_name)
    if channel is None:
        return {"sent": False, "error": f"channel {channel_name} is not running on this server"}
    try:
        channel.send(target, message)
    except (PermanentError, TransientError) as exc:
        return {"sent": False, "error": str(exc)}
    return {"sent": True, "error": ""}


@router.get("/subscriptions/{subscription_id}/preview", response_model=PreviewOut)
def preview_existing(context: Context, account: Account, subscription_id: SubscriptionId) -> dict[str, Any]:
    with context.factory() as session:
        spec = subs.spec_of(subs.owned(session, account.account_id, subscription_id))
        return vars(subs.preview(session, spec))


@router.get("/alerts", response_model=list[AlertOut])
def alerts(
    context: Context, account: Account, limit: Annotated[int, limit(500)] = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    with context.factory() as session:
        rows = session.execute(
            select(Alert, Change).join(Change, Change.id == Alert.change_id)
            .where(Alert.account_id == account.account_id).order_by(Alert.id.desc()).limit(limit).offset(offset)
        )
        return [{"id": a.id, "subscription_id": a.subscription_id, "change_id": a.change_id,
                 "document_id": c.document_id, "kind": c.kind, "subject": a.subject, "created_at": a.created_at}
                for a, c in rows]


@router.get("/deliveries", response_model=list[DeliveryOut])
def deliveries(
    context: Context, account: Account,
    status: Literal["pending", "sending", "sent", "failed"] | None = None,
    limit: Annotated[int, limit(500)] = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    with context.factory() as session:
        query = (select(Delivery, Alert.subscription_id).join(Alert, Alert.id == Delivery.alert_id)
                 .where(Delivery.account_id == account.account_id))
        if status:
            query = query.where(Delivery.status == status)
        rows = session.execute(query.order_by(Delivery.id.desc()).limit(limit).offset(offset))
        return [{"id": d.id, "alert_id": d.alert_id, "subscription_id": sub_id, "channel": d.channel,
                 "status": d.status, "attempts": d.attempts, "last_error": d.last_error, "sent_at": d.sent_at,
                 "next_attempt_at": d.next_attempt_at} for d, sub_id in rows]


# Routes that stay open when the archive needs a key: operations, the API's description, the account's own
# routes (they check the key themselves), and the secret-URL subscription feeds.
OPEN_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static", "/api/v1/openapi.json", "/api/v1/docs",
                 "/api/v1/schemas", "/api/v1/account", "/api/v1/subscriptions", "/api/v1/alerts",
                 "/api/v1/deliveries", "/feeds/subscriptions", "/account")


def install_key_guard(app: FastAPI) -> None:
    """With ``web.archive_requires_key``, every other route needs a valid key (401 otherwise)."""

    @app.middleware("http")
    async def archive_key(request: Request, call_next: Any) -> Any:
        context: WebContext = request.app.state.context
        path = request.url.path
        if not context.archive_requires_key or path.startswith(OPEN_PREFIXES):
            return await call_next(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        caller = await run_in_threadpool(_account_of, context, token.strip()) if scheme.lower() == "bearer" else None
        if caller is None:
            body = {"status": 401, "error": "http_error", "message": "this archive needs an API key", "details": []}
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return await call_next(request)
