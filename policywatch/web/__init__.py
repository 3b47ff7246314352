"""The web application: one router per concern, assembled by ``create_app``; served by ``WebServer``.

- ``health``       /healthz, /readyz, /metrics
- ``archive_api``  the archive's JSON endpoints under /api
- ``deliveries_api`` alert deliveries under /api/deliveries: list, re-send failed ones
- ``pages``        the archive's HTML pages (the links in alerts land here)
- ``params``       validated request parameters (bounded ids, limits, offsets)
- ``context``      what routes get from the application (session factory, metrics, health)
- ``server``       uvicorn in a background thread
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from core.metrics import Metrics
from policywatch.web import archive_api, deliveries_api, health, pages
from policywatch.web.context import WebContext
from policywatch.web.server import WebServer

ROUTERS = (health.router, archive_api.router, deliveries_api.router, pages.router)


def create_app(
    factory: sessionmaker[Session],
    metrics: Metrics,
    health_checks: Callable[[], dict[str, Any]],
    readiness_checks: Callable[[], dict[str, Any]] = dict,
) -> FastAPI:
    """The application on a session factory, with the daemon's metrics, health and readiness checks."""
    app = FastAPI(title="policywatch", docs_url=None, redoc_url=None)
    app.state.context = WebContext(
        factory=factory, metrics=metrics, health=health_checks, readiness=readiness_checks
    )
    for router in ROUTERS:
        app.include_router(router)
    return app


__all__ = ["WebServer", "create_app"]
