"""The web application: one router per concern, assembled by ``create_app``; served by ``WebServer``.

- ``health``        /healthz, /readyz, /metrics
- ``api_v1``        the archive's REST API under /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)
- ``archive_api``   the first JSON endpoints under /api (kept for existing clients)
- ``deliveries_api`` alert deliveries under /api/deliveries: list, re-send failed ones
- ``pages``         pages about one document (the links in alerts land here)
- ``unsubscribe_pages`` the one-click unsubscribe link of alert emails
- ``browse_pages``  home, search, region plans, targets, citations of a 文号
- ``errors``        one error body for the API, one error page for the pages
- ``templating``    Jinja2 (autoescaped), the pages' Content-Security-Policy
- ``params``        validated request parameters (bounded ids, limits, offsets)
- ``context``       what routes get from the application (session factory, metrics, health, archive settings)
- ``server``        uvicorn in a background thread
- ``account_api``   an account's subscriptions, alerts and deliveries under /api/v1 (Bearer key)
- ``schemas``       published schemas (the webhook body) under /api/v1/schemas
- ``account_pages`` /account: enter a key, see the account's subscriptions
- ``feeds``         Atom feeds: per subscription (secret URL) and per region
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.gzip import GZipMiddleware

from alerts.channels import build_channels
from core.captures import CaptureConfig
from core.metrics import Metrics
from core.settings import Settings
from policywatch.web import (
    account_api,
    account_pages,
    api_v1,
    archive_api,
    browse_pages,
    deliveries_api,
    feeds,
    health,
    pages,
    schemas,
    unsubscribe_pages,
)
from policywatch.web.context import WebContext
from policywatch.web.errors import install_error_handlers
from policywatch.web.server import WebServer
from policywatch.web.templating import STATIC
from storage.validity import DEFAULT_EXPIRING_DAYS

ROUTERS = (
    health.router, account_api.router, schemas.router, api_v1.router, archive_api.router, deliveries_api.router,
    browse_pages.router, pages.router, feeds.router, account_pages.router, unsubscribe_pages.router,
)


def create_app(
    factory: sessionmaker[Session],
    metrics: Metrics,
    health_checks: Callable[[], dict[str, Any]],
    readiness_checks: Callable[[], dict[str, Any]] = dict,
    *,
    captures: CaptureConfig | None = None,
    expiring_days: int = DEFAULT_EXPIRING_DAYS,
    channels: Mapping[str, Any] | None = None,
    allowed_networks: Sequence[str] = (),
    archive_requires_key: bool = False,
    unsubscribe_secret: str = "",
) -> FastAPI:
    """The application on a session factory, with the daemon's metrics, health and readiness checks;
    ``captures`` enables replay of the captured pages, ``expiring_days`` is when a document counts as
    即将失效 (expiring); ``channels`` are what a subscription's test-send uses, ``allowed_networks`` where
    webhook and chat targets may point, ``archive_requires_key`` closes the archive to requests without a key."""
    app = FastAPI(
        title="policywatch archive", version="1",
        description="The archive of Chinese government AI policy documents: documents with their analysis, "
                    "versions, diffs, lineage, citations, region plans, targets, search and exports.",
        openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.context = WebContext(
        factory=factory, metrics=metrics, health=health_checks, readiness=readiness_checks,
        captures=captures, expiring_days=expiring_days, channels=dict(channels or {}),
        allowed_networks=tuple(allowed_networks), archive_requires_key=archive_requires_key,
        unsubscribe_secret=unsubscribe_secret,
    )
    install_error_handlers(app)
    account_api.install_key_guard(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_settings(
    settings: Settings,
    factory: sessionmaker[Session],
    metrics: Metrics,
    health_checks: Callable[[], dict[str, Any]],
    readiness_checks: Callable[[], dict[str, Any]],
) -> FastAPI:
    """The application as the daemon and every role serve it: the archive settings, a subscription's
    test-send channels and the unsubscribe secret all come from ``settings``."""
    return create_app(
        factory, metrics, health_checks, readiness_checks,
        captures=CaptureConfig.from_settings(settings),
        expiring_days=settings.web.expiring_within_days,
        channels=build_channels(settings.alerts),
        allowed_networks=settings.alerts.allowed_networks,
        archive_requires_key=settings.web.archive_requires_key,
        unsubscribe_secret=settings.alerts.unsubscribe_secret.get_secret_value(),
    )


__all__ = ["WebServer", "app_from_settings", "create_app"]
